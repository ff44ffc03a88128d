/**
 * What a deploy does to the link, in the real Node-RED runtime, over Modbus TCP and over
 * an RTU serial line (socat pty pair, the real serialport binding): deploying "modified
 * nodes" or "modified flows" after editing a flow node keeps the link open (one connect,
 * no close: an RS-485 line is not dropped on every edit); a full deploy closes the old
 * link and opens one new; removing the last user closes the link and frees its socket or
 * port; nothing is left open after the flows stop.
 */
import assert from 'node:assert/strict';
import { SerialPort } from 'serialport';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import type { ConnectionNode } from '../../src/nodes/connection-attachment';
import { startSimulator, type Simulator } from '../../src/simulator';
import type { LinkState } from '../../src/transport';
import {
  CONNECTION_ID,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  nextMessage,
  resourceBaseline,
  resourcesAbove,
  resourcesBackTo,
  within,
  type FlowNode,
  type NodeInitializer,
  readMeasurementsDef,
} from '../helpers/node-red';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const NODES = [connectionNode, readMeasurements as unknown as NodeInitializer];
const BAUD_RATE = 19200;

function readNode(overrides: Record<string, unknown> = {}): FlowNode {
  return readMeasurementsDef({ groups: ['instantaneous'], ...overrides });
}

/** The states a connection's link goes through from now on, also across a link being replaced. */
function recordStates(): { states: LinkState[]; connects(): number; stop(): void } {
  const connection = helper.getNode(CONNECTION_ID) as unknown as ConnectionNode;
  const states: LinkState[] = [];
  const stop = connection.onState((state) => states.push(state));
  return { states, connects: () => states.filter((s) => s === 'connected').length, stop };
}

async function readOnce(): Promise<void> {
  const output = nextMessage('out');
  inject('read', {});
  assert.equal((await output).unitId, 5);
}

/** Resolves when the connection's link reports `state`. */
function linkState(state: LinkState): Promise<void> {
  const connection = helper.getNode(CONNECTION_ID) as unknown as ConnectionNode;
  return within(5000, `link state "${state}"`, (resolve) => connection.onState((s) => s === state && resolve(undefined)));
}

type Kind = 'tcp' | 'rtu';

for (const kind of ['tcp', 'rtu'] as Kind[]) {
  describe(`deploying flows with a socomec-connection over ${kind}`, function () {
    let sim: Simulator;
    let pty: PtyPair | undefined;

    /** The connection as a global config node (the editor's default): no tab of its own. */
    function connection(overrides: Record<string, unknown> = {}): FlowNode {
      const link = kind === 'rtu' ? { transport: 'rtu', serialPath: pty!.b, baudRate: BAUD_RATE } : {};
      const config: FlowNode = connectionConfig(sim, { ...link, ...overrides });
      delete config.z;
      return config;
    }

    /** The port is free: serialport locks a device, so opening it proves nobody holds it. */
    async function portIsFree(): Promise<void> {
      if (pty === undefined) return;
      const port = new SerialPort({ path: pty.b, baudRate: BAUD_RATE, autoOpen: false });
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }

    /** The port is held (by the connection's link): opening it again is refused. */
    async function portIsHeld(): Promise<void> {
      if (pty === undefined) return;
      const port = new SerialPort({ path: pty.b, baudRate: BAUD_RATE, autoOpen: false });
      await assert.rejects(
        new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve()))),
        /lock|busy/i,
      );
    }

    before(async function () {
      helper.init(require.resolve('node-red'));
      if (kind === 'rtu') pty = await openPtyPair();
    });
    beforeEach(async function () {
      sim =
        kind === 'rtu'
          ? await startSimulator({ transport: 'rtu', path: pty!.a, baudRate: BAUD_RATE, unitIds: [5], seed: 11 })
          : await startSimulator({ transport: 'tcp', host: '127.0.0.1', port: 0, unitIds: [5], seed: 11 });
    });
    afterEach(async function () {
      await helper.unload();
      await sim.close();
    });
    after(async function () {
      await pty?.close();
    });

    for (const type of ['nodes', 'flows'] as const) {
      it(`a "${type}" deploy after editing a flow node keeps the link open: one connect, no close; removing the last user closes it`, async function () {
        const baseline = await resourceBaseline();
        await helper.load(NODES, [flowTab(), connection(), readNode(), helperNode('out')]);
        const recorded = recordStates();
        await readOnce();
        assert.equal(recorded.connects(), 1);
        const connectionBefore = helper.getNode(CONNECTION_ID);

        // Two edits of the read node, each deployed on its own.
        await helper.setFlows([flowTab(), connection(), readNode({ topic: 'edited' }), helperNode('out')], type);
        await readOnce();
        await helper.setFlows([flowTab(), connection(), readNode({ topic: 'edited again', groups: ['instantaneous', 'energies'] }), helperNode('out')], type);
        await readOnce();
        assert.equal(helper.getNode(CONNECTION_ID), connectionBefore, 'the connection itself was not redeployed');
        assert.deepEqual(recorded.states, ['connecting', 'connected'], 'the link was never closed or reopened');
        await portIsHeld();

        // The read node deleted: its connection has no user left, so the link closes and lets go.
        const closed = linkState('closed');
        await helper.setFlows([flowTab(), connection(), helperNode('out')], type);
        await closed;
        recorded.stop();
        await portIsFree();
        await resourcesBackTo(baseline);
      });
    }

    it('a "full" deploy closes the old link and opens one new one; nothing is left after the flows stop', async function () {
      const baseline = await resourceBaseline();
      await helper.load(NODES, [flowTab(), connection(), readNode(), helperNode('out')]);
      const first = recordStates();
      await readOnce();
      assert.ok(resourcesAbove(baseline).length > 0 || pty !== undefined, 'a socket is open while the flow reads');

      await helper.setFlows([flowTab(), connection(), readNode({ topic: 'edited' }), helperNode('out')], 'full');
      assert.deepEqual(first.states, ['connecting', 'connected', 'closed'], 'the old link closed once');
      await portIsFree();
      const second = recordStates();
      await readOnce();
      assert.equal(second.connects(), 1, 'the new link connected once');
      second.stop();

      await helper.unload();
      await portIsFree();
      await resourcesBackTo(baseline);
    });

    it('a "nodes" deploy that changes the connection reopens the link with the new settings, once', async function () {
      await helper.load(NODES, [flowTab(), connection(), readNode(), helperNode('out')]);
      const first = recordStates();
      await readOnce();
      await helper.setFlows([flowTab(), connection({ timeoutMs: 700 }), readNode(), helperNode('out')], 'nodes');
      assert.deepEqual(first.states, ['connecting', 'connected', 'closed']);
      const second = recordStates();
      await readOnce();
      assert.deepEqual(second.states, ['connecting', 'connected']);
      second.stop();
      const connection2 = helper.getNode(CONNECTION_ID) as unknown as ConnectionNode;
      assert.equal(connection2.linkConfig.timeoutMs, 700);
    });
  });
}
