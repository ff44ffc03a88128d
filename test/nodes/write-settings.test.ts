import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NodeMessage } from 'node-red';
import writeSettings from '../../src/nodes/socomec-write-settings';
import { decodeField } from '../../src/codec';
import { settingsFieldList } from '../../src/device';
import { scaleByQuantity } from '../../src/device/quantity-scale';
import { getBlock, getField, visibleFields } from '../../src/registers';
import { SETTING_DEFAULTS, startSimulator, type DirisMeter, type Simulator } from '../../src/simulator';
import {
  CONNECTION_ID,
  FLOW_ID,
  ManualClock,
  at,
  catchAll,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  nextMessage,
  nextStatus,
  startTestSimulator,
  type FlowNode,
  type NodeInitializer,
  type TestSimulator,
  exampleFlow,
  injectNode,
} from '../helpers/node-red';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const writeNode = writeSettings as unknown as NodeInitializer;
const NODES = [connectionNode, writeNode];
const PACKAGE_ROOT = resolve(__dirname, '../../..');

function writeNodeDef(overrides: Record<string, unknown> = {}, id = 'write'): FlowNode {
  return {
    id,
    type: 'socomec-write-settings',
    z: FLOW_ID,
    name: '',
    connection: CONNECTION_ID,
    unitId: 5,
    topic: '',
    block: 'applicationSettings',
    allowFactoryBlocks: false,
    store: true,
    dryRun: false,
    wires: [['out']],
    ...at(),
    ...overrides,
  };
}

function flow(sim: { port: number }, ...nodes: FlowNode[]): FlowNode[] {
  return [flowTab(), connectionConfig(sim), ...nodes, helperNode('out'), ...catchAll()];
}

/** The settings of a block as the simulated meter holds them, decoded from its own register image. */
function meterSettings(meter: DirisMeter, blockId = 'applicationSettings'): Record<string, unknown> {
  const raw = Object.fromEntries(visibleFields(getBlock(blockId)).map((f) => [f.key, decodeField(f, meter.peek(f.address, f.words))]));
  // Alarm thresholds are given in the unit of the alarm type's quantity.
  return scaleByQuantity(getBlock(blockId).fields, raw, {}).payload;
}

/** Every word of a block, reserved ones included: what "nothing was written" is checked against. */
function blockImage(meter: DirisMeter, blockId: string): number[] {
  const block = getBlock(blockId);
  return meter.peek(block.start, block.size);
}

function caughtError(msg: NodeMessage): { message: string; source: { id: string } } {
  return msg.error as { message: string; source: { id: string } };
}

