import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import { decodeField } from '../../src/codec';
import { measurementFieldList, type MeasurementGroup, type MeasurementTable } from '../../src/device';
import { getField } from '../../src/registers';
import { startSimulator, type DirisMeter } from '../../src/simulator';
import {
  ManualClock,
  catchAll,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  nextMessage,
  nextMessages,
  nextStatus,
  readMeasurementsDef,
  resourceBaseline,
  resourcesBackTo,
  startTestSimulator,
  type FlowNode,
  type NodeInitializer,
  type TestSimulator,
} from '../helpers/node-red';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const readNode = readMeasurements as unknown as NodeInitializer;
const NODES = [connectionNode, readNode];

const readNodeDef = readMeasurementsDef;

function flow(sim: { port: number }, ...nodes: FlowNode[]): FlowNode[] {
  return [flowTab(), connectionConfig(sim), ...nodes, helperNode('out'), ...catchAll()];
}

/** Where each key of a table and groups lives in the map. */
function fieldsOf(table: MeasurementTable, groups: readonly MeasurementGroup[]): Map<string, { blockId: string; address: number }> {
  const fields = new Map<string, { blockId: string; address: number }>();
  for (const f of measurementFieldList(table, groups)) if (!fields.has(f.key)) fields.set(f.key, f);
  return fields;
}

/** What the simulated meter holds for a key right now, decoded from its own register image. */
function simulatorValue(meter: DirisMeter, blockId: string, key: string): unknown {
  const field = getField(blockId, key);
  return decodeField(field, meter.peek(field.address, field.words));
}

/** Every payload value equals the meter's register image, decoded; units come from the map. */
function assertMatchesMeter(msg: NodeMessage, meter: DirisMeter, fields: Map<string, { blockId: string; address: number }>): void {
  const payload = msg.payload as Record<string, unknown>;
  const units = msg.units as Record<string, string>;
  assert.deepEqual(Object.keys(payload).sort(), [...fields.keys()].sort());
  for (const [key, where] of fields) {
    assert.deepEqual(payload[key], simulatorValue(meter, where.blockId, key), `value of ${key}`);
    assert.equal(units[key], getField(where.blockId, key).unit, `unit of ${key}`);
  }
}

