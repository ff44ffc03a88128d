/**
 * The demo's Dashboard 2.0 page in real Chromium, as an energy manager keeps it open:
 * every phase, THD, demand and partial energies of the selected meter, a meter selector,
 * an alarm indicator with buttons that raise and clear a demo alarm (write-settings ->
 * simulated meter -> alarm-status -> dashboard), and values marked stale with the link
 * state shown when the meter goes away. Takes the README's dashboard screenshots.
 */
import { strict as assert } from 'node:assert';
import type { Browser, Page } from 'playwright-core';
import { decodeField } from '../../src/codec';
import { getField } from '../../src/registers';
import { startSimulator, type Simulator } from '../../src/simulator';
import { docsScreenshot, eventually, launchChromium, makeUserDir, removeDir, screenshot, startDemoProcess, type DemoProcess } from '../helpers/browser';

/** Widget ids in examples/demo.json. */
const widget = (id: string): string => `#nrdb-ui-widget-diris-demo-${id}`;

/** Every value the page shows, by payload key: all phases, THD, demand and the partial energies. */
const SHOWN_KEYS = {
  voltages: ['V1', 'V2', 'V3', 'U12', 'U23', 'U31', 'F'],
  currents: ['I1', 'I2', 'I3', 'In'],
  power: ['P1', 'P2', 'P3', 'P', 'Q1', 'Q2', 'Q3', 'Q', 'S1', 'S2', 'S3', 'S', 'PF1', 'PF2', 'PF3', 'PF'],
  thd: ['thdV1', 'thdV2', 'thdV3', 'thdI1', 'thdI2', 'thdI3'],
  demand: ['maxAvgI1', 'maxAvgI2', 'maxAvgI3', 'maxAvgIn', 'maxAvgPPos', 'maxAvgQPos', 'maxAvgS'],
  energies: ['EaPos', 'EaNeg', 'ErPos', 'ErNeg', 'Es', 'hourMeter'],
} as const;

/** Helpers bound to one page. */
function dashboard(page: Page) {
  const cell = (name: string) => page.locator(`[data-cell="${name}"]`).first();
  const value = (key: string) => page.locator(`[data-key="${key}"]`).first();
  return {
    cell,
    /** A cell's value (its bold part when it has a label), '' while absent. */
    cellText: async (name: string): Promise<string> => {
      if ((await cell(name).count()) === 0) return '';
      const bold = cell(name).locator('b');
      return ((await bold.count()) > 0 ? await bold.innerText() : await cell(name).innerText()).trim();
    },
    /** The number shown for a key (NaN while it shows "–"). */
    number: async (key: string): Promise<number> => {
      const element = value(key);
      const text = (await element.locator('td.diris-value').count()) > 0 ? await element.locator('td.diris-value').innerText() : await element.innerText();
      return Number(text.replace(/,/g, ''));
    },
    /** The label column of a value row ("Ea+ partial"). */
    label: (key: string): Promise<string> => value(key).locator('th').innerText(),
    staleTables: (): Promise<number> => page.locator('table.diris-values.diris-stale').count(),
    allTables: (): Promise<number> => page.locator('table.diris-values').count(),
    async selectMeter(unitId: number): Promise<void> {
      await page.locator(widget('select')).locator('.v-field').click();
      await page.locator('.v-overlay .v-list-item', { hasText: `Meter ${unitId}` }).click();
      await eventually(() => this.cellText('unit'), (t) => t === String(unitId), 'the unit id shown');
    },
  };
}

