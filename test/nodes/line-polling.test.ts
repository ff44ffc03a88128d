/**
 * Many meters on one line from one read node, in the real Node-RED runtime: a unit id list
 * polled one msg per meter (with the name from the connection's meter list and the model),
 * each group at its own rate, a health output per meter, a silent meter that costs only
 * itself, and the line's budget: on a 9600-baud pty with the simulator answering after the
 * wire time, the nodes' status and the connection's log say when the polls ask more than the
 * line carries, with the interval it could keep, and say nothing below that.
 */
import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import { startSimulator, type Simulator } from '../../src/simulator';
import {
  CONNECTION_ID,
  catchAll,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  nextError,
  nextMessages,
  nextStatus,
  resourceBaseline,
  resourcesBackTo,
  startTestSimulator,
  within,
  type NodeInitializer,
  type SpyCall,
  type TestSimulator,
  readMeasurementsDef,
  messagesUntil,
} from '../helpers/node-red';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const NODES = [connectionNode, readMeasurements as unknown as NodeInitializer];

const readNodeDef = readMeasurementsDef;

const collect = messagesUntil;

/** Every status a node shows from now on (the last first when asked). */
function statuses(nodeId: string): { all: Array<{ fill?: string; text?: string }>; stop(): void } {
  const node = helper.getNode(nodeId)!;
  const all: Array<{ fill?: string; text?: string }> = [];
  const onStatus = (call: SpyCall): void => {
    all.push(call.args[0] as { fill?: string; text?: string });
  };
  node.on('call:status', onStatus as never);
  return { all, stop: () => node.removeListener('call:status', onStatus as never) };
}

