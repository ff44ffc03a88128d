import assert from 'node:assert/strict';
import alarmStatus from '../../src/nodes/socomec-alarm-status';
import readIdentity from '../../src/nodes/socomec-read-identity';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import reset from '../../src/nodes/socomec-reset';
import writeSettings from '../../src/nodes/socomec-write-settings';
import { FLOW_ID, at, catchAll, connectionNode, flowTab, helper, inject, nextMessages, type NodeInitializer } from '../helpers/node-red';

const NODES = [connectionNode, ...[readMeasurements, readIdentity, writeSettings, reset, alarmStatus].map((n) => n as unknown as NodeInitializer)];
const FLOW_NODE_TYPES = ['socomec-read-measurements', 'socomec-read-identity', 'socomec-write-settings', 'socomec-reset', 'socomec-alarm-status'];

describe('flow nodes that cannot work', () => {
  before(() => helper.init(require.resolve('node-red')));
  afterEach(() => helper.unload());

  for (const type of FLOW_NODE_TYPES) {
    it(`${type} without a connection fails each msg once, with the reason, and never crashes`, async () => {
      const flow = [flowTab(), { id: 'node', type, z: FLOW_ID, connection: '', unitId: 5, wires: [[]], ...at() }, ...catchAll()];
      await helper.load(NODES, flow);
      const caught = nextMessages('caught', 2);
      inject('node', { payload: 'first' } as never);
      inject('node', { payload: 'second' } as never);
      const [a, b] = (await caught) as unknown as { payload: unknown; error: { message: string } }[];
      // Each msg reaches the Catch node once and in order: none is dropped or reported twice.
      assert.deepEqual([a.payload, b.payload], ['first', 'second']);
      // The message alone, as Node-RED gives err.toString() to a Catch node: no class name before it.
      assert.match(a.error.message, /^no socomec-connection configured/);
    });

    it(`${type} with a bad unit id setting refuses every msg naming the setting`, async () => {
      const flow = [flowTab(), { id: 'node', type, z: FLOW_ID, connection: '', unitId: 300, wires: [[]], ...at() }, ...catchAll()];
      await helper.load(NODES, flow);
      const caught = nextMessages('caught', 1);
      inject('node', { payload: 'x' } as never);
      const [msg] = (await caught) as unknown as { error: { message: string } }[];
      assert.match(msg.error.message, /^unit id.*300/i);
    });

    it(`${type} saved by a newer package refuses every msg, saying so`, async () => {
      const flow = [flowTab(), { id: 'node', type, z: FLOW_ID, connection: '', unitId: 5, configVersion: 99, wires: [[]], ...at() }, ...catchAll()];
      await helper.load(NODES, flow);
      const caught = nextMessages('caught', 1);
      inject('node', { payload: 'x' } as never);
      const [msg] = (await caught) as unknown as { error: { message: string } }[];
      assert.match(msg.error.message, /saved by a newer version of this package \(configVersion 99/);
    });

    it(`${type} with bad settings says "bad settings" in the same red ring as every other Socomec node`, async () => {
      const flow = [flowTab(), { id: 'node', type, z: FLOW_ID, connection: '', unitId: 'five', wires: [[]], ...at() }];
      await helper.load(NODES, flow);
      const node = helper.getNode('node') as unknown as { status: { args: unknown[][] } };
      assert.deepEqual(node.status.args[0][0], { fill: 'red', shape: 'ring', text: 'bad settings' });
    });
  }

  it('a saved read-measurements node with an unknown table says "bad settings" and names the valid tables, instead of reading another one', async () => {
    const flow = [flowTab(), { id: 'node', type: 'socomec-read-measurements', z: FLOW_ID, connection: '', unitId: 5, table: 'legacy64', wires: [[]], ...at() }, ...catchAll()];
    await helper.load(NODES, flow);
    const node = helper.getNode('node') as unknown as { status: { args: unknown[][] } };
    assert.deepEqual(node.status.args[0][0], { fill: 'red', shape: 'ring', text: 'bad settings' });
    const caught = nextMessages('caught', 1);
    inject('node', { payload: 'x' } as never);
    const [msg] = (await caught) as unknown as { error: { message: string } }[];
    assert.match(msg.error.message, /table must be one of standard, secondary16, legacy32, legacy16, legacyB00 \(in the node settings\), got "legacy64"/);
  });
});