describe('demo dashboard in Chromium', function () {
  this.timeout(90_000);
  let userDir: string | undefined;
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let ui: ReturnType<typeof dashboard>;

  before(async function () {
    userDir = makeUserDir();
    demo = await startDemoProcess({ userDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    ui = dashboard(page);
    await page.goto(demo.dashboardUrl);
  });

  after(async function () {
    await browser?.close();
    const ended = await demo?.stop();
    removeDir(userDir);
    if (ended !== undefined) assert.equal(ended.code, 0, `the demo exited with ${JSON.stringify(ended)}`);
  });

  it('opens on the DIRIS page without a navigation drawer, with the meter\'s identity, link state and every phase', async function () {
    await page.locator('header', { hasText: 'DIRIS' }).first().waitFor();
    assert.match(page.url(), /\/dashboard\/diris$/);
    // Dashboard 2.0 keeps the drawer element; with no navigation it stays off the left edge.
    const drawerRight = await page.evaluate(() => {
      const nav = document.querySelector('nav.v-navigation-drawer');
      return nav === null ? 0 : nav.getBoundingClientRect().right;
    });
    assert.ok(drawerRight <= 0, `a navigation drawer covers the page up to x ${drawerRight}`);
    await eventually(() => ui.cellText('product'), (t) => t === 'DIRIS A20', 'the product');
    assert.match(await ui.cellText('serial'), /\S{6,}/);
    assert.equal(await ui.cellText('unit'), '5');
    await eventually(() => ui.cellText('link'), (t) => t === 'connected', 'the link state');
    await eventually(() => ui.cellText('freshness'), (t) => /live: \d\d:\d\d:\d\d$/.test(t), 'the values\' freshness');
    assert.equal(await ui.staleTables(), 0, 'no table is marked stale while the meter answers');

    for (const [group, keys] of Object.entries(SHOWN_KEYS)) {
      for (const key of keys) await eventually(() => ui.number(key), (v) => Number.isFinite(v), `${group}: ${key}`);
    }
    // Values in their ranges: a 230/400 V installation, power factors lagging ~0.9.
    for (const key of ['V1', 'V2', 'V3']) assert.ok((await ui.number(key)) > 207 && (await ui.number(key)) < 253, key);
    for (const key of ['U12', 'U23', 'U31']) assert.ok((await ui.number(key)) > 360 && (await ui.number(key)) < 440, key);
    for (const key of ['PF1', 'PF2', 'PF3', 'PF']) assert.ok((await ui.number(key)) > 0.8 && (await ui.number(key)) <= 1, key);
    const phaseSum = (await ui.number('P1')) + (await ui.number('P2')) + (await ui.number('P3'));
    assert.ok(Math.abs(phaseSum - (await ui.number('P'))) < 0.05, `P1+P2+P3 ${phaseSum} kW is P ${await ui.number('P')} kW`);
    // Energies are the resettable partial counters, and say so.
    for (const key of ['EaPos', 'EaNeg', 'ErPos', 'ErNeg', 'Es']) assert.match(await ui.label(key), /partial$/, key);
    // The chart draws on a canvas once it has points.
    await page.locator(`${widget('chart-p')} canvas`).first().waitFor();
    await eventually(() => ui.cellText('alarm-indicator'), (t) => t === 'no alarm', 'the alarm indicator');
    await docsScreenshot(page, 'dashboard');
  });

  it('the values follow the meter while the page is open', async function () {
    // The simulated load drifts: I1 (shown to 10 mA) changes from one 2 s poll to the next.
    const first = await eventually(() => ui.number('I1'), (v) => v > 0, 'I1 shown');
    await eventually(() => ui.number('I1'), (v) => v > 0 && v !== first, `I1 still ${first}`, 15_000);
  });

  it('the selector switches the whole page to the other simulated meter, and back', async function () {
    const serial5 = await ui.cellText('serial');
    await ui.selectMeter(6);
    await eventually(() => ui.cellText('serial'), (t) => t !== serial5 && /\S{6,}/.test(t), 'meter 6\'s serial number');
    await eventually(() => ui.number('EaPos'), (v) => Number.isFinite(v), 'meter 6\'s energy');
    await ui.selectMeter(5);
    assert.equal(await ui.cellText('serial'), serial5);
  });

  it('the alarm buttons raise and clear a demo alarm on the selected meter, and the indicator follows', async function () {
    assert.equal(await ui.cellText('alarm-indicator'), 'no alarm');
    // Upper threshold 30 A on the currents (about 40 A here), 2 s delay: the alarm rises.
    await page.locator(`${widget('b-raise')} button`).click();
    const raised = await eventually(() => ui.cellText('alarm-indicator'), (t) => t.startsWith('ALARM'), 'the alarm indicator', 20_000);
    assert.match(raised, /^ALARM upper: I[123] \d+(\.\d+)? A$/);
    assert.equal(await ui.cell('alarm-indicator').getAttribute('class'), 'diris-alarm-on');
    assert.match(await ui.cellText('alarm-last'), /raise upper: I[123] \d+(\.\d+)? A at \d\d:\d\d:\d\d$/);
    assert.match(await ui.cellText('alarm-notice'), /meter 5: alarm settings written at/);
    await docsScreenshot(page, 'dashboard-alarm');

    await page.locator(`${widget('b-clear')} button`).click();
    await eventually(() => ui.cellText('alarm-indicator'), (t) => t === 'no alarm', 'the alarm indicator', 20_000);
    assert.match(await ui.cellText('alarm-last'), /clear upper: I[123] \d+(\.\d+)? A at \d\d:\d\d:\d\d$/);
  });

  it('the demo flow runs without errors or node warnings', async function () {
    const problems = demo!
      .output()
      .split('\n')
      // Node-RED's own start-up notes ("Projects disabled", "Using unencrypted credentials") are not about the flow.
      .filter((line) => line.includes('[error]') || /\[warn\] \[/.test(line));
    assert.deepEqual(problems, []);
  });
});

describe('demo dashboard reading a meter given with --meter', function () {
  this.timeout(90_000);
  let userDir: string | undefined;
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  let meter: Simulator | undefined;
  let page: Page;
  let ui: ReturnType<typeof dashboard>;

  before(async function () {
    // The "real meter": a simulator this test owns (and stops), at unit id 7.
    meter = await startSimulator({ transport: 'tcp', port: 0, unitIds: [7], seed: 7 });
    userDir = makeUserDir();
    demo = await startDemoProcess({ userDir, args: ['--meter', `tcp://127.0.0.1:${meter.port}`, '--unit', '7'] });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    ui = dashboard(page);
    await page.goto(demo.dashboardUrl);
  });

  after(async function () {
    await browser?.close();
    const ended = await demo?.stop();
    await meter?.close();
    removeDir(userDir);
    if (ended !== undefined) assert.equal(ended.code, 0, `the demo exited with ${JSON.stringify(ended)}`);
  });

  it('reads that meter at that unit id, and starts no simulator', async function () {
    assert.match(demo!.output(), new RegExp(`\\[demo\\] Meter: Modbus TCP 127\\.0\\.0\\.1:${meter!.port}, unit ids 7 \\(no simulator\\)`));
    assert.doesNotMatch(demo!.output(), /DIRIS simulator:/);
    await eventually(() => ui.cellText('unit'), (t) => t === '7', 'the unit id');
    await eventually(() => ui.cellText('product'), (t) => t === 'DIRIS A20', 'the product');
    await eventually(() => ui.cellText('freshness'), (t) => t.startsWith('live'), 'the values\' freshness');
    // The energy shown is that meter's own counter.
    const field = getField('energies', 'EaPos');
    const counter = (): number => decodeField(field, meter!.meters.get(7)!.peek(field.address, field.words)) as number;
    const shown = await eventually(() => ui.number('EaPos'), (v) => Number.isFinite(v), 'Ea+');
    assert.ok(Math.abs(shown - counter()) <= 1, `Ea+ shown ${shown} kWh, the meter counts ${counter()} kWh`);
    const flows = (await (await fetch(`${demo!.editorUrl}flows`)).json()) as { type: string; host?: string; port?: number; transport?: string }[];
    const connections = flows.filter((n) => n.type === 'socomec-connection');
    assert.deepEqual(
      connections.map((c) => [c.transport, c.host, Number(c.port)]),
      [['tcp', '127.0.0.1', meter!.port]],
    );
  });

  it('its alarm buttons write nothing to a real meter, and say so', async function () {
    const before = meter!.meters.get(7)!.setting('alarmUpperThreshold');
    await page.locator(`${widget('b-raise')} button`).click();
    await eventually(() => ui.cellText('alarm-notice'), (t) => t.startsWith('not written'), 'the notice');
    assert.equal(meter!.meters.get(7)!.setting('alarmUpperThreshold'), before);
  });

  it('marks the values stale and shows the link state when the meter goes away', async function () {
    await eventually(() => ui.cellText('freshness'), (t) => t.startsWith('live'), 'live values');
    const tables = await ui.allTables();
    assert.ok(tables >= 6, `${tables} value tables`);
    await meter!.close();
    meter = undefined;
    // Two poll intervals (2 x 2 s) without a reading: stale, with the time of the last one.
    const stale = await eventually(() => ui.cellText('freshness'), (t) => t.startsWith('stale'), 'the values\' freshness', 20_000);
    assert.match(stale, /^stale: last reading \d\d:\d\d:\d\d, \d+ s ago$/);
    // Each value table is its own widget: they re-render one after the other.
    await eventually(() => ui.staleTables(), (n) => n === tables, 'every value table marked stale');
    const link = await eventually(() => ui.cellText('link'), (t) => t !== 'connected', 'the link state', 20_000);
    assert.match(link, /^(link down|reconnecting|no answer|meter silent, backing off)$/);
    await eventually(() => ui.cellText('error'), (t) => /ECONNREFUSED|no answer|closed/.test(t), 'the last error');
    // No "no alarm" from a meter that does not answer.
    assert.equal(await ui.cellText('alarm-indicator'), 'alarm state unknown (no recent reading)');
    await screenshot(page, 'dashboard-stale');
    await docsScreenshot(page, 'dashboard-stale');
  });
});
