/**
 * The many-meters example in the real Node-RED runtime against a test simulator: one read
 * node polls the unit id list 5-6 and sends a msg per meter named from the connection's
 * meter list, energies at their slow rate, and each meter's health on its second output.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { NodeMessage } from 'node-red';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import {
  FLOW_ID,
  TEST_TIMEOUT_MS,
  connectionNode,
  exampleFlow,
  flowTab,
  helper,
  startTestSimulator,
  type FlowNode,
  type NodeInitializer,
  type TestSimulator,
  messagesUntil,
} from '../helpers/node-red';

const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
function core(file: string): NodeInitializer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(coreNodes, 'core', file)) as NodeInitializer;
}
const NODES = [connectionNode, readMeasurements as unknown as NodeInitializer, core('common/25-catch.js'), core('common/90-comment.js')];

const READ = '3a11e7e5c0de0002';
const VALUES = '3a11e7e5c0de0003';
const HEALTH = '3a11e7e5c0de0004';
const ERRORS = '3a11e7e5c0de0006';
/** The example's pace (instantaneous every 2 s, energies every 60 s), sped up 10 times. */
const POLL_SECONDS = 0.2;
const SLOW_SECONDS = 6;

const collect = messagesUntil;

const hasEnergies = (msg: NodeMessage): boolean => typeof (msg.payload as Record<string, unknown>).EaPos === 'number';

/** A meter's msgs from its first with energies on, when two fast polls without energies followed it. */
function afterEnergies(got: NodeMessage[], unitId: number): NodeMessage[] | undefined {
  const mine = got.filter((m) => m.unitId === unitId);
  const first = mine.findIndex(hasEnergies);
  if (first < 0) return undefined;
  const rest = mine.slice(first);
  return rest.length >= 3 ? rest : undefined;
}

describe('the many-meters example: one read node for every meter of a line', function () {
  this.timeout(20_000);
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('sends a msg per meter with its name from the meter list and its model, energies at the slow rate, and each meter\'s health', async function () {
    const { example, flow } = exampleFlow('many-meters.json', sim);
    assert.equal(example.find((n) => n.id === READ)!.unitIds, '5-6');
    const fast: FlowNode[] = flow.map((node) => {
      if (node.id === READ) return { ...node, pollSeconds: POLL_SECONDS, slowSeconds: SLOW_SECONDS };
      if (node.type === 'socomec-connection') return { ...node, timeoutMs: TEST_TIMEOUT_MS };
      return node;
    });
    await helper.load(NODES, [flowTab(), ...fast.map((node) => ('x' in node ? { ...node, z: FLOW_ID } : node))]);
    const errors: unknown[] = [];
    helper.getNode(ERRORS)!.on('input', (msg: NodeMessage) => errors.push(msg.error));

    const [values, health] = await Promise.all([
      collect(VALUES, (got) => afterEnergies(got, 5) !== undefined && afterEnergies(got, 6) !== undefined),
      collect(HEALTH, (got) => [5, 6].every((unitId) => got.some((m) => m.unitId === unitId && (m.payload as { reads: number }).reads >= 2))),
    ]);

    for (const [unitId, name] of [[5, 'incomer'], [6, 'feeder']] as const) {
      const [withEnergies, ...fastOnes] = afterEnergies(values, unitId)!;
      for (const msg of [withEnergies, ...fastOnes]) {
        assert.deepEqual([msg.meter, msg.model, msg.modelName, msg.topic], [name, 'A20', 'DIRIS A-20', `diris/${unitId}`], `unit ${unitId}`);
        assert.equal(typeof (msg.payload as Record<string, unknown>).V1, 'number');
      }
      // The energies came with the instantaneous values, and the next fast polls read only those.
      assert.equal(typeof (withEnergies.payload as Record<string, unknown>).ErPos, 'number');
      assert.deepEqual(fastOnes.slice(0, 2).map(hasEnergies), [false, false], `unit ${unitId}: energies read at the fast rate`);

      const last = health.filter((m) => m.unitId === unitId).at(-1)!;
      assert.equal(last.topic, `diris/${unitId}/health`);
      assert.equal(last.meter, name);
      const payload = last.payload as Record<string, unknown>;
      assert.deepEqual([payload.unitId, payload.errors, payload.timeouts, payload.lastError], [unitId, 0, 0, undefined]);
      assert.ok((payload.reads as number) >= 2);
      assert.equal(typeof payload.lastSuccessAt, 'number');
      assert.equal(typeof payload.lastLatencyMs, 'number');
    }
    assert.deepEqual(errors, []);
  });
});
