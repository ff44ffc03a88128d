/**
 * The connection node's promises on every transport, inside the real Node-RED runtime:
 * several meters through one connection, no late reply taken for the next answer after a
 * timeout, recovery after the meter side restarts, a bounded queue, nothing left open
 * after a redeploy.
 */
import assert from 'node:assert/strict';
import { SerialPort } from 'serialport';
import type { NodeMessage } from 'node-red';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import { decodeField } from '../../src/codec';
import type { ConnectionNode } from '../../src/nodes/connection-attachment';
import { getField } from '../../src/registers';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  CONNECTION_ID,
  FLOW_ID,
  ManualClock,
  TEST_TIMEOUT_MS,
  at,
  catchAll,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  nextMessage,
  nextMessages,
  resourceBaseline,
  resourcesBackTo,
  type FlowNode,
  type NodeInitializer,
} from '../helpers/node-red';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const NODES = [connectionNode, readMeasurements as unknown as NodeInitializer];

function readNode(id: string, unitId: number, out: string): FlowNode {
  return {
    id,
    type: 'socomec-read-measurements',
    z: FLOW_ID,
    connection: CONNECTION_ID,
    unitId,
    topic: '',
    groups: ['instantaneous'],
    table: 'standard',
    pollSeconds: 0,
    outputMode: 'single',
    wires: [[out]],
    ...at(),
  };
}

/** The meter's own value for an instantaneous key, decoded from its register image. */
function meterValue(sim: Simulator, unitId: number, key: string): unknown {
  const field = getField('instantaneous', key);
  return decodeField(field, sim.meters.get(unitId)!.peek(field.address, field.words));
}

type Kind = 'tcp' | 'rtu-over-tcp' | 'rtu';

