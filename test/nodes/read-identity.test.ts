import assert from 'node:assert/strict';
import readIdentity from '../../src/nodes/socomec-read-identity';
import { decodeField } from '../../src/codec';
import { getField } from '../../src/registers';
import type { DirisMeter } from '../../src/simulator';
import {
  CONNECTION_ID,
  FLOW_ID,
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
} from '../helpers/node-red';

const NODES = [connectionNode, readIdentity as unknown as NodeInitializer];

function identityNodeDef(overrides: Record<string, unknown> = {}): FlowNode {
  return {
    id: 'identity',
    type: 'socomec-read-identity',
    z: FLOW_ID,
    name: '',
    connection: CONNECTION_ID,
    unitId: 5,
    topic: '',
    readOnDeploy: false,
    details: false,
    wires: [['out']],
    ...at(),
    ...overrides,
  };
}

function flow(sim: { port: number }, overrides: Record<string, unknown> = {}): FlowNode[] {
  return [flowTab(), connectionConfig(sim), identityNodeDef(overrides), helperNode('out'), ...catchAll()];
}

/** A field of the identification block (50000) as the simulated meter holds it. */
function identification(meter: DirisMeter, key: string): unknown {
  const field = getField('identification', key);
  return decodeField(field, meter.peek(field.address, field.words));
}

/** The serial number as printed on the meter: its two words in hex, then the order number. */
function serialNumberOf(meter: DirisMeter): string {
  const hex = (key: string) => (identification(meter, key) as number).toString(16).toUpperCase().padStart(4, '0');
  return `${hex('serialAaSs')}${hex('serialSstL')}-${String(identification(meter, 'serialOrder'))}`;
}

describe('socomec-read-identity in the Node-RED runtime', function () {
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('outputs who the meter is: SOCO, DIRIS A20, family Diris, its versions and serial number', async function () {
    await helper.load(NODES, flow(sim));
    const meter = sim.meters.get(5)!;
    const before = Date.now();
    const output = nextMessage('out');
    const green = nextStatus('identity', (s) => s.fill === 'green' && /DIRIS A20/.test(s.text ?? ''));
    inject('identity', { payload: 'who', note: 'kept' });
    const msg = await output;
    const identity = msg.payload as Record<string, unknown>;

    assert.equal(identity.signature, 'SOCO');
    assert.equal(identity.productName, 'DIRIS A20');
    assert.equal(identity.family, 'Diris');
    for (const key of ['signature', 'family', 'productName', 'extendedName', 'vendorName', 'productId']) {
      assert.deepEqual(identity[key], identification(meter, key), key);
    }
    assert.equal(identity.serialNumber, serialNumberOf(meter));
    assert.equal(identity.softwareVersion, ((identification(meter, 'softwareVersion') as number) / 100).toFixed(2));
    assert.equal(typeof (identity.options as Record<string, unknown>).communication, 'boolean');
    assert.equal(msg.unitId, 5);
    assert.equal(msg.topic, 'diris/5');
    assert.deepEqual(msg.units, {});
    assert.ok((msg.timestamp as number) >= before && (msg.timestamp as number) <= Date.now());
    assert.equal(msg.note, 'kept');
    assert.equal('timestamp' in identity, false, 'the timestamp is on the msg, not in the identity');
    assert.match((await green).text ?? '', /^DIRIS A20 RS485, unit 5 \d\d:\d\d:\d\d$/);
  });

  it('identifies another meter by msg.unitId', async function () {
    await helper.load(NODES, flow(sim));
    const output = nextMessage('out');
    inject('identity', { unitId: 6 });
    const msg = await output;
    assert.equal(msg.unitId, 6);
    const six = sim.meters.get(6)!;
    assert.equal((msg.payload as Record<string, unknown>).serialNumber, serialNumberOf(six));
    assert.notEqual(serialNumberOf(six), serialNumberOf(sim.meters.get(5)!), 'the two meters differ');
  });

  it('reads once after deploy when asked to, without an input', async function () {
    await helper.load(NODES, flow(sim, { readOnDeploy: true, topic: 'meters/identity' }));
    const msg = await nextMessage('out');
    assert.equal((msg.payload as Record<string, unknown>).signature, 'SOCO');
    assert.equal(msg.topic, 'meters/identity');
    assert.equal(msg.unitId, 5);
  });

  it('adds the customization, calibration and legacy option blocks with the details option', async function () {
    await helper.load(NODES, flow(sim, { details: true }));
    const output = nextMessage('out');
    inject('identity', {});
    const msg = await output;
    const details = (msg.payload as { details: Record<string, Record<string, unknown>> }).details;
    assert.deepEqual(Object.keys(details).sort(), ['calibration', 'customization', 'legacyOptions']);
    const retrofit = getField('customization', 'retrofitActivated');
    assert.deepEqual(details.customization.retrofitActivated, decodeField(retrofit, sim.meters.get(5)!.peek(retrofit.address, retrofit.words)));
  });

  it('fails clearly when the unit id answers but is not a Socomec meter', async function () {
    sim.meters.get(5)!.override({ blockId: 'identification', key: 'signature' }, 'ABCD');
    await helper.load(NODES, flow(sim));
    const caught = nextMessage('caught');
    const red = nextStatus('identity', (s) => s.fill === 'red');
    inject('identity', { payload: 'who' });
    const msg = await caught;
    const error = msg.error as { message: string; source: { id: string } };
    assert.match(error.message, new RegExp(`^meter 5 on tcp 127\\.0\\.0\\.1:${sim.port}: not a Socomec meter \\(signature at 50000 is "ABCD", expected "SOCO"\\)`));
    assert.equal(error.source.id, 'identity');
    assert.equal(msg.payload, 'who', 'the incoming msg reaches the Catch node');
    assert.deepEqual(await red, { fill: 'red', shape: 'dot', text: 'not a Socomec meter' });
  });

  it('reports a Modbus exception from the identification block with the block and the code', async function () {
    sim.server.faults.exceptionAt.set(50000, 2);
    await helper.load(NODES, flow(sim));
    const caught = nextMessage('caught');
    const red = nextStatus('identity', (s) => s.fill === 'red');
    inject('identity', {});
    const message = ((await caught).error as { message: string }).message;
    assert.match(message, /^meter 5 on tcp 127\.0\.0\.1:\d+: /);
    assert.match(message, /identification \(50000\)/);
    assert.match(message, /Modbus exception 2 \(illegal data address\)/);
    assert.deepEqual(await red, { fill: 'red', shape: 'dot', text: 'exception 2' });
  });

  it('rejects a msg.unitId that is not a unit id', async function () {
    await helper.load(NODES, flow(sim));
    const caught = nextMessage('caught');
    inject('identity', { unitId: 'five' });
    assert.match(((await caught).error as { message: string }).message, /msg\.unitId must be an integer 1\.\.247, got "five"/);
  });
});
