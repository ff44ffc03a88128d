/**
 * The Node-RED editor of the demo in real Chromium: the Socomec palette, icons, help,
 * the edit dialogs' fields and validation, and the connection's scan against the
 * simulator the demo runs.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MEASUREMENT_TABLES, MODEL_CHOICES, SETTINGS_BLOCKS } from '../../src/device';
import { docsScreenshot, eventually, launchChromium, makeUserDir, removeDir, screenshot, startDemoProcess, type DemoProcess } from '../helpers/browser';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The flow node types the palette offers (socomec-connection is a config node: not in the palette). */
const PALETTE_TYPES = ['socomec-read-measurements', 'socomec-read-identity', 'socomec-write-settings', 'socomec-reset', 'socomec-alarm-status', 'socomec-mqtt'];
const ICON_PATH = '/icons/@diris-tools/node-red-socomec/';

/** The first paragraph of a node's help file, whitespace collapsed, as the help sidebar shows it. */
function helpSummary(type: string): string {
  const html = fs.readFileSync(path.join(PROJECT_ROOT, 'nodes', 'locales', 'en-US', `${type}.html`), 'utf8');
  const first = /<p>([\s\S]*?)<\/p>/.exec(html);
  assert.ok(first, `${type}.html has no help paragraph`);
  return first[1]
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('demo editor in Chromium', function () {
  this.timeout(60_000);
  let userDir: string | undefined;
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** HTTP status of every icon the editor requested from our package. */
  const iconResponses = new Map<string, number>();

  before(async function () {
    userDir = makeUserDir();
    demo = await startDemoProcess({ userDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    page.on('response', (response) => {
      if (response.url().includes(ICON_PATH)) iconResponses.set(new URL(response.url()).pathname, response.status());
    });
    await page.goto(demo.editorUrl);
    await page.locator(`.red-ui-palette-node[data-palette-type="${PALETTE_TYPES[0]}"]`).waitFor();
  });

  after(async function () {
    await browser?.close();
    const ended = await demo?.stop();
    removeDir(userDir);
    if (ended !== undefined) assert.equal(ended.code, 0, `the demo exited with ${JSON.stringify(ended)}`);
  });

  afterEach(async function () {
    // Leave no dialog open for the next test, whatever this one did. Node-RED shows one
    // tray at a time: cancelling a config node's dialog brings back the node's dialog.
    for (let attempt = 0; attempt < 5 && (await page.locator('.red-ui-tray').count()) > 0; attempt += 1) {
      const cancel = page.locator('.red-ui-tray').last().locator('#node-dialog-cancel, #node-config-dialog-cancel');
      const button = await cancel.elementHandle();
      await cancel.click();
      await page.waitForFunction((element) => element === null || !element.isConnected, button);
    }
  });

  it('the palette shows the Socomec flow nodes together in one Socomec category', async function () {
    const categories: string[] = [];
    for (const type of PALETTE_TYPES) {
      const node = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
      assert.equal(await node.count(), 1, `${type} is not in the palette`);
      categories.push(await node.evaluate((el) => el.closest('.red-ui-palette-category')?.querySelector('.red-ui-palette-header span')?.textContent ?? ''));
    }
    const category = page.locator('.red-ui-palette-category', { has: page.locator(`.red-ui-palette-node[data-palette-type="${PALETTE_TYPES[0]}"]`) });
    await category.scrollIntoViewIfNeeded();
    await screenshot(category, 'editor-palette-socomec');
    assert.equal(new Set(categories).size, 1, `the Socomec nodes are split over palette categories: ${PALETTE_TYPES.map((t, i) => `${t} in "${categories[i]}"`).join(', ')}`);
    assert.match(categories[0], /Socomec/);
  });

  it('the demo flow opens with every node and config node valid', async function () {
    // What the editor draws as a red triangle and warns about on deploy, from its own validation.
    const invalid = await page.evaluate(() => {
      const editor = (window as unknown as { RED: { nodes: { eachNode(cb: (n: EditorNode) => void): void; eachConfig(cb: (n: EditorNode) => void): void } } }).RED;
      interface EditorNode { id: string; type: string; name?: string; valid?: boolean; validationErrors?: string[] }
      const found: string[] = [];
      const check = (n: EditorNode): void => {
        if (n.valid === false) found.push(`${n.type} "${n.name ?? n.id}": ${(n.validationErrors ?? []).join(', ')}`);
      };
      editor.nodes.eachNode(check);
      editor.nodes.eachConfig(check);
      return found;
    });
    assert.deepEqual(invalid, []);
    await docsScreenshot(page, 'editor-flow');
  });

  it('the settings dry run and the hour meter reset answer in their status and the debug sidebar', async function () {
    await page.locator('#red-ui-tab-debug-link-button').click();
    const statusOf = (id: string) => page.locator(`#${id} .red-ui-flow-node-status-label`);

    await page.locator('#diris-demo-i-dryrun .red-ui-flow-node-button').click();
    await page.locator('.red-ui-debug-msg-node-diris-demo-d-settings').first().waitFor();
    // CT primary 150 A differs from the meter's: one setting would change, nothing is written.
    await statusOf('diris-demo-settings').filter({ hasText: /^dry run: 1 would change/ }).waitFor();

    await page.locator('#diris-demo-i-reset .red-ui-flow-node-button').click();
    await page.locator('.red-ui-debug-msg-node-diris-demo-d-reset').first().waitFor();
    await statusOf('diris-demo-reset').filter({ hasText: /^reset hourMeter/ }).waitFor();
    await screenshot(page, 'editor-debug-sidebar');
    // Errors from any node land in the debug sidebar too, in red.
    const errors = page.locator('.red-ui-debug-msg-level-20');
    assert.equal(await errors.count(), 0, (await errors.allInnerTexts()).join('\n'));
  });

  it('every Socomec palette node shows its own icon, and the icon image loads', async function () {
    for (const type of PALETTE_TYPES) {
      const icon = page.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-icon`);
      const url = await icon.evaluate((el) => /url\("?(.*?)"?\)/.exec(getComputedStyle(el).backgroundImage)?.[1] ?? '');
      // Node-RED falls back to its own arrow icon when a node's icon file is missing.
      assert.ok(url.includes(ICON_PATH), `${type} shows ${url || 'no icon'} instead of one of ours`);
      const width = await page.evaluate(async (src) => {
        const image = new Image();
        image.src = src;
        await image.decode();
        return image.naturalWidth;
      }, url);
      assert.ok(width > 0, `${type}'s icon ${url} has no width`);
      assert.equal(iconResponses.get(new URL(url).pathname), 200, `${url} did not load with HTTP 200`);
    }
  });

  it("a palette node's help opens in the help sidebar with the node's own text", async function () {
    for (const type of PALETTE_TYPES) {
      const summary = helpSummary(type);
      await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).hover();
      // The palette popover (shown on hover) has a book button that opens the help sidebar.
      const popover = page.locator('.red-ui-popover').filter({ hasText: type });
      await popover.locator('button:has(i.fa-book)').click();
      await page.locator('.red-ui-help').filter({ hasText: summary.slice(0, 60) }).first().waitFor();
      await page.mouse.move(700, 500);
      await popover.waitFor({ state: 'hidden' });
    }
    await screenshot(page, 'editor-help');
  });

  it('the read-measurements dialog shows its fields and marks unit id 300 invalid', async function () {
    // The dialog asks the runtime for the output keys; count the answers still due.
    let fieldRequestsDue = 0;
    const isFieldsRequest = (url: string): boolean => url.includes('/socomec-read-measurements/fields');
    page.on('request', (request) => {
      if (isFieldsRequest(request.url())) fieldRequestsDue += 1;
    });
    const settled = (request: { url(): string }): void => {
      if (isFieldsRequest(request.url())) fieldRequestsDue -= 1;
    };
    page.on('requestfinished', settled);
    page.on('requestfailed', settled);
    await page.locator('#diris-demo-measure').dblclick();
    const tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-input-unitId').waitFor();
    for (const field of ['#node-input-connection', '#node-input-pollSeconds', '#node-input-table', '#socomec-read-measurements-group-instantaneous', '#socomec-read-measurements-group-harmonics']) {
      assert.equal(await tray.locator(field).count(), 1, `${field} is missing from the dialog`);
    }
    // The demo drives this node from an inject every 2 s (one msg per meter), so it does not poll itself.
    assert.equal(await tray.locator('#node-input-pollSeconds').inputValue(), '0');
    assert.ok(await tray.locator('#socomec-read-measurements-group-instantaneous').isChecked());
    // The dialog lists the keys the node will output, from the runtime's register map, each once.
    const v1 = tray.locator('#socomec-read-measurements-fields code', { hasText: /^V1$/ });
    await v1.first().waitFor();
    await eventually(async () => fieldRequestsDue, (due) => due === 0, 'field list requests still running');
    await screenshot(page, 'editor-read-measurements');
    assert.equal(await v1.count(), 1, 'the output key list shows V1 more than once');

    const unitId = tray.locator('#node-input-unitId');
    await unitId.fill('300');
    await unitId.blur();
    await page.waitForFunction(() => document.querySelector('#node-input-unitId')?.classList.contains('input-error') === true);
    await screenshot(page, 'editor-read-measurements-invalid-unit-id');
    await unitId.fill('6');
    await unitId.blur();
    await page.waitForFunction(() => document.querySelector('#node-input-unitId')?.classList.contains('input-error') === false);
  });

  /** Hovers a field and waits for the tooltip Node-RED shows for its validation problem. */
  async function tooltipOf(field: string): Promise<string> {
    await page.locator(field).hover();
    const tip = page.locator('.red-ui-popover').filter({ hasText: /\S/ }).last();
    await tip.waitFor();
    const text = (await tip.textContent()) ?? '';
    await page.mouse.move(700, 900);
    await tip.waitFor({ state: 'hidden' });
    return text;
  }

  /**
   * Shows a tab of the connection dialog. Node-RED's tabs take two clicks within 400 ms as a
   * double click (and ignore the second): click again until the tab shows.
   */
  async function showTab(tab: 'link' | 'timing' | 'scan'): Promise<void> {
    const tray = page.locator('.red-ui-tray').last();
    await eventually(
      async () => {
        await tray.locator(`#socomec-connection-tabs a[href="#socomec-connection-tab-${tab}"]`).click();
        return tray.locator(`#socomec-connection-tab-${tab}`).isVisible();
      },
      (shown) => shown,
      `the ${tab} tab shown`,
    );
  }

  const hasError = (field: string): Promise<boolean> => page.locator(field).evaluate((el) => el.classList.contains('input-error'));

  it('the read-measurements dialog checks its unit id list, names the bad entry, and shows the slow rate only when the node polls', async function () {
    await page.locator('#diris-demo-measure').dblclick();
    const tray = page.locator('.red-ui-tray').last();
    const unitIds = tray.locator('#node-input-unitIds');
    await unitIds.waitFor();
    assert.equal(await unitIds.getAttribute('placeholder'), '5-12, 20: one message per meter (blank: the unit id alone)');
    await unitIds.fill('5-300');
    await unitIds.blur();
    await page.waitForFunction(() => document.querySelector('#node-input-unitIds')?.classList.contains('input-error') === true);
    assert.equal(await tooltipOf('#node-input-unitIds'), '5-300: not a unit id 1..247 or a range such as 5-12');
    await unitIds.fill('5-12, 20');
    await unitIds.blur();
    await page.waitForFunction(() => document.querySelector('#node-input-unitIds')?.classList.contains('input-error') === false);

    // The demo's node reads on input (poll 0): no slow rate to set.
    const slowRow = tray.locator('#socomec-read-measurements-slow-list');
    assert.equal(await slowRow.isVisible(), false, 'the slow groups show on a node that does not poll');
    const poll = tray.locator('#node-input-pollSeconds');
    await poll.fill('2');
    await poll.blur();
    await slowRow.waitFor({ state: 'visible' });
    assert.ok(await tray.locator('#node-input-slowSeconds').isVisible());
    // Only the groups the node reads can be slow: untick harmonics, its slow checkbox goes.
    assert.ok(await tray.locator('#socomec-read-measurements-slow-harmonics').isVisible());
    await tray.locator('#socomec-read-measurements-group-harmonics').uncheck();
    await tray.locator('#socomec-read-measurements-slow-harmonics').waitFor({ state: 'hidden' });
    // Slower than the poll interval, or not at all.
    const slowSeconds = tray.locator('#node-input-slowSeconds');
    await slowSeconds.fill('1');
    await slowSeconds.blur();
    await page.waitForFunction(() => document.querySelector('#node-input-slowSeconds')?.classList.contains('input-error') === true);
    assert.equal(await tooltipOf('#node-input-slowSeconds'), 'at least pollSeconds (2)');
    await slowSeconds.fill('60');
    await slowSeconds.blur();
    await page.waitForFunction(() => document.querySelector('#node-input-slowSeconds')?.classList.contains('input-error') === false);
    await screenshot(page, 'editor-read-measurements-many-meters');
  });

  it('ticking Health gives the read-measurements node a second output port after Done, unticking takes it away', async function () {
    const ports = page.locator('#diris-demo-measure .red-ui-flow-port-output');
    assert.equal(await ports.count(), 1);
    for (const [health, expected] of [[true, 2], [false, 1]] as const) {
      await page.locator('#diris-demo-measure').dblclick();
      const tray = page.locator('.red-ui-tray').last();
      await tray.locator('#node-input-health').setChecked(health);
      const done = tray.locator('#node-dialog-ok');
      const closing = await done.elementHandle();
      await done.click();
      await page.waitForFunction((element) => element === null || !element.isConnected, closing);
      await eventually(() => ports.count(), (n) => n === expected, `output ports with health ${String(health)}`);
      const seen = await page.evaluate(() => {
        interface EditorNode { outputs: number; health?: boolean; wires?: unknown }
        interface Def { outputLabels(this: EditorNode, index: number): string }
        const editor = (window as unknown as { RED: { nodes: { node(id: string): EditorNode; getType(type: string): Def } } }).RED;
        const node = editor.nodes.node('diris-demo-measure');
        const def = editor.nodes.getType('socomec-read-measurements');
        return { outputs: node.outputs, health: node.health, labels: [def.outputLabels.call(node, 0), def.outputLabels.call(node, 1)] };
      });
      assert.deepEqual(seen, { outputs: expected, health, labels: ['values', 'health per meter'] });
    }
    // The first output kept its wires through both edits.
    const wired = await page.evaluate(() => {
      const editor = (window as unknown as { RED: { nodes: { filterLinks(filter: object): { sourcePort: number; target: { id: string } }[]; node(id: string): object } } }).RED;
      return editor.nodes.filterLinks({ source: editor.nodes.node('diris-demo-measure') }).map((l) => `${l.sourcePort}->${l.target.id}`).sort();
    });
    assert.deepEqual(wired, ['0->diris-demo-d-measure', '0->diris-demo-view']);
  });

  it('a read-measurements node polling a list is labelled with the list', async function () {
    const labels = await page.evaluate(() => {
      interface Def { label(this: object): string }
      const editor = (window as unknown as { RED: { nodes: { node(id: string): object; getType(type: string): Def } } }).RED;
      const def = editor.nodes.getType('socomec-read-measurements');
      const like = (props: object): object => Object.assign(Object.create(editor.nodes.node('diris-demo-measure')), props);
      return [def.label.call(like({ name: '', unitId: 5, unitIds: '5-12, 20' })), def.label.call(like({ name: '', unitId: 5, unitIds: '' }))];
    });
    assert.deepEqual(labels, ['readings 5-12, 20', 'readings 5']);
  });

  it('the dialogs\' validators say what is wrong, and their choices are the register map\'s', async function () {
    const seen = await page.evaluate(() => {
      interface Def { defaults: Record<string, { validate?: (this: object, v: unknown, opt?: object) => unknown }> }
      const editor = (window as unknown as { RED: { nodes: { getType(type: string): Def } } }).RED;
      const check = (type: string, name: string, node: object, value: unknown): unknown => editor.nodes.getType(type).defaults[name].validate!.call(node, value, {});
      const options = (type: string, name: string): string[] => {
        const template = document.querySelector(`script[data-template-name="${type}"]`)!.textContent ?? '';
        const holder = document.createElement('div');
        holder.innerHTML = template;
        return [...holder.querySelectorAll(`#node-input-${name} option`)].map((o) => (o as HTMLOptionElement).value);
      };
      return {
        unitId: check('socomec-read-measurements', 'unitId', {}, 300),
        unitIdEnv: check('socomec-read-measurements', 'unitId', {}, '${METER_UNIT}'),
        timeout: check('socomec-connection', 'timeoutMs', { transport: 'tcp' }, 0),
        factory: check('socomec-write-settings', 'block', { allowFactoryBlocks: false }, 'factory'),
        models: options('socomec-reset', 'model'),
        tables: options('socomec-read-measurements', 'table'),
        blocks: options('socomec-write-settings', 'block'),
      };
    });
    assert.equal(seen.unitId, 'an integer 1..247');
    assert.equal(seen.unitIdEnv, true);
    assert.equal(seen.timeout, 'an integer 1..600000');
    assert.equal(seen.factory, 'needs the option allowFactoryBlocks');
    assert.deepEqual(seen.models, [...MODEL_CHOICES]);
    assert.deepEqual(seen.tables, [...MEASUREMENT_TABLES]);
    assert.deepEqual(seen.blocks, [...SETTINGS_BLOCKS]);
  });

  it('the connection dialog shows only the chosen transport\'s fields, and its scan lists the simulator\'s meters', async function () {
    await page.locator('#diris-demo-measure').dblclick();
    await page.locator('#node-input-btn-connection-edit').click();
    const tray = page.locator('.red-ui-tray').last();
    const transport = tray.locator('#node-config-input-transport');
    await transport.waitFor();
    assert.equal(await transport.inputValue(), 'tcp');
    assert.ok(await tray.locator('#node-config-input-host').isVisible(), 'tcp: the host field is hidden');
    assert.ok(await tray.locator('#node-config-input-port').isVisible(), 'tcp: the port field is hidden');
    assert.ok(!(await tray.locator('#node-config-input-serialPath').isVisible()), 'tcp: the serial port field shows');
    assert.ok(!(await tray.locator('#node-config-input-baudRate').isVisible()), 'tcp: the baud rate field shows');

    await transport.selectOption('rtu');
    await tray.locator('#node-config-input-serialPath').waitFor({ state: 'visible' });
    assert.ok(await tray.locator('#node-config-input-baudRate').isVisible(), 'rtu: the baud rate field is hidden');
    assert.ok(!(await tray.locator('#node-config-input-host').isVisible()), 'rtu: the host field shows');
    await screenshot(page, 'editor-connection-rtu');
    await docsScreenshot(page, 'editor-connection-rtu');
    await transport.selectOption('tcp');
    await tray.locator('#node-config-input-host').waitFor({ state: 'visible' });
    assert.equal(await tray.locator('#node-config-input-port').inputValue(), String(demo!.modbusPort));

    await tray.locator('#socomec-connection-tabs a[href="#socomec-connection-tab-scan"]').click();
    // Unit ids 4 and 7 are silent on the simulator: the scan must skip them and list 5 and 6.
    await tray.locator('#socomec-connection-scan-units').fill('4-7');
    await tray.locator('#socomec-connection-scan').click();
    const rows = tray.locator('#socomec-connection-scan-result tbody tr');
    await rows.nth(1).waitFor({ timeout: 20_000 });
    const found = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent ?? '')));
    await screenshot(page, 'editor-connection-scan');
    assert.deepEqual(
      found.map((cells) => cells[0]),
      ['5', '6'],
    );
    for (const cells of found) assert.match(cells[1], /^DIRIS A20/, `unit ${cells[0]} shows product "${cells[1]}"`);
  });

  it('the connection\'s meter list is checked, and the scan adds the meters found to it, keeping the names written', async function () {
    await page.locator('#diris-demo-measure').dblclick();
    await page.locator('#node-input-btn-connection-edit').click();
    const tray = page.locator('.red-ui-tray').last();
    const meters = tray.locator('#node-config-input-meters');
    await meters.waitFor();
    assert.equal(await meters.getAttribute('placeholder'), '5=incomer, 6=pv (names by unit id)');
    await meters.fill('5=');
    await meters.blur();
    await eventually(() => hasError('#node-config-input-meters'), (bad) => bad, 'the meter list "5=" marked invalid');
    assert.equal(await tooltipOf('#node-config-input-meters'), '5=: not <unit id 1..247>=<name>');
    // A name the user wrote for unit 5 stays; the scan names the others.
    await meters.fill('5=incomer');
    await meters.blur();
    await eventually(() => hasError('#node-config-input-meters'), (bad) => !bad, 'the meter list "5=incomer" accepted');

    await showTab('scan');
    await tray.locator('#socomec-connection-scan-units').fill('4-7');
    await tray.locator('#socomec-connection-scan').click();
    const fill = tray.locator('#socomec-connection-fill-meters');
    await fill.waitFor({ timeout: 20_000 });
    await fill.click();
    await tray.locator('.socomec-connection-filled', { hasText: '1 meter(s) added to the meter list: save the connection.' }).waitFor();
    assert.equal(await meters.inputValue(), '5=incomer, 6=diris-a-20-6');
    // Again: nothing more to add.
    await fill.click();
    await tray.locator('.socomec-connection-filled', { hasText: 'Every meter found is already in the meter list.' }).waitFor();
    assert.equal(await meters.inputValue(), '5=incomer, 6=diris-a-20-6');
    // From an empty list: every meter found, named after its model and unit id.
    await showTab('link');
    await meters.fill('');
    await showTab('scan');
    await fill.click();
    await tray.locator('.socomec-connection-filled', { hasText: '2 meter(s) added to the meter list: save the connection.' }).waitFor();
    assert.equal(await meters.inputValue(), '5=diris-a-20-5, 6=diris-a-20-6');
    assert.equal(await hasError('#node-config-input-meters'), false);
    await screenshot(page, 'editor-connection-meter-list');
  });

  it('closing the connection dialog stops its scan: the next scan runs at once, not "already running"', async function () {
    await page.locator('#diris-demo-measure').dblclick();
    await page.locator('#node-input-btn-connection-edit').click();
    let tray = page.locator('.red-ui-tray').last();
    await tray.locator('#socomec-connection-tabs a[href="#socomec-connection-tab-scan"]').click();
    // 245 silent unit ids: minutes of scanning, unless closing the dialog stops it.
    await tray.locator('#socomec-connection-scan-units').fill('1-247');
    await tray.locator('#socomec-connection-scan').click();
    await tray.locator('#socomec-connection-scan-result .fa-spinner').waitFor();
    const cancel = tray.locator('#node-config-dialog-cancel');
    const closing = await cancel.elementHandle();
    await cancel.click();
    await page.waitForFunction((element) => element === null || !element.isConnected, closing);

    await page.locator('#node-input-btn-connection-edit').click();
    tray = page.locator('.red-ui-tray').last();
    await tray.locator('#socomec-connection-tabs a[href="#socomec-connection-tab-scan"]').click();
    await tray.locator('#socomec-connection-scan-units').fill('5-6');
    await tray.locator('#socomec-connection-scan').click();
    const result = tray.locator('#socomec-connection-scan-result');
    await result.locator('tbody tr, .socomec-connection-error').first().waitFor({ timeout: 20_000 });
    assert.equal(await result.locator('.socomec-connection-error').count(), 0, `the scan failed: ${await result.textContent()}`);
    assert.equal(await result.locator('tbody tr').count(), 2);
  });

  it('the many-meters example imports valid, its read node with two output ports, and its import undoes cleanly', async function () {
    const example = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'many-meters.json'), 'utf8')) as { id: string; type: string }[];
    const seen = await page.evaluate((nodes) => {
      interface EditorNode { id: string; type: string; name?: string; valid?: boolean; validationErrors?: string[]; outputs?: number; z: string; meters?: string }
      const editor = (window as unknown as {
        RED: {
          view: { importNodes(nodes: unknown, options: object): void; redraw(full?: boolean): void };
          nodes: { node(id: string): EditorNode | null };
          history: { pop(): void };
          workspaces: { show(id: string): void };
        };
      }).RED;
      editor.view.importNodes(nodes, { addFlow: true });
      const problems: string[] = [];
      for (const { id } of nodes as { id: string }[]) {
        const n = editor.nodes.node(id);
        if (n === null) problems.push(`${id} was not imported`);
        else if (n.valid === false) problems.push(`${n.type} "${n.name ?? n.id}": ${(n.validationErrors ?? []).join(', ')}`);
      }
      const read = editor.nodes.node('3a11e7e5c0de0002')!;
      editor.workspaces.show(read.z);
      editor.view.redraw(true);
      return { problems, outputs: read.outputs, meters: editor.nodes.node('socomec-example-line')?.meters };
    }, example);
    assert.deepEqual(seen, { problems: [], outputs: 2, meters: '5=incomer, 6=feeder' });
    await eventually(() => page.locator('#\\33 a11e7e5c0de0002 .red-ui-flow-port-output').count(), (n) => n === 2, 'the read node\'s output ports');

    // Undo the import: the demo keeps its one connection for the tests after this one.
    const left = await page.evaluate(() => {
      const editor = (window as unknown as {
        RED: { history: { pop(): void }; nodes: { node(id: string): { z: string } | null | undefined }; workspaces: { show(id: string): void } };
      }).RED;
      editor.history.pop();
      const measure = editor.nodes.node('diris-demo-measure');
      if (measure) editor.workspaces.show(measure.z);
      return ['3a11e7e5c0de0002', 'socomec-example-line'].filter((id) => editor.nodes.node(id));
    });
    assert.deepEqual(left, [], 'still there after undo');
  });

  it('the MQTT example flows import with every node and config node valid', async function () {
    for (const name of ['mqtt-topics.json', 'mqtt-home-assistant.json']) {
      // The examples' connection is the demo's own (one shared id): import the rest, as "Import copy" does.
      const example = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', name), 'utf8')) as { id: string }[]).filter(
        (n) => n.id !== 'socomec-example-connection',
      );
      const invalid = await page.evaluate((nodes) => {
        interface EditorNode { id: string; type: string; name?: string; valid?: boolean; validationErrors?: string[] }
        const editor = (window as unknown as {
          RED: {
            view: { importNodes(nodes: unknown, options: object): void };
            nodes: { node(id: string): EditorNode | null; eachNode(cb: (n: EditorNode) => void): void };
          };
        }).RED;
        editor.view.importNodes(nodes, { addFlow: true });
        const problems: string[] = [];
        for (const { id } of nodes as { id: string }[]) {
          const n = editor.nodes.node(id);
          if (n === null) problems.push(`${id} was not imported`);
          else if (n.valid === false) problems.push(`${n.type} "${n.name ?? n.id}": ${(n.validationErrors ?? []).join(', ')}`);
        }
        return problems;
      }, example);
      assert.deepEqual(invalid, [], name);
    }
    // Back to the demo's tab for the tests after this one.
    await page.evaluate(() => {
      const editor = (window as unknown as { RED: { nodes: { node(id: string): { z: string } | null }; workspaces: { show(id: string): void } } }).RED;
      const measure = editor.nodes.node('diris-demo-measure');
      if (measure) editor.workspaces.show(measure.z);
    });
  });

  it('importing examples into the demo adds no second connection: they share the demo\'s (kept last: it adds tabs)', async function () {
    await page.locator('#diris-demo-measure').waitFor();
    const result = await page.evaluate(async () => {
      interface EditorNode { id: string; type: string; host?: string; port?: number | string }
      const editor = (window as unknown as {
        RED: {
          nodes: { eachConfig(cb: (n: EditorNode) => void): void };
          view: { importNodes(nodes: unknown[], options: { generateIds: boolean; addFlow: boolean }): void };
        };
      }).RED;
      const connections = (): EditorNode[] => {
        const found: EditorNode[] = [];
        editor.nodes.eachConfig((n) => {
          if (n.type === 'socomec-connection') found.push(n);
        });
        return found;
      };
      const before = connections().map((n) => `${n.id} ${String(n.host)}:${String(n.port)}`);
      const conflicts: string[] = [];
      for (const name of ['read-measurements', 'write-settings']) {
        const response = await fetch(`library/examples/flows/@diris-tools/node-red-socomec/${name}`);
        const flow = (await response.json()) as unknown[];
        // What Import does first: it finds the connection already there and asks (Node-RED's import conflict notice) ...
        try {
          editor.view.importNodes(flow, { generateIds: false, addFlow: true });
        } catch (err) {
          conflicts.push(`${name}: ${(err as { code?: string }).code ?? String(err)}`);
        }
        // ... and its "Import copy" button imports with new ids, reusing a global config node with the same id.
        editor.view.importNodes(flow, { generateIds: true, addFlow: true });
      }
      return { before, after: connections().map((n) => `${n.id} ${String(n.host)}:${String(n.port)}`), conflicts };
    });
    assert.deepEqual(result.before, [`socomec-example-connection 127.0.0.1:${demo!.modbusPort}`]);
    assert.deepEqual(result.conflicts, ['read-measurements: import_conflict', 'write-settings: import_conflict']);
    assert.deepEqual(result.after, result.before, 'the examples use the demo\'s connection, pointed at the running simulator');
  });

  it('after a deploy, the connection\'s counters show the line load and each polling node\'s meters by name (kept at the end: it deploys)', async function () {
    // The many-meters example, pointed at the demo's simulator, its read node unnamed (labelled by its list), deployed as a user does.
    const example = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'many-meters.json'), 'utf8')) as { id: string; type: string }[]).map((n) =>
      n.type === 'socomec-connection' ? { ...n, port: demo!.modbusPort } : n.type === 'socomec-read-measurements' ? { ...n, name: '' } : n,
    );
    await page.evaluate((nodes) => {
      const editor = (window as unknown as { RED: { view: { importNodes(nodes: unknown, options: object): void }; nodes: { dirty(dirty: boolean): void } } }).RED;
      editor.view.importNodes(nodes, { addFlow: true });
      // As the Import dialog leaves it: something to deploy.
      editor.nodes.dirty(true);
    }, example);
    await page.locator('#red-ui-header-button-deploy').click();
    await page.locator('.red-ui-notification', { hasText: 'Successfully deployed' }).waitFor();

    // The imported nodes come selected: click the empty canvas first, then open the read node.
    await page.locator('#red-ui-workspace-chart').click({ position: { x: 600, y: 600 } });
    await page.locator('#\\33 a11e7e5c0de0002').dblclick();
    await page.locator('#node-input-btn-connection-edit').click();
    const tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-config-input-meters').waitFor();
    await showTab('scan');
    // Its first polls come within one interval (2 s) of the deploy.
    const rows = await eventually(
      async () => {
        await tray.locator('#socomec-connection-stats-refresh').click();
        await tray.locator('#socomec-connection-stats table').first().waitFor();
        return tray.locator('.socomec-connection-poller[data-node="3a11e7e5c0de0002"] tbody tr').evaluateAll((trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
        );
      },
      (found) => found.length === 2 && found.every((cells) => Number(cells[2]) > 0),
      'the polling node\'s meters with reads',
    );
    await screenshot(page, 'editor-connection-line-counters');
    assert.deepEqual(rows.map((cells) => cells.slice(0, 2)), [['5', 'incomer'], ['6', 'feeder']]);
    for (const cells of rows) {
      assert.deepEqual(cells.slice(3, 5), ['0', '0'], `unit ${cells[0]}: errors and timeouts`);
      assert.match(cells[5], /\d:\d\d:\d\d/, `unit ${cells[0]}: last success`);
      assert.match(cells[6], /^\d+$/, `unit ${cells[0]}: latency ms`);
    }
    assert.match((await tray.locator('.socomec-connection-poller[data-node="3a11e7e5c0de0002"] > div').first().textContent()) ?? '', /^readings 5-6: every 2 s, \d+ % of the line's time$/);
    assert.match((await tray.locator('tr.socomec-connection-line td').textContent()) ?? '', /^\d+ % of the line's time$/);
  });

  it('polls that ask more than the line carries: the node\'s status and the counters say the line is over budget (after the deploy above)', async function () {
    // A slow line: 150 ms of silence before each request, two meters polled every 0.2 s.
    await page.locator('#\\33 a11e7e5c0de0002').dblclick();
    let tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-input-pollSeconds').fill('0.2');
    await page.locator('#node-input-btn-connection-edit').click();
    tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-config-input-meters').waitFor();
    await showTab('timing');
    await tray.locator('#node-config-input-interRequestDelayMs').fill('150');
    for (const button of ['#node-config-dialog-ok', '#node-dialog-ok']) {
      const done = page.locator('.red-ui-tray').last().locator(button);
      const closing = await done.elementHandle();
      await done.click();
      await page.waitForFunction((element) => element === null || !element.isConnected, closing);
    }
    await page.locator('#red-ui-header-button-deploy').click();
    await page.locator('.red-ui-notification', { hasText: 'Successfully deployed' }).last().waitFor();
    await page.locator('#\\33 a11e7e5c0de0002 .red-ui-flow-node-status-label', { hasText: /^line over budget: every \d+(\.\d+)? s$/ }).waitFor({ timeout: 20_000 });

    await page.locator('#\\33 a11e7e5c0de0002').dblclick();
    await page.locator('#node-input-btn-connection-edit').click();
    tray = page.locator('.red-ui-tray').last();
    await tray.locator('#node-config-input-meters').waitFor();
    await showTab('scan');
    const load = tray.locator('tr.socomec-connection-line');
    await load.waitFor();
    assert.match((await load.locator('td').textContent()) ?? '', /^\d+ % of the line's time: over budget, the polls fall behind; intervals × \d+\.\d would fit$/);
    assert.ok(await load.evaluate((row) => row.classList.contains('socomec-connection-error')), 'the over-budget line load is not marked');
    await screenshot(page, 'editor-connection-line-over-budget');
  });
});