describe('socomec-write-settings in the Node-RED runtime', function () {
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('returns the current settings, equal to the meter\'s, for an absent, empty or {} payload', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const meter = sim.meters.get(5)!;
    const requestsBefore = sim.server.stats.requests;
    for (const payload of [undefined, '', {}]) {
      const output = nextMessage('out');
      const before = Date.now();
      inject('write', { payload, site: 'plant 2' });
      const msg = await output;
      assert.deepEqual(msg.payload, meterSettings(meter), `payload ${JSON.stringify(payload)}`);
      assert.deepEqual(msg.changed, {});
      assert.equal((msg.units as Record<string, string>).ctPrimary, 'A');
      assert.equal((msg.units as Record<string, string>).pulseOutputDuration, 'ms');
      assert.equal(msg.unitId, 5);
      assert.equal(msg.topic, 'diris/5');
      assert.ok(typeof msg.timestamp === 'number' && msg.timestamp >= before && msg.timestamp <= Date.now());
      assert.equal(msg.site, 'plant 2', 'the incoming msg\'s other properties are kept');
    }
    // One read per message, and nothing written.
    assert.equal(sim.server.stats.requests - requestsBefore, 3);
    assert.equal(meter.hasPendingSettings(), false);
  });

  it('writes a valid payload (enum names, values in their unit), stores it, reads it back and reports what changed', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef({ topic: 'site/settings' })));
    const meter = sim.meters.get(5)!;
    const before = meterSettings(meter);
    const imageBefore = blockImage(meter, 'applicationSettings');
    const requestsBefore = sim.server.stats.requests;
    const status = nextStatus('write', (s) => s.fill === 'green' && /changed/.test(s.text ?? ''));
    const output = nextMessage('out');
    // Three contiguous registers (36352..36354) and one further on.
    inject('write', { payload: { networkType: '3NBL', ctSecondary: 1, ctPrimary: 250, pulseOutputDuration: 300 } });
    const msg = await output;

    // The meter holds the new values, in its own coding: enum 3, 1 A, 250 A, 3 x 100 ms.
    assert.equal(meter.setting('networkType'), 3);
    assert.equal(meter.setting('ctSecondary'), 1);
    assert.equal(meter.setting('ctPrimary'), 250);
    assert.equal(meter.setting('pulseOutputDuration'), 3);
    assert.deepEqual(meter.peek(36352, 3), [3, 1, 250]);
    // Nothing else in the block moved.
    const imageAfter = blockImage(meter, 'applicationSettings');
    const touched = new Set([36352, 36353, 36354, 36360]);
    imageAfter.forEach((word, i) => {
      if (!touched.has(36352 + i)) assert.equal(word, imageBefore[i], `register ${36352 + i} unchanged`);
    });

    assert.deepEqual(msg.changed, {
      networkType: { from: before.networkType, to: '3NBL' },
      ctSecondary: { from: before.ctSecondary, to: 1 },
      ctPrimary: { from: before.ctPrimary, to: 250 },
      pulseOutputDuration: { from: before.pulseOutputDuration, to: 300 },
    });
    // The payload is the read-back, and it is what the meter holds.
    assert.deepEqual(msg.payload, meterSettings(meter));
    assert.equal(msg.dryRun, false);
    assert.equal(msg.topic, 'site/settings');
    // Stored: nothing pending, and a restart (which drops unstored values) keeps them.
    assert.equal(meter.hasPendingSettings(), false);
    meter.writeRegisters(57856, [0xb2], 6);
    assert.equal(meter.setting('ctPrimary'), 250);
    // Read before, two write runs (36352..36354 together, then 36360), store, read back.
    assert.equal(sim.server.stats.requests - requestsBefore, 5);
    assert.equal((msg.diagnostics as { writes: number }).writes, 3);
    assert.match((await status).text ?? '', /^4 changed /);
  });

  it('alarm thresholds are given and returned in the unit of the alarm type\'s quantity (30 A, not 30000), the raw count on the meter', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const meter = sim.meters.get(5)!;
    let output = nextMessage('out');
    inject('write', { payload: { alarmType: 'I', alarmUpperThreshold: 30, alarmLowerThreshold: 0.5 } });
    let msg = await output;
    // Currents count in mA on the meter.
    assert.equal(meter.setting('alarmUpperThreshold'), 30000);
    assert.equal(meter.setting('alarmLowerThreshold'), 500);
    assert.equal((msg.payload as Record<string, unknown>).alarmUpperThreshold, 30);
    assert.equal((msg.units as Record<string, string>).alarmUpperThreshold, 'A');
    assert.deepEqual((msg.changed as Record<string, unknown>).alarmUpperThreshold, { from: 65.535, to: 30 });

    // Without alarmType in the payload, the meter's alarm type (I) gives the unit.
    output = nextMessage('out');
    inject('write', { payload: { alarmUpperThreshold: 32.5 } });
    msg = await output;
    assert.equal(meter.setting('alarmUpperThreshold'), 32500);
    assert.deepEqual(msg.changed, { alarmUpperThreshold: { from: 30, to: 32.5 } });

    // Phase-to-phase voltage counts in 0.01 V; active power in 10 W.
    output = nextMessage('out');
    inject('write', { payload: { alarmType: 'U', alarmUpperThreshold: 440.5 } });
    msg = await output;
    assert.equal(meter.setting('alarmUpperThreshold'), 44050);
    assert.equal((msg.units as Record<string, string>).alarmUpperThreshold, 'V');
    output = nextMessage('out');
    inject('write', { payload: { alarmType: 'P+', alarmUpperThreshold: 200000 } });
    msg = await output;
    assert.equal(meter.setting('alarmUpperThreshold'), 20000);
    assert.equal((msg.payload as Record<string, unknown>).alarmUpperThreshold, 200000);
    assert.equal((msg.units as Record<string, string>).alarmUpperThreshold, 'W');
  });

  it('refuses a threshold beyond what the register holds in the quantity\'s unit, naming the range, and writes nothing', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const meter = sim.meters.get(5)!;
    const imageBefore = blockImage(meter, 'applicationSettings');
    const caught = nextMessage('caught');
    inject('write', { payload: { alarmType: 'I', alarmUpperThreshold: 70, alarmLowerThreshold: 1.0005 } });
    const error = caughtError(await caught);
    assert.match(error.message, /alarmUpperThreshold: 70 A is out of range 0\.\.65\.535 A/);
    assert.match(error.message, /alarmLowerThreshold: 1\.0005 is not a multiple of 0\.001 A/);
    assert.deepEqual(blockImage(meter, 'applicationSettings'), imageBefore);

    // A threshold alone needs the meter's alarm type, but a bad key elsewhere is refused before anything is sent.
    const requestsBefore = sim.server.stats.requests;
    const second = nextMessage('caught');
    inject('write', { payload: { alarmUpperThreshold: 30, bogus: 1 } });
    assert.match(caughtError(await second).message, /unknown setting "bogus"/);
    assert.equal(sim.server.stats.requests, requestsBefore, 'nothing was sent to the meter');
  });

  it('without "store" the values are active but not stored, and a restart drops them', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef({ store: false })));
    const meter = sim.meters.get(5)!;
    const output = nextMessage('out');
    inject('write', { payload: { ctPrimary: 400 } });
    const msg = await output;
    assert.deepEqual(msg.changed, { ctPrimary: { from: SETTING_DEFAULTS.ctPrimary, to: 400 } });
    assert.equal(meter.setting('ctPrimary'), 400);
    assert.equal(meter.hasPendingSettings(), true, 'no store command was sent');
    meter.writeRegisters(57856, [0xb2], 6);
    assert.equal(meter.setting('ctPrimary'), SETTING_DEFAULTS.ctPrimary);
  });

  it('settings that already have the given values are not written, and nothing is stored', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const meter = sim.meters.get(5)!;
    const current = meterSettings(meter);
    const requestsBefore = sim.server.stats.requests;
    const output = nextMessage('out');
    inject('write', { payload: { networkType: current.networkType, ctPrimary: current.ctPrimary } });
    const msg = await output;
    assert.deepEqual(msg.changed, {});
    assert.equal((msg.diagnostics as { writes: number }).writes, 0);
    // One read to compare with, nothing else.
    assert.equal(sim.server.stats.requests - requestsBefore, 1);
    assert.deepEqual(msg.payload, current);
  });

  it('a dry run (msg.dryRun or the node option) reports the diff and writes nothing', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef(), writeNodeDef({ dryRun: true, wires: [['outDry']] }, 'dry'), helperNode('outDry')));
    const meter = sim.meters.get(5)!;
    const imageBefore = blockImage(meter, 'applicationSettings');
    const settingsBefore = meterSettings(meter);
    const payload = { ctPrimary: 250, alarmType: 'thdI', relayState: 'normallyClosed' };
    const expectedChanges = {
      ctPrimary: { from: settingsBefore.ctPrimary, to: 250 },
      alarmType: { from: settingsBefore.alarmType, to: 'thdI' },
      relayState: { from: settingsBefore.relayState, to: 'normallyClosed' },
    };

    let output = nextMessage('out');
    inject('write', { payload, dryRun: true });
    let msg = await output;
    assert.deepEqual(msg.changed, expectedChanges);
    assert.equal(msg.dryRun, true);
    assert.deepEqual(msg.payload, settingsBefore, 'the settings as they are, since nothing was written');

    output = nextMessage('outDry');
    inject('dry', { payload });
    msg = await output;
    assert.deepEqual(msg.changed, expectedChanges);
    assert.equal(msg.dryRun, true);

    assert.deepEqual(blockImage(meter, 'applicationSettings'), imageBefore);
    assert.equal(meter.hasPendingSettings(), false);

    // msg.dryRun false overrides the node option.
    output = nextMessage('outDry');
    inject('dry', { payload: { ctPrimary: 250 }, dryRun: false });
    msg = await output;
    assert.equal(msg.dryRun, false);
    assert.equal(meter.setting('ctPrimary'), 250);
  });

  it('refuses a payload with several problems as a whole: one error listing every problem, nothing sent', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const meter = sim.meters.get(5)!;
    const imageBefore = blockImage(meter, 'applicationSettings');
    const requestsBefore = sim.server.stats.requests;
    const red = nextStatus('write', (s) => s.text === 'bad input');
    let caught = nextMessage('caught');
    const payload = {
      ctPrimary: 20000, // out of range
      networkType: '5NBL', // unknown enum name
      ctSecondary: '5', // wrong type
      bogus: 1, // unknown key
      reserved36355: 7, // reserved word
      alarmHysteresis: 50, // valid: must not be written either
    };
    inject('write', { payload, tag: 'kept' });
    let msg = await caught;
    const error = caughtError(msg);
    assert.equal(error.source.id, 'write');
    assert.equal(msg.tag, 'kept', 'the Catch node gets the incoming msg');
    assert.match(error.message, new RegExp(`meter 5 on tcp 127\\.0\\.0\\.1:${sim.port}: `));
    assert.match(error.message, /applicationSettings/);
    assert.match(error.message, /nothing written/);
    assert.match(error.message, /ctPrimary: 20000 A is out of range 1\.\.10000 A/);
    assert.match(error.message, /networkType: string "5NBL" is not one of .*"4NBL"/);
    assert.match(error.message, /ctSecondary: expected a number, got string "5"/);
    assert.match(error.message, /unknown setting "bogus"/);
    assert.match(error.message, /"reserved36355" is a reserved word/);
    assert.doesNotMatch(error.message, /alarmHysteresis:/, "the valid setting is no problem");
    assert.deepEqual(await red, { fill: 'red', shape: 'dot', text: 'bad input' });

    // The next caught error belongs to the next message: the first payload made exactly one.
    caught = nextMessage('caught');
    inject('write', { payload: { alarmDelay: 0 }, tag: 'second' });
    msg = await caught;
    assert.equal(msg.tag, 'second');
    assert.match(caughtError(msg).message, /alarmDelay: 0 s is out of range 1\.\.999 s/);

    assert.deepEqual(blockImage(meter, 'applicationSettings'), imageBefore);
    assert.equal(sim.server.stats.requests, requestsBefore, 'nothing was sent to the meter');
  });

  it('refuses a payload that is not an object of settings, and a bad msg.dryRun', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const requestsBefore = sim.server.stats.requests;
    let caught = nextMessage('caught');
    inject('write', { payload: [1, 2] });
    assert.match(caughtError(await caught).message, /settings must be an object of \{ key: value \}, got an array/);
    caught = nextMessage('caught');
    inject('write', { payload: { ctPrimary: 250 }, dryRun: 'yes' });
    assert.match(caughtError(await caught).message, /msg\.dryRun must be true or false, got "yes"/);
    assert.equal(sim.server.stats.requests, requestsBefore);
    assert.equal(sim.meters.get(5)!.setting('ctPrimary'), SETTING_DEFAULTS.ctPrimary);
  });

  it('refuses the factory block unless the factory option is on, sending nothing', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef({ block: 'factory', allowFactoryBlocks: false })));
    const meter = sim.meters.get(5)!;
    const factoryBefore = blockImage(meter, 'factory');
    const requestsBefore = sim.server.stats.requests;
    const caught = nextMessage('caught');
    inject('write', { payload: { keyTests: 1 } });
    const message = caughtError(await caught).message;
    assert.match(message, /factory\/calibration data/);
    assert.match(message, /Allow factory and calibration blocks \(dangerous\)/);
    assert.deepEqual(blockImage(meter, 'factory'), factoryBefore);
    assert.equal(sim.server.stats.requests, requestsBefore);
  });

  it('with the factory option on, writes the industrialization block', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef({ block: 'industrialization', allowFactoryBlocks: true })));
    const meter = sim.meters.get(5)!;
    const field = getField('industrialization', 'calibrationCurrent');
    const before = decodeField(field, meter.peek(field.address, field.words)) as number;
    const output = nextMessage('out');
    inject('write', { payload: { calibrationCurrent: before + 1234 } });
    const msg = await output;
    assert.deepEqual(msg.changed, { calibrationCurrent: { from: before, to: before + 1234 } });
    assert.equal(decodeField(field, meter.peek(field.address, field.words)), before + 1234);
  });

  it('writes the common (57344) and legacy (512) blocks when chosen, each with its own allowed values', async function () {
    await helper.load(
      NODES,
      flow(sim, writeNodeDef({ block: 'commonSettings' }), writeNodeDef({ block: 'legacySettings', wires: [['outLegacy']] }, 'legacy'), helperNode('outLegacy')),
    );
    const meter = sim.meters.get(5)!;
    const output = nextMessage('out');
    inject('write', { payload: { ctPrimary: 600 } });
    const msg = await output;
    assert.deepEqual(msg.payload, meterSettings(meter, 'commonSettings'));
    assert.deepEqual(meter.peek(getField('commonSettings', 'ctPrimary').address, 1), [600]);

    // The legacy block lists network types 0..5 only: 2NBL is refused there.
    const requestsBefore = sim.server.stats.requests;
    const caught = nextMessage('caught');
    inject('legacy', { payload: { networkType: '2NBL' } });
    const error = caughtError(await caught);
    assert.equal(error.source.id, 'legacy');
    assert.match(error.message, /legacySettings/);
    assert.match(error.message, /networkType: string "2NBL" is not one of/);
    assert.equal(sim.server.stats.requests, requestsBefore);
  });

  it('writes the meter msg.unitId names, and no other', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const output = nextMessage('out');
    inject('write', { unitId: 6, payload: { alarmDelay: 30 } });
    const msg = await output;
    assert.equal(msg.unitId, 6);
    assert.equal(msg.topic, 'diris/6');
    assert.equal(sim.meters.get(6)!.setting('alarmDelay'), 30);
    assert.equal(sim.meters.get(5)!.setting('alarmDelay'), SETTING_DEFAULTS.alarmDelay);
  });

  it('a meter refusing the second request of a write: the first is written back, and the Catch node hears what was restored', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const meter = sim.meters.get(5)!;
    const before = blockImage(meter, 'applicationSettings');
    sim.server.faults.refuseWrite = { nth: 2, code: 4 };
    const caught = nextMessage('caught');
    inject('write', { payload: { networkType: '4BL', syncCurrentAvgMax: '5min' } });
    const message = caughtError(await caught).message;
    assert.match(message, new RegExp(`^meter 5 on tcp 127\\.0\\.0\\.1:${sim.port}: writing syncCurrentAvgMax \\(applicationSettings \\(36352\\)\\) failed: .*exception 4`));
    assert.match(message, /restored networkType = "4NBL"; the meter's settings are as before$/);
    assert.deepEqual(blockImage(meter, 'applicationSettings'), before);

    // And when writing back fails too, the error names what the meter holds now.
    sim.server.faults.refuseWrite = { nth: 2, code: 4, count: 2 };
    const caughtAgain = nextMessage('caught');
    inject('write', { payload: { networkType: '4BL', syncCurrentAvgMax: '5min' } });
    assert.match(caughtError(await caughtAgain).message, /restoring failed: now changed on the meter \(not stored\): networkType = "4BL" \(was "4NBL"\)$/);
    assert.equal(meterSettings(meter).networkType, '4BL');
  });

  it('a meter that does not answer: an error naming the meter and the block, yellow status', async function () {
    sim.server.faults.silentUnits.add(5);
    await helper.load(NODES, flow(sim, writeNodeDef()));
    const yellow = nextStatus('write', (s) => s.text === 'no answer');
    const caught = nextMessage('caught');
    inject('write', { payload: { ctPrimary: 250 } });
    const message = caughtError(await caught).message;
    assert.match(message, new RegExp(`meter 5 on tcp 127\\.0\\.0\\.1:${sim.port}: .*applicationSettings`));
    assert.match(message, /no answer/);
    assert.deepEqual(await yellow, { fill: 'yellow', shape: 'ring', text: 'no answer' });
  });
});