for (const kind of ['tcp', 'rtu-over-tcp', 'rtu'] as Kind[]) {
  describe(`socomec-connection over ${kind} in the Node-RED runtime`, function () {
    let sim: Simulator;
    let pty: PtyPair | undefined;
    const clock = new ManualClock();

    async function startMeters(port = 0): Promise<Simulator> {
      if (kind === 'rtu') return startSimulator({ transport: 'rtu', path: pty!.a, baudRate: 19200, unitIds: [5, 6], seed: 11, clock: clock.now });
      return startSimulator({ transport: kind, host: '127.0.0.1', port, unitIds: [5, 6], seed: 11, clock: clock.now });
    }

    function connection(overrides: Record<string, unknown> = {}): FlowNode {
      const link = kind === 'rtu' ? { transport: 'rtu', serialPath: pty!.b, baudRate: 19200 } : { transport: kind };
      return connectionConfig(sim, { ...link, ...overrides });
    }

    before(async function () {
      helper.init(require.resolve('node-red'));
      if (kind === 'rtu') pty = await openPtyPair();
    });
    beforeEach(async function () {
      sim = await startMeters();
    });
    afterEach(async function () {
      await helper.unload();
      await sim.close();
    });
    after(async function () {
      await pty?.close();
    });

    it('reads two meters through one connection, each its own values', async function () {
      await helper.load(NODES, [flowTab(), connection(), readNode('read5', 5, 'out5'), readNode('read6', 6, 'out6'), helperNode('out5'), helperNode('out6')]);
      const five = nextMessage('out5');
      const six = nextMessage('out6');
      inject('read5', {});
      inject('read6', {});
      const [a, b] = [(await five).payload as Record<string, unknown>, (await six).payload as Record<string, unknown>];
      for (const key of ['V1', 'I1', 'P', 'PF']) {
        assert.deepEqual(a[key], meterValue(sim, 5, key), `meter 5 ${key}`);
        assert.deepEqual(b[key], meterValue(sim, 6, key), `meter 6 ${key}`);
      }
      assert.notEqual(a.I1, b.I1);
    });

    it('never takes a late reply for the next answer after a timeout', async function () {
      await helper.load(NODES, [flowTab(), connection(), readNode('read', 5, 'out'), helperNode('out'), ...catchAll()]);
      // I1 and V1 are both two-word reads: a late I1 reply would fit the V1 request exactly.
      sim.server.faults.latencyMs = TEST_TIMEOUT_MS * 1.5;
      const caught = nextMessage('caught');
      inject('read', { fields: ['I1'] } as NodeMessage);
      assert.match(((await caught).error as { message: string }).message, /no answer within/);
      // The V1 answer comes after the late I1 one, still within the timeout: without the
      // link's guard the late I1 reply would be taken for V1's.
      sim.server.faults.latencyMs = TEST_TIMEOUT_MS * 0.6;
      const output = nextMessage('out');
      inject('read', { fields: ['V1'] } as NodeMessage);
      const payload = (await output).payload as Record<string, unknown>;
      assert.deepEqual(payload, { V1: meterValue(sim, 5, 'V1') });
      assert.notDeepEqual(payload.V1, meterValue(sim, 5, 'I1'));
    });

    if (kind !== 'rtu') {
      it('recovers without a redeploy when the meter side is closed and started again on the same port', async function () {
        await helper.load(NODES, [flowTab(), connection(), readNode('read', 5, 'out'), helperNode('out'), ...catchAll()]);
        let output = nextMessage('out');
        inject('read', {});
        await output;
        const port = sim.port;
        await sim.close();
        const caught = nextMessage('caught');
        inject('read', {});
        assert.match(((await caught).error as { message: string }).message, /meter 5 on /);
        // The link reconnects by itself with backoff: wait for it, then a read just works.
        const connectionNode = helper.getNode(CONNECTION_ID) as unknown as ConnectionNode;
        const reconnected = new Promise<void>((resolve) => {
          const stop = connectionNode.onState((state) => {
            if (state === 'connected') {
              stop();
              resolve();
            }
          });
        });
        sim = await startMeters(port);
        await reconnected;
        output = nextMessage('out');
        inject('read', {});
        const answered = await output;
        assert.deepEqual((answered.payload as Record<string, unknown>).V1, meterValue(sim, 5, 'V1'));
      });
    }

    it('keeps its queue bounded: a flood beyond the limit fails at once with "queue full", and the link keeps working', async function () {
      await helper.load(NODES, [flowTab(), connection({ queueLimit: 3 }), readNode('read', 5, 'out'), helperNode('out'), ...catchAll()]);
      sim.server.faults.latencyMs = 30;
      const flood = 20;
      const outputs: NodeMessage[] = [];
      const errors: string[] = [];
      const all = new Promise<void>((resolve) => {
        const check = () => outputs.length + errors.length === flood && resolve();
        helper.getNode('out')!.on('input', (msg: NodeMessage) => (outputs.push(msg), check()));
        helper.getNode('caught')!.on('input', (msg: NodeMessage & { error: { message: string } }) => (errors.push(msg.error.message), check()));
      });
      for (let i = 0; i < flood; i++) inject('read', { payload: i });
      await all;
      assert.ok(errors.length > 0 && errors.every((e) => /queue full/.test(e)), errors.join('\n'));
      assert.ok(outputs.length >= 3, `only ${outputs.length} reads went through`);
      sim.server.faults.latencyMs = 0;
      const after = nextMessages('out', 1);
      inject('read', {});
      assert.equal((await after)[0].unitId, 5);
    });

    it('leaves no socket, serial port or timer open after a redeploy and an unload', async function () {
      const baseline = await resourceBaseline();
      await helper.load(NODES, [flowTab(), connection(), readNode('read', 5, 'out'), helperNode('out')]);
      let output = nextMessage('out');
      inject('read', {});
      await output;
      await helper.setFlows([flowTab(), connection({ timeoutMs: 700 }), readNode('read', 5, 'out'), helperNode('out')], 'full');
      output = nextMessage('out');
      inject('read', {});
      await output;
      await helper.unload();
      await resourcesBackTo(baseline);
      if (pty) {
        // serialport locks the device: opening it again proves the node released it.
        const port = new SerialPort({ path: pty.b, baudRate: 19200, autoOpen: false });
        await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
        await new Promise<void>((resolve) => port.close(() => resolve()));
      }
    });
  });
}
