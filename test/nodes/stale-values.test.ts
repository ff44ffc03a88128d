/**
 * The stale-values example, in the real runtime with Node-RED's own trigger, change,
 * status and catch nodes: once reads fail, the flow says "offline" and why, instead of
 * leaving the last values standing as if live; it says "online" again when values return.
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
  nextMessage,
  startTestSimulator,
  type FlowNode,
  type NodeInitializer,
  type TestSimulator,
} from '../helpers/node-red';

const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
function core(file: string): NodeInitializer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(coreNodes, 'core', file)) as NodeInitializer;
}
const NODES = [
  connectionNode,
  readMeasurements as unknown as NodeInitializer,
  core('function/15-change.js'),
  core('function/89-trigger.js'),
  core('common/25-status.js'),
  core('common/25-catch.js'),
  core('common/90-comment.js'),
];

const READ = '57a1e0c0de000002';
const VALUES = '57a1e0c0de000003';
const AVAILABILITY = '57a1e0c0de000006';
const STATUS = '57a1e0c0de000008';
const WHY = '57a1e0c0de00000a';
const POLL_SECONDS = 0.1;

/** The next msg at `nodeId` whose payload (or msg.status) passes `accept`. */
function nextWhere(nodeId: string, accept: (msg: NodeMessage) => boolean, timeoutMs = 5000): Promise<NodeMessage> {
  const node = helper.getNode(nodeId)!;
  return new Promise<NodeMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      node.removeListener('input', onInput as never);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a matching msg at "${nodeId}"`));
    }, timeoutMs);
    const onInput = (msg: NodeMessage): void => {
      if (!accept(msg)) return;
      clearTimeout(timer);
      node.removeListener('input', onInput as never);
      resolve(msg);
    };
    node.on('input', onInput);
  });
}

describe('the stale-values example: a flow that never shows old values as live', function () {
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('says online while values come, offline two poll intervals after they stop, with the status and the cause, and online again', async function () {
    const { flow } = exampleFlow('stale-values.json', sim);
    // The example's pace (5 s polls, offline after 10 s), sped up: two poll intervals stay two poll intervals.
    const fast: FlowNode[] = flow.map((node) => {
      if (node.id === READ) return { ...node, pollSeconds: POLL_SECONDS };
      if (node.type === 'trigger') return { ...node, duration: String(POLL_SECONDS * 2 * 1000), units: 'ms' };
      if (node.type === 'socomec-connection') return { ...node, timeoutMs: TEST_TIMEOUT_MS, retries: 0 };
      return node;
    });
    await helper.load(NODES, [flowTab(), ...fast.map((node) => ('x' in node ? { ...node, z: FLOW_ID } : node))]);
    // It polls on its own: the next poll brings values, and says online.
    const onlineFirst = nextWhere(AVAILABILITY, (msg) => msg.payload === 'online');
    const first = await nextMessage(VALUES);
    assert.equal(typeof (first.payload as Record<string, unknown>).V1, 'number');
    assert.ok(Math.abs(Date.now() - (first.timestamp as number)) < 60_000, 'msg.timestamp is when the meter answered');
    await onlineFirst;

    // The meter stops answering: no value may stand as live.
    const offline = nextWhere(AVAILABILITY, (msg) => msg.payload === 'offline');
    const trouble = nextWhere(STATUS, (msg) => (msg.status as { fill?: string }).fill !== 'green');
    const why = nextMessage(WHY);
    sim.server.faults.silentUnits.add(5);
    await offline;
    const status = (await trouble).status as { fill: string; text: string };
    assert.deepEqual([status.fill, status.text], ['yellow', 'no answer']);
    assert.match(((await why).error as { message: string }).message, /^meter 5 on tcp 127\.0\.0\.1:\d+: .*instantaneous \(50512\).*no answer/);

    // It answers again: online, and a green status with the time of the read.
    const onlineAgain = nextWhere(AVAILABILITY, (msg) => msg.payload === 'online');
    const green = nextWhere(STATUS, (msg) => (msg.status as { fill?: string }).fill === 'green');
    sim.server.faults.silentUnits.delete(5);
    await onlineAgain;
    assert.match(((await green).status as { text: string }).text, / \d\d:\d\d:\d\d$/);
  });
});