describe('socomec-read-measurements in the Node-RED runtime', function () {
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('outputs the meter\'s instantaneous values and energies by name, scaled, with units, unit id, topic and timestamp', async function () {
    await helper.load(NODES, flow(sim, readNodeDef()));
    const meter = sim.meters.get(5)!;
    const before = Date.now();
    const output = nextMessage('out');
    inject('read', { payload: 'go', site: 'plant 2' });
    const msg = await output;

    assertMatchesMeter(msg, meter, fieldsOf('standard', ['instantaneous', 'energies']));
    const payload = msg.payload as Record<string, number>;
    const units = msg.units as Record<string, string>;
    // The model's physical values, within each register's resolution.
    const physical = meter.measurements();
    const resolution: Record<string, number> = { V1: 0.01, U12: 0.01, F: 0.01, I1: 0.001, P: 10, PF: 0.001 };
    for (const [key, step] of Object.entries(resolution)) {
      const value = physical[key as keyof typeof physical];
      assert.ok(Math.abs(payload[key] - value) <= step, `${key}: read ${payload[key]}, meter has ${value} (resolution ${step})`);
    }
    assert.deepEqual(
      { V1: units.V1, I1: units.I1, F: units.F, P: units.P, Q: units.Q, S: units.S, EaPos: units.EaPos, ErPos: units.ErPos },
      { V1: 'V', I1: 'A', F: 'Hz', P: 'W', Q: 'var', S: 'VA', EaPos: 'kWh', ErPos: 'kvarh' },
    );
    assert.equal(msg.unitId, 5);
    assert.equal(msg.topic, 'diris/5');
    assert.ok(typeof msg.timestamp === 'number' && msg.timestamp >= before && msg.timestamp <= Date.now(), 'timestamp of the reply');
    assert.equal(msg.site, 'plant 2', 'the incoming msg\'s other properties are kept');
    // The instantaneous block and the energy block: one request each.
    assert.equal((msg.diagnostics as { requests: number }).requests, 2);
  });

  it('takes the node topic, else the incoming topic', async function () {
    await helper.load(NODES, flow(sim, readNodeDef({ topic: 'site/meter-a' }), readNodeDef({ wires: [['out2']] }, 'plain'), helperNode('out2')));
    const fromNode = nextMessage('out');
    inject('read', { topic: 'ignored' });
    assert.equal((await fromNode).topic, 'site/meter-a');
    const fromMsg = nextMessage('out2');
    inject('plain', { topic: 'from/msg' });
    assert.equal((await fromMsg).topic, 'from/msg');
  });

  it('reads another meter when msg.unitId says so', async function () {
    await helper.load(NODES, flow(sim, readNodeDef({ groups: ['instantaneous'] })));
    const output = nextMessage('out');
    inject('read', { unitId: 6 });
    const msg = await output;
    assert.equal(msg.unitId, 6);
    assert.equal(msg.topic, 'diris/6');
    assertMatchesMeter(msg, sim.meters.get(6)!, fieldsOf('standard', ['instantaneous']));
    const meter5V1 = simulatorValue(sim.meters.get(5)!, 'instantaneous', 'V1');
    assert.notEqual((msg.payload as Record<string, number>).V1, meter5V1, 'meters 5 and 6 differ, so this really is meter 6');
  });

  it('narrows a read to msg.fields, across blocks, in the fewest requests', async function () {
    await helper.load(NODES, flow(sim, readNodeDef({ groups: ['instantaneous'] })));
    const output = nextMessage('out');
    // EaPos and thdI1 are outside the node's groups: msg.fields may name any key of the table.
    inject('read', { fields: ['V1', 'I1', 'EaPos', 'thdI1'] });
    const msg = await output;
    const all = fieldsOf('standard', ['instantaneous', 'energies', 'maxAvg', 'harmonics']);
    const wanted = new Map(['V1', 'I1', 'EaPos', 'thdI1'].map((key) => [key, all.get(key)!]));
    assertMatchesMeter(msg, sim.meters.get(5)!, wanted);
    assert.equal((msg.diagnostics as { requests: number }).requests, 3, 'one request per block');
  });

  it('narrows a read to msg.groups', async function () {
    await helper.load(NODES, flow(sim, readNodeDef()));
    const output = nextMessage('out');
    inject('read', { groups: 'harmonics' });
    assertMatchesMeter(await output, sim.meters.get(5)!, fieldsOf('standard', ['harmonics']));
  });

  it('reads the 16-bit secondary table when chosen', async function () {
    await helper.load(NODES, flow(sim, readNodeDef({ table: 'secondary16', groups: ['instantaneous', 'energies'] })));
    const output = nextMessage('out');
    inject('read', {});
    assertMatchesMeter(await output, sim.meters.get(5)!, fieldsOf('secondary16', ['instantaneous', 'energies']));
  });

  it('sends one message per value with topic <topic>/<key> in per-value mode', async function () {
    await helper.load(NODES, flow(sim, readNodeDef({ outputMode: 'perValue', topic: 'plant/m5' })));
    const keys = ['V1', 'I1', 'PF', 'EaPos'];
    const output = nextMessages('out', keys.length);
    inject('read', { fields: keys, tag: 'kept' });
    const messages = await output;
    const meter = sim.meters.get(5)!;
    const all = fieldsOf('standard', ['instantaneous', 'energies']);
    assert.deepEqual(
      messages.map((m) => m.topic),
      keys.map((key) => `plant/m5/${key}`),
    );
    for (const msg of messages) {
      const key = msg.key as string;
      const where = all.get(key)!;
      assert.deepEqual(msg.payload, simulatorValue(meter, where.blockId, key), `value of ${key}`);
      assert.equal(msg.unit, getField(where.blockId, key).unit);
      assert.deepEqual(msg.units, { [key]: getField(where.blockId, key).unit });
      assert.equal(msg.unitId, 5);
      assert.equal(msg.tag, 'kept');
      assert.equal(typeof msg.timestamp, 'number');
    }
  });

  it('polls on its interval, follows the meter, and stops on unload', async function () {
    const baseline = await resourceBaseline();
    await helper.load(NODES, flow(sim, readNodeDef({ pollSeconds: 0.05, groups: ['instantaneous'] })));
    const meter = sim.meters.get(5)!;
    const first = await nextMessage('out');
    assert.equal(first.unitId, 5);
    assert.equal(first.topic, 'diris/5');
    assertMatchesMeter(first, meter, fieldsOf('standard', ['instantaneous']));
    // The load changes; the next polls see it without any input.
    meter.setLoad(2);
    sim.clock.advance(1000);
    const after = await nextMessage('out');
    assertMatchesMeter(after, meter, fieldsOf('standard', ['instantaneous']));
    assert.notEqual((after.payload as Record<string, number>).I1, (first.payload as Record<string, number>).I1);
    await nextMessages('out', 2);

    await helper.unload();
    const requestsAtUnload = sim.server.stats.requests;
    // Its interval timer and its socket are gone: nothing is left to poll with.
    await resourcesBackTo(baseline);
    assert.equal(sim.server.stats.requests, requestsAtUnload);
  });

  it('rejects a bad msg.unitId with a clear error to a Catch node, keeping the msg, red status', async function () {
    await helper.load(NODES, flow(sim, readNodeDef()));
    const caught = nextMessage('caught');
    const status = nextStatus('read', (s) => s.text === 'bad input');
    inject('read', { unitId: 300, payload: 'keep me' });
    const msg = await caught;
    const error = msg.error as { message: string; source: { id: string } };
    assert.match(error.message, /msg\.unitId must be an integer 1\.\.247, got 300/);
    assert.ok(error.message.includes(`tcp 127.0.0.1:${sim.port}`), `names the link: ${error.message}`);
    assert.equal(error.source.id, 'read');
    assert.equal(msg.payload, 'keep me');
    assert.deepEqual(await status, { fill: 'red', shape: 'dot', text: 'bad input' });
  });

  it('takes msg.unitId as decimal digits only: "6" reads meter 6, "0x5" and "1e0" are refused and nothing is sent', async function () {
    await helper.load(NODES, flow(sim, readNodeDef()));
    const output = nextMessage('out');
    inject('read', { unitId: ' 6 ', fields: ['I1'] });
    assert.equal((await output).unitId, 6);
    const requestsBefore = sim.server.stats.requests;
    for (const bad of ['0x5', '1e0', '5.0', '+5']) {
      const caught = nextMessage('caught');
      inject('read', { unitId: bad, fields: ['I1'] });
      const error = (await caught).error as { message: string };
      assert.match(error.message, new RegExp(`msg\\.unitId must be an integer 1\\.\\.247, got "${bad.replace(/[.+]/g, '\\$&')}"`));
    }
    assert.equal(sim.server.stats.requests, requestsBefore, 'no request for a refused unit id');
  });

  it('rejects an unknown group or field, listing the valid names', async function () {
    await helper.load(NODES, flow(sim, readNodeDef()));
    let caught = nextMessage('caught');
    inject('read', { groups: ['instantaneous', 'voltages'] });
    let message = ((await caught).error as { message: string }).message;
    assert.match(message, /unknown group "voltages"/);
    assert.match(message, /instantaneous, energies, maxAvg, harmonics/);
    assert.match(message, /^meter 5 on tcp 127\.0\.0\.1:\d+: /);

    caught = nextMessage('caught');
    inject('read', { fields: ['V1', 'Vx'] });
    message = ((await caught).error as { message: string }).message;
    assert.match(message, /unknown field "Vx"/);
    assert.match(message, /valid fields: .*\bV1\b.*\bEaPos\b/);
  });

  it('reports a silent meter as a timeout with a yellow status while another meter keeps answering', async function () {
    sim.server.faults.silentUnits.add(6);
    await helper.load(
      NODES,
      flow(sim, readNodeDef({ unitId: 6, wires: [['out6']] }, 'read6'), readNodeDef({ groups: ['instantaneous'] }), helperNode('out6')),
    );
    const caught = nextMessage('caught');
    const yellow = nextStatus('read6', (s) => s.text === 'no answer');
    const fromFive = nextMessage('out');
    inject('read6', { payload: 1 });
    inject('read', { payload: 2 });
    const five = await fromFive;
    assertMatchesMeter(five, sim.meters.get(5)!, fieldsOf('standard', ['instantaneous']));

    const error = (await caught).error as { message: string; source: { id: string } };
    assert.equal(error.source.id, 'read6');
    assert.match(error.message, new RegExp(`^meter 6 on tcp 127\\.0\\.0\\.1:${sim.port}: .*no answer within 400 ms`));
    assert.deepEqual(await yellow, { fill: 'yellow', shape: 'ring', text: 'no answer' });

    // Meter 5 still answers promptly after meter 6 went silent.
    const again = nextMessage('out');
    inject('read', {});
    assert.equal((await again).unitId, 5);
  });

  it('shows green again after a failed read, however soon the next good read comes (a repeated status is skipped, a changed one never)', async function () {
    await helper.load(NODES, flow(sim, readNodeDef()));
    const values = (s: { fill?: string; text?: string }): boolean => s.fill === 'green' && /values, unit 5/.test(s.text ?? '');
    let green = nextStatus('read', values);
    inject('read', {});
    await green;
    const failed = nextStatus('read', (s) => s.fill !== 'green');
    inject('read', { fields: ['nope'] });
    assert.match((await failed).text ?? '', /bad input/);
    // Well within the same second as the first read: the green status must come back all the same.
    green = nextStatus('read', values);
    inject('read', {});
    await green;
  });
});