describe('socomec-write-settings editor and help', function () {
  let sim: TestSimulator;

  before(async function () {
    sim = await startTestSimulator();
    await helper.startServer();
  });

  after(async function () {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  it('serves each settings block\'s fields, with their allowed values, from the register map', async function () {
    await helper.load(NODES, flow(sim, writeNodeDef()));
    for (const block of ['applicationSettings', 'commonSettings', 'legacySettings', 'industrialization', 'factory'] as const) {
      const res = await helper.request().get(`/socomec-write-settings/fields/${block}`).expect(200);
      assert.deepEqual(res.body, JSON.parse(JSON.stringify(settingsFieldList(block))), block);
    }
    const app = (await helper.request().get('/socomec-write-settings/fields/applicationSettings')).body as { key: string; enumValues?: Record<string, string> }[];
    assert.deepEqual(Object.values(app.find((f) => f.key === 'networkType')!.enumValues!), ['1BL', '2BL', '3BL', '3NBL', '4BL', '4NBL', '2NBL']);
    await helper.request().get('/socomec-write-settings/fields/instantaneous').expect(404);
  });

  it('the help text lists every setting of the application and common blocks with its allowed values', function () {
    const help = readFileSync(resolve(PACKAGE_ROOT, 'nodes/locales/en-US/socomec-write-settings.html'), 'utf8');
    for (const blockId of ['applicationSettings', 'commonSettings'] as const) {
      const section = help.split(new RegExp(`<h4>[^<]*\\(${getBlock(blockId).start}\\)</h4>`))[1]?.split('</table>')[0];
      assert.ok(section, `a table for ${blockId}`);
      for (const field of settingsFieldList(blockId).filter((f) => f.writable)) {
        const row = section.split('<tr>').find((r) => r.includes(`<code>${field.key}</code>`));
        assert.ok(row, `${blockId}.${field.key} is listed`);
        for (const name of Object.values(field.enumValues ?? {})) assert.ok(row.includes(name), `${field.key} lists ${name}`);
        for (const value of field.allowedValues ?? []) assert.ok(row.includes(String(value)), `${field.key} lists ${value}`);
        const scale = field.scale ?? 1;
        if (field.min !== undefined && field.max !== undefined && !field.allowedValues) {
          assert.ok(row.includes(`${field.min * scale} … ${field.max * scale}`), `${field.key} gives its range`);
        }
      }
    }
  });
});

describe('socomec-write-settings over Modbus RTU (socat pty pair)', function () {
  let pty: PtyPair;
  let sim: Simulator;

  before(async function () {
    pty = await openPtyPair();
    sim = await startSimulator({ transport: 'rtu', path: pty.a, baudRate: 19200, unitIds: [5], seed: 11, clock: new ManualClock().now });
  });

  after(async function () {
    await helper.unload();
    await sim.close();
    await pty.close();
  });

  it('writes, stores and reads back through the serial line', async function () {
    const connection = connectionConfig(0, { transport: 'rtu', serialPath: pty.b, baudRate: 19200, timeoutMs: 1000 });
    await helper.load(NODES, [flowTab(), connection, writeNodeDef(), helperNode('out'), ...catchAll()]);
    const meter = sim.meters.get(5)!;
    const output = nextMessage('out');
    inject('write', { payload: { ctPrimary: 150, syncCurrentAvgMax: '10min' } });
    const msg = await output;
    assert.deepEqual(msg.changed, {
      ctPrimary: { from: SETTING_DEFAULTS.ctPrimary, to: 150 },
      syncCurrentAvgMax: { from: '15min', to: '10min' },
    });
    assert.equal(meter.setting('ctPrimary'), 150);
    assert.equal(meter.setting('syncCurrentAvgMax'), 10);
    assert.equal(meter.hasPendingSettings(), false);
    assert.deepEqual(msg.payload, meterSettings(meter));
    assert.match((msg.diagnostics as { link: string }).link, /^rtu \S+ 19200 8N1$/);
  });
});

describe('examples/write-settings.json', function () {
  let sim: TestSimulator;

  before(async function () {
    sim = await startTestSimulator({ unitIds: [5] });
  });

  after(async function () {
    await helper.unload();
    await sim.close();
  });

  it('loads in the runtime and runs against the simulator: read, dry run, write, refusal, restore', async function () {
    const { example, flow: flowNodes } = exampleFlow('write-settings.json', sim);
    await helper.load([connectionNode, writeNode, injectNode], flowNodes);
    const meter = sim.meters.get(5)!;
    const settings = example.find((n) => n.type === 'socomec-write-settings')!;
    const debugOf = (wiredFrom: FlowNode): string => wiredFrom.wires![0][0];
    const injectNamed = (name: string): string => example.find((n) => n.type === 'inject' && n.name === name)!.id;
    const catchNode = example.find((n) => n.type === 'catch')!;

    let output = nextMessage(debugOf(settings));
    inject(injectNamed('read settings'));
    assert.deepEqual((await output).payload, meterSettings(meter));

    output = nextMessage(debugOf(settings));
    inject(injectNamed('dry run ctPrimary 250'));
    let msg = await output;
    assert.equal(msg.dryRun, true);
    assert.deepEqual(msg.changed, { ctPrimary: { from: 100, to: 250 } });
    assert.equal(meter.setting('ctPrimary'), 100);

    output = nextMessage(debugOf(settings));
    inject(injectNamed('write ctPrimary 250'));
    msg = await output;
    assert.deepEqual(msg.changed, { ctPrimary: { from: 100, to: 250 } });
    assert.equal(meter.setting('ctPrimary'), 250);

    const refused = nextMessage(debugOf(catchNode));
    inject(injectNamed('refused payload'));
    const message = caughtError(await refused).message;
    assert.match(message, /ctPrimary: 20000 A is out of range/);
    assert.match(message, /"5NBL"/);
    assert.match(message, /unknown setting "ctRatio"/);
    assert.equal(meter.setting('ctPrimary'), 250);

    output = nextMessage(debugOf(settings));
    inject(injectNamed('back to ctPrimary 100'));
    await output;
    assert.equal(meter.setting('ctPrimary'), 100);
  });
});
