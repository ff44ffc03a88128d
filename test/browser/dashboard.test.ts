/**
 * The demo's Dashboard 2.0 page in real Chromium: live values from the simulator,
 * the meter's identity, updates while the page is open, and alarm events end to end
 * (write-settings -> simulated meter -> alarm-status -> dashboard).
 */
import { strict as assert } from 'node:assert';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchChromium, makeUserDir, removeDir, screenshot, startDemoProcess, type DemoProcess } from '../helpers/browser';

/** Widget ids in examples/demo.json. */
const widget = (id: string): string => `#nrdb-ui-widget-diris-demo-${id}`;

describe('demo dashboard in Chromium', function () {
  this.timeout(60_000);
  let userDir: string | undefined;
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;

  /** The number a gauge shows now (NaN while it has none). */
  const gaugeValue = async (id: string): Promise<number> => Number(await page.locator(`${widget(id)} .nrdb-ui-gauge-value span`).innerText());
  const textValue = (id: string): Promise<string> => page.locator(`${widget(id)} .nrdb-ui-text-value`).innerText();
  /** What the editor's inject button does. */
  const pressInject = async (id: string): Promise<void> => {
    const response = await fetch(`${demo!.editorUrl}inject/${id}`, { method: 'POST' });
    assert.equal(response.status, 200, `inject ${id}: HTTP ${response.status}`);
  };

  before(async function () {
    userDir = makeUserDir();
    demo = await startDemoProcess({ userDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(demo.dashboardUrl);
  });

  after(async function () {
    await browser?.close();
    const ended = await demo?.stop();
    removeDir(userDir);
    if (ended !== undefined) assert.equal(ended.code, 0, `the demo exited with ${JSON.stringify(ended)}`);
  });

  it('opens on the DIRIS page with the meter\'s identity and values in their ranges', async function () {
    await page.locator('header', { hasText: 'DIRIS' }).first().waitFor();
    assert.match(page.url(), /\/dashboard\/diris$/);
    const product = page.locator(`${widget('text-product')} .nrdb-ui-text-value`, { hasText: 'DIRIS A20' });
    await product.waitFor();
    assert.match(await textValue('text-serial'), /\S{6,}/);
    assert.equal(await textValue('text-unit'), '5');

    // The gauges count up to a new value: wait for them to settle in range.
    await eventually(() => gaugeValue('gauge-v1'), (v) => v > 207 && v < 253, 'V1 (V)');
    await eventually(() => gaugeValue('gauge-u12'), (v) => v > 360 && v < 440, 'U12 (V)');
    await eventually(() => gaugeValue('gauge-f'), (v) => v > 49 && v < 51, 'F (Hz)');
    for (const phase of ['i1', 'i2', 'i3']) await eventually(() => gaugeValue(`gauge-${phase}`), (v) => v > 1 && v < 100, `${phase.toUpperCase()} (A)`);
    await eventually(() => gaugeValue('gauge-p'), (v) => v > 1 && v < 50, 'P (kW)');
    await eventually(() => gaugeValue('gauge-pf'), (v) => v > 0.8 && v <= 1, 'PF');
    assert.match(await textValue('text-eapos'), /^[\d,]+ kWh$/);
    assert.match(await textValue('text-hours'), /^[\d,]+\.\d\d h$/);
    // The power chart draws on a canvas once it has points.
    await page.locator(`${widget('chart-p')} canvas`).first().waitFor();
    await screenshot(page, 'dashboard-diris');
  });

  it('the values follow the meter while the page is open', async function () {
    // The simulated load drifts: I1 (shown to 10 mA) changes from one 2 s poll to the next.
    const first = await eventually(() => gaugeValue('gauge-i1'), (v) => v > 0, 'I1 shown');
    await eventually(() => gaugeValue('gauge-i1'), (v) => v > 0 && v !== first, `I1 still ${first}`, 15_000);
  });

  it('an alarm set on the meter shows as a raise event, and putting it back as a clear event', async function () {
    const lastEvent = (): Promise<string> => textValue('text-alarm');
    assert.equal(await eventually(lastEvent, (t) => t !== '', 'the alarm text'), 'none since deploy');

    // Upper threshold 30 A on the currents (about 36 A here), 2 s delay: the alarm rises.
    await pressInject('diris-demo-i-alarm-on');
    const raised = await eventually(lastEvent, (t) => t.startsWith('raise'), 'the last alarm event', 20_000);
    assert.match(raised, /^raise upper: I[123] \d+(\.\d+)? A at \d\d:\d\d:\d\d$/);
    await screenshot(page, 'dashboard-alarm-raised');

    await pressInject('diris-demo-i-alarm-off');
    const cleared = await eventually(lastEvent, (t) => t.startsWith('clear'), 'the last alarm event', 20_000);
    assert.match(cleared, /^clear upper: I[123] \d+(\.\d+)? A at \d\d:\d\d:\d\d$/);
  });

  it('the demo flow runs without errors or node warnings', async function () {
    // Let every node run at least once: the identity is read and a few polls have gone by.
    await page.locator(`${widget('text-product')} .nrdb-ui-text-value`, { hasText: 'DIRIS A20' }).waitFor();
    await eventually(() => gaugeValue('gauge-i1'), (v) => v > 0, 'I1 shown');
    const problems = demo!
      .output()
      .split('\n')
      // Node-RED's own start-up notes ("Projects disabled", "Using unencrypted credentials") are not about the flow.
      .filter((line) => line.includes('[error]') || /\[warn\] \[/.test(line));
    assert.deepEqual(problems, []);
  });
});