describe('socomec-read-measurements over Modbus RTU (socat pty pair)', function () {
  let pty: PtyPair;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  const clock = new ManualClock();

  before(async function () {
    pty = await openPtyPair();
    sim = await startSimulator({ transport: 'rtu', path: pty.a, baudRate: 19200, unitIds: [5, 6], seed: 11, clock: clock.now });
  });

  after(async function () {
    await helper.unload();
    await sim.close();
    await pty.close();
  });

  it('reads named values through the serial line, matching the meter', async function () {
    const connection = connectionConfig(0, { transport: 'rtu', serialPath: pty.b, baudRate: 19200, timeoutMs: 1000 });
    await helper.load(NODES, [flowTab(), connection, readNodeDef({ groups: ['instantaneous', 'energies'] }), helperNode('out'), ...catchAll()]);
    let output = nextMessage('out');
    inject('read', {});
    let msg = await output;
    assertMatchesMeter(msg, sim.meters.get(5)!, fieldsOf('standard', ['instantaneous', 'energies']));
    assert.equal(msg.unitId, 5);
    assert.match((msg.diagnostics as { link: string }).link, /^rtu \S+ 19200 8N1$/);

    output = nextMessage('out');
    inject('read', { unitId: 6, fields: ['V1', 'EaPos'] });
    msg = await output;
    const all = fieldsOf('standard', ['instantaneous', 'energies']);
    assertMatchesMeter(msg, sim.meters.get(6)!, new Map(['V1', 'EaPos'].map((k) => [k, all.get(k)!])));
  });
});