describe('read-measurements: many meters on one line', function () {
  this.timeout(30_000);

  describe('on Modbus TCP', function () {
    let sim: TestSimulator;

    beforeEach(async function () {
      sim = await startTestSimulator({ unitIds: [5, 6, 7], models: { 7: 'E34' } });
    });

    afterEach(async function () {
      await helper.unload();
      await sim.close();
    });

    it('polls a unit id list: one msg per meter, with its name from the connection\'s meter list and its model', async function () {
      const baseline = await resourceBaseline();
      await helper.load(NODES, [
        flowTab(),
        connectionConfig(sim, { meters: '5=incomer, 6 = pv' }),
        readNodeDef({ unitIds: '5-6, 7', pollSeconds: 0.3 }),
        helperNode('out'),
        ...catchAll(),
      ]);
      const msgs = await collect('out', (got) => new Set(got.map((m) => m.unitId)).size === 3);
      const byUnit = new Map(msgs.map((m) => [m.unitId as number, m as NodeMessage & Record<string, unknown>]));
      assert.equal(byUnit.get(5)!.meter, 'incomer');
      assert.equal(byUnit.get(6)!.meter, 'pv');
      assert.equal(byUnit.get(7)!.meter, undefined, 'a meter the list does not name has no msg.meter');
      assert.equal(byUnit.get(5)!.model, 'A20');
      assert.equal(byUnit.get(5)!.modelName, 'DIRIS A-20');
      assert.equal(byUnit.get(7)!.model, 'E34', 'each meter is read with its own table');
      for (const [unitId, msg] of byUnit) {
        assert.equal(msg.topic, `diris/${unitId}`);
        assert.equal(typeof (msg.payload as Record<string, unknown>).V1, 'number');
      }
      await helper.unload();
      await resourcesBackTo(baseline);
    });

    it('reads every meter of the list on input, or the one msg.unitId names', async function () {
      await helper.load(NODES, [flowTab(), connectionConfig(sim, { meters: '6=pv' }), readNodeDef({ unitIds: '5, 6' }), helperNode('out'), ...catchAll()]);
      const both = nextMessages('out', 2);
      inject('read', { topic: 'now' });
      const msgs = await both;
      assert.deepEqual(
        msgs.map((m) => m.unitId),
        [5, 6],
      );
      assert.equal((msgs[1] as Record<string, unknown>).meter, 'pv');
      const one = nextMessages('out', 1);
      inject('read', { unitId: 6 });
      assert.equal((await one)[0].unitId, 6);
    });

    it('reads each group at its own rate: energies every third poll, merged into the instantaneous read', async function () {
      await helper.load(NODES, [
        flowTab(),
        connectionConfig(sim),
        readNodeDef({ unitId: 5, pollSeconds: 0.2, slowGroups: ['energies'], slowSeconds: 0.6 }),
        helperNode('out'),
        ...catchAll(),
      ]);
      const msgs = await collect('out', (got) => got.filter((m) => 'EaPos' in (m.payload as object)).length >= 3);
      const withEnergies = msgs.filter((m) => 'EaPos' in (m.payload as object));
      assert.ok(
        msgs.every((m) => typeof (m.payload as Record<string, unknown>).V1 === 'number'),
        'instantaneous values in every msg',
      );
      assert.ok('EaPos' in (msgs[0].payload as object), 'the first poll reads everything');
      assert.ok(msgs.length >= withEnergies.length + 2, `${msgs.length} msgs, ${withEnergies.length} with energies: energies are not read at every poll`);
      // The slow rate keeps its grid: never sooner than its interval (less the 50 ms merge window).
      for (let i = 1; i < withEnergies.length; i++) {
        const gap = (withEnergies[i].timestamp as number) - (withEnergies[i - 1].timestamp as number);
        assert.ok(gap >= 550, `energies ${gap} ms after the last`);
      }
    });

    it('sends each meter\'s health on the second output, and a silent meter costs only itself', async function () {
      sim.server.faults.silentUnits.add(7);
      await helper.load(NODES, [
        flowTab(),
        connectionConfig(sim, { meters: '7=roof' }),
        readNodeDef({ unitIds: '5-7', pollSeconds: 0.5, health: true, outputs: 2, wires: [['out'], ['health']] }),
        helperNode('out'),
        helperNode('health'),
        ...catchAll(),
      ]);
      const error = nextError('read');
      const yellow = nextStatus('read', (s) => s.fill === 'yellow' && /2\/3/.test(s.text ?? ''));
      const health = await collect('health', (got) => got.filter((m) => m.unitId === 7).length >= 2 && got.filter((m) => m.unitId === 5).length >= 2);
      const silent = health.filter((m) => m.unitId === 7).at(-1)!;
      const good = health.filter((m) => m.unitId === 5).at(-1)!;
      assert.equal(silent.topic, 'diris/7/health');
      assert.equal((silent as Record<string, unknown>).meter, 'roof');
      const silentHealth = silent.payload as Record<string, unknown>;
      assert.ok((silentHealth.errors as number) >= 2 && silentHealth.errors === silentHealth.reads, JSON.stringify(silentHealth));
      assert.ok((silentHealth.timeouts as number) >= 1);
      assert.equal(silentHealth.lastSuccessAt, undefined);
      const goodHealth = good.payload as Record<string, unknown>;
      assert.equal(goodHealth.errors, 0);
      assert.ok((goodHealth.reads as number) >= 2);
      assert.equal(typeof goodHealth.lastSuccessAt, 'number');
      assert.equal(typeof goodHealth.lastLatencyMs, 'number');
      assert.match((await error).message, /meter 7\b/, 'the silent meter is named');
      assert.match((await yellow).text ?? '', /2\/3/);
    });

    it('refuses a unit id list it cannot read, naming it', async function () {
      await helper.load(NODES, [flowTab(), connectionConfig(sim), readNodeDef({ unitIds: '5-300' }), helperNode('out'), ...catchAll()]);
      const error = nextError('read');
      inject('read', {});
      assert.match((await error).message, /unitIds.*300/);
    });

    it('refuses slow groups that are not read', async function () {
      await helper.load(NODES, [
        flowTab(),
        connectionConfig(sim),
        readNodeDef({ groups: ['instantaneous'], pollSeconds: 1, slowGroups: ['energies'], slowSeconds: 60 }),
        helperNode('out'),
        ...catchAll(),
      ]);
      const error = nextError('read');
      inject('read', {});
      assert.match((await error).message, /slow groups energies are not among the groups read/);
    });

    it('shows each polling node\'s meters and the line\'s load in the connection\'s counters', async function () {
      await helper.startServer();
      try {
        await helper.load(NODES, [flowTab(), connectionConfig(sim, { meters: '5=incomer' }), readNodeDef({ unitIds: '5-6', pollSeconds: 0.3 }), helperNode('out'), ...catchAll()]);
        await collect('out', (got) => got.length >= 4);
        const res = await helper.request().get(`/socomec-connection/${CONNECTION_ID}/stats`);
        const stats = res.body as { line: { offeredLoad: number; exceeded: boolean }; pollers: Array<{ node: string; everyMs: number; meters: Array<Record<string, unknown>> }> };
        assert.equal(stats.line.exceeded, false);
        assert.ok(stats.line.offeredLoad > 0 && stats.line.offeredLoad < 0.9, `load ${stats.line.offeredLoad}`);
        assert.equal(stats.pollers.length, 1);
        assert.equal(stats.pollers[0].node, 'read');
        assert.equal(stats.pollers[0].everyMs, 300);
        assert.deepEqual(
          stats.pollers[0].meters.map((m) => [m.unitId, m.name]),
          [
            [5, 'incomer'],
            [6, undefined],
          ],
        );
        assert.ok((stats.pollers[0].meters[0].reads as number) >= 2);
      } finally {
        await helper.stopServer();
      }
    });
  });

  describe('on an RTU line at 9600 baud (socat pty, the simulator answering after the wire time)', function () {
    let pty: PtyPair | undefined;
    let sim: Simulator | undefined;

    afterEach(async function () {
      await helper.unload();
      await sim?.close();
      await pty?.close();
      sim = pty = undefined;
    });

    async function loadLine(pollSeconds: number): Promise<void> {
      pty = await openPtyPair();
      sim = await startSimulator({ transport: 'rtu', path: pty.a, baudRate: 9600, wireTiming: true, unitIds: [5, 6, 7, 8], seed: 2 });
      await helper.load(NODES, [
        flowTab(),
        connectionConfig(0, { transport: 'rtu', serialPath: pty.b, baudRate: 9600, timeoutMs: 1000 }),
        // Four meters' full polls (4 requests each, about 0.33 s of wire time at 9600 8N1).
        readNodeDef({ unitIds: '5-8', groups: ['instantaneous', 'energies', 'maxAvg', 'harmonics'], pollSeconds }),
        helperNode('out'),
        ...catchAll(),
      ]);
    }

    it('says in the node\'s status and the log when the polls ask more than the line carries, with the interval it could keep', async function () {
      await loadLine(1);
      const connection = helper.getNode(CONNECTION_ID)!;
      const warned = within<string>(15_000, 'the connection\'s warning', (resolve) => {
        const onWarn = (call: SpyCall): void => resolve(String(call.args[0]));
        connection.on('call:warn', onWarn as never);
        return () => connection.removeListener('call:warn', onWarn as never);
      });
      const status = await nextStatus('read', (s) => /line over budget/.test(s.text ?? ''), 15_000);
      assert.equal(status.fill, 'yellow');
      const every = Number(/every ([\d.]+) s/.exec(status.text ?? '')?.[1]);
      assert.ok(every > 1.2 && every < 2, `could keep every ${every} s`);
      const warning = await warned;
      assert.match(warning, /ask for 1\d\d % of the line.s time/);
    });

    it('says nothing when the same polls every 4 s fit the line', async function () {
      await loadLine(4);
      const seen = statuses('read');
      const connection = helper.getNode(CONNECTION_ID)!;
      let warnings = 0;
      const onWarn = (): void => {
        warnings++;
      };
      connection.on('call:warn', onWarn as never);
      try {
        // Two rounds of the four meters: every read time is in the estimate by then.
        await collect('out', (got) => got.length >= 8, 20_000);
      } finally {
        seen.stop();
        connection.removeListener('call:warn', onWarn as never);
      }
      assert.equal(warnings, 0);
      assert.deepEqual(
        seen.all.filter((s) => /budget/.test(s.text ?? '')),
        [],
      );
      assert.ok(seen.all.some((s) => s.fill === 'green' && /4\/4 meters/.test(s.text ?? '')), JSON.stringify(seen.all));
    });
  });
});
