/**
 * Shared pieces for node tests: the real Node-RED runtime through
 * node-red-node-test-helper, a DIRIS simulator on a free loopback port with a clock the
 * test controls, a socomec-connection config node pointing at it, and small awaitable
 * views of what nodes send, report and show (no sleeps: every wait is on an event,
 * bounded by a timeout that names what did not come).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeMessage } from 'node-red';
import socomecConnection from '../../src/nodes/socomec-connection';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';

/** A node as it appears in a flow. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  wires?: string[][];
  [property: string]: unknown;
}

/** The node initializer a node file exports (`export = function (RED) {...}`). */
export type NodeInitializer = (RED: never) => void;

/** What the tests use of a runtime node (a helper node, or one of ours). */
export interface TestNode {
  id: string;
  type: string;
  on(event: 'input', listener: (msg: NodeMessage) => void): void;
  on(event: string, listener: (...args: never[]) => void): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
  receive(msg: NodeMessage): void;
  [property: string]: unknown;
}

/** A sinon spy call as node-red-node-test-helper emits it with 'call:<method>'. */
export interface SpyCall {
  args: unknown[];
}

/** The supertest agent on the runtime's admin app (helper.request()). */
export interface AdminRequest {
  get(url: string): AdminTest;
  post(url: string): AdminTest;
}
export interface AdminTest extends PromiseLike<{ status: number; body: unknown; text: string }> {
  send(body: unknown): AdminTest;
  set(header: string, value: string): AdminTest;
  expect(status: number): AdminTest;
}

/** node-red-node-test-helper, typed for what the tests use. */
export interface TestHelper {
  init(runtimePath: string, userSettings?: object): void;
  load(nodes: NodeInitializer | NodeInitializer[], flow: FlowNode[], credentials?: object): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode | null;
  setFlows(flow: FlowNode[], type?: 'full' | 'flows' | 'nodes', credentials?: object): Promise<void>;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): AdminRequest;
  settings(userSettings?: object): object;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper: TestHelper = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'));

/** The config node's initializer, to pass to helper.load() with the node under test. */
export const connectionNode = socomecConnection as unknown as NodeInitializer;

/** The flow tab every test flow uses. */
export const FLOW_ID = 'flow';
export const CONNECTION_ID = 'conn';

/** Short enough that "no answer" shows quickly in tests, long enough for a loaded CI machine. */
export const TEST_TIMEOUT_MS = 400;

/** A clock the test moves by hand, so the simulator's values stay put between a read and the check. */
export class ManualClock {
  constructor(public nowMs: number = Date.now()) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface TestSimulator extends Simulator {
  clock: ManualClock;
}

/**
 * A DIRIS simulator over loopback TCP on a free port, unit ids 5 and 6 by default,
 * with a manual clock (frozen unless the test advances it).
 */
export async function startTestSimulator(options: Partial<SimulatorOptions> = {}): Promise<TestSimulator> {
  const clock = new ManualClock();
  const sim = await startSimulator({
    transport: 'tcp',
    host: '127.0.0.1',
    port: 0,
    unitIds: [5, 6],
    seed: 11,
    clock: clock.now,
    ...options,
  });
  return Object.assign(sim, { clock });
}

/** A socomec-connection config node to a simulator (or any TCP port) on loopback. */
export function connectionConfig(target: { port: number } | number, overrides: Record<string, unknown> = {}): FlowNode {
  const port = typeof target === 'number' ? target : target.port;
  return {
    id: CONNECTION_ID,
    type: 'socomec-connection',
    z: FLOW_ID,
    name: 'simulator',
    transport: 'tcp',
    host: '127.0.0.1',
    port,
    timeoutMs: TEST_TIMEOUT_MS,
    retries: 0,
    reconnectInitialMs: 100,
    reconnectMaxMs: 1000,
    queueLimit: 100,
    ...overrides,
  };
}

/** A socomec-read-measurements node on the test connection, wired to helper "out"; overrides change its settings. */
export function readMeasurementsDef(overrides: Record<string, unknown> = {}, id = 'read'): FlowNode {
  return {
    id,
    type: 'socomec-read-measurements',
    z: FLOW_ID,
    name: '',
    connection: CONNECTION_ID,
    unitId: 5,
    topic: '',
    groups: ['instantaneous', 'energies'],
    table: 'standard',
    pollSeconds: 0,
    outputMode: 'single',
    wires: [['out']],
    ...at(),
    ...overrides,
  };
}

/** A helper node (collects what it receives). */
export function helperNode(id: string): FlowNode {
  return { id, type: 'helper', z: FLOW_ID, ...at() };
}

let nextY = 0;
/**
 * An editor position. The runtime tells flow nodes from config nodes by x/y: a flow
 * node without them would be started as a config node.
 */
export function at(): { x: number; y: number } {
  nextY = (nextY + 40) % 4000;
  return { x: 200, y: nextY };
}

/** A catch node for every node of the flow, wired to a helper node `caughtId`. */
export function catchAll(id = 'catcher', caughtId = 'caught'): FlowNode[] {
  return [
    { id, type: 'catch', z: FLOW_ID, scope: null, uncaught: false, wires: [[caughtId]], ...at() },
    helperNode(caughtId),
  ];
}

/** The flow tab node. */
export function flowTab(): FlowNode {
  return { id: FLOW_ID, type: 'tab', label: 'test' };
}

function requireNode(id: string): TestNode {
  const node = helper.getNode(id);
  if (node === null || node === undefined) throw new Error(`node "${id}" is not in the running flow`);
  return node;
}

/**
 * Resolve with `what`'s result, or reject after `ms` naming what did not happen; the
 * timer is cleared either way.
 */
export function within<T>(ms: number, what: string, start: (resolve: (value: T) => void, reject: (err: Error) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => undefined;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    cleanup = start(
      (value) => {
        clearTimeout(timer);
        cleanup();
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        cleanup();
        reject(err);
      },
    );
  });
}

/** The next `count` messages a helper node receives (in order). */
export function nextMessages(nodeId: string, count: number, timeoutMs = 5000): Promise<NodeMessage[]> {
  const node = requireNode(nodeId);
  const got: NodeMessage[] = [];
  return within(timeoutMs, `${count} message(s) at "${nodeId}"`, (resolve) => {
    const onInput = (msg: NodeMessage): void => {
      got.push(msg);
      if (got.length === count) resolve(got);
    };
    node.on('input', onInput);
    return () => node.removeListener('input', onInput as never);
  });
}

/** Every msg a helper node receives from now until `done` says enough (in order). */
export function messagesUntil(nodeId: string, done: (got: NodeMessage[]) => boolean, timeoutMs = 10_000): Promise<NodeMessage[]> {
  const node = requireNode(nodeId);
  const got: NodeMessage[] = [];
  return within(timeoutMs, `enough messages at "${nodeId}"`, (resolve) => {
    const onInput = (msg: NodeMessage): void => {
      got.push(msg);
      if (done(got)) resolve(got);
    };
    node.on('input', onInput);
    return () => node.removeListener('input', onInput as never);
  });
}

/** The next message a helper node receives. */
export async function nextMessage(nodeId: string, timeoutMs = 5000): Promise<NodeMessage> {
  const [msg] = await nextMessages(nodeId, 1, timeoutMs);
  return msg;
}

/** The next status a node sets that matches `accept` (the node under test, not a helper). */
export function nextStatus(
  nodeId: string,
  accept: (status: { fill?: string; shape?: string; text?: string }) => boolean = () => true,
  timeoutMs = 5000,
): Promise<{ fill?: string; shape?: string; text?: string }> {
  const node = requireNode(nodeId);
  return within(timeoutMs, `a matching status on "${nodeId}"`, (resolve) => {
    const onStatus = (call: SpyCall): void => {
      const status = call.args[0];
      const normalized = typeof status === 'string' ? { text: status } : (status as { fill?: string; shape?: string; text?: string });
      if (accept(normalized)) resolve(normalized);
    };
    node.on('call:status', onStatus as never);
    return () => node.removeListener('call:status', onStatus as never);
  });
}

/** The next error a node reports (node.error / done(err)): the error and the msg it came with. */
export function nextError(nodeId: string, timeoutMs = 5000): Promise<{ error: unknown; message: string; msg: NodeMessage | undefined }> {
  const node = requireNode(nodeId);
  return within(timeoutMs, `an error from "${nodeId}"`, (resolve) => {
    const onError = (call: SpyCall): void => {
      const [error, msg] = call.args;
      const message = error instanceof Error ? error.message : String(error);
      resolve({ error, message, msg: msg as NodeMessage | undefined });
    };
    node.on('call:error', onError as never);
    return () => node.removeListener('call:error', onError as never);
  });
}

/** Send a msg into a node of the running flow. */
export function inject(nodeId: string, msg: NodeMessage = {}): void {
  requireNode(nodeId).receive(msg);
}

/**
 * The kinds of handles that hold sockets, ports, servers and timers open, counted by
 * kind (process.getActiveResourcesInfo()). Mocha's own (its timeout timer, stdio) are
 * counted in the baseline a test takes first.
 */
export function openResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/**
 * The baseline to compare with after a test closed what it opened. Taken on the next
 * turn of the event loop: mocha arms its own timeout timer just after starting a test.
 */
export async function resourceBaseline(): Promise<Map<string, number>> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return openResources();
}

const LEAK_KINDS = ['TCPSocketWrap', 'TCPServerWrap', 'TTYWrap', 'FSReqCallback', 'Timeout', 'PipeWrap'];

/** Kinds that are above the baseline now: "TCPSocketWrap +1". */
export function resourcesAbove(baseline: Map<string, number>): string[] {
  const now = openResources();
  return LEAK_KINDS.filter((kind) => (now.get(kind) ?? 0) > (baseline.get(kind) ?? 0)).map(
    (kind) => `${kind} +${(now.get(kind) ?? 0) - (baseline.get(kind) ?? 0)}`,
  );
}

/**
 * Wait until no more handles are open than in `baseline` (a closed socket's handle goes
 * away on a later turn of the event loop), checking once per turn with setImmediate (a
 * timer of our own would count itself); reject naming what is still open after `timeoutMs`.
 */
export function resourcesBackTo(baseline: Map<string, number>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      const above = resourcesAbove(baseline);
      if (above.length === 0) resolve();
      else if (Date.now() > deadline) reject(new Error(`still open after ${timeoutMs} ms: ${above.join(', ')}`));
      else setImmediate(check);
    };
    check();
  });
}

/** Node-RED's own inject node, for loading example flows. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const injectNode = require('@node-red/nodes/core/common/20-inject.js') as NodeInitializer;

/**
 * An example flow from examples/, ready to load against a test simulator: its connection
 * points at the simulator's free port (the example says 5020), and its debug nodes become
 * helper nodes a test can listen on.
 */
export function exampleFlow(name: string, sim: { port: number }): { example: FlowNode[]; flow: FlowNode[] } {
  const example = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', name), 'utf8')) as FlowNode[];
  const flow = example.map((n) =>
    n.type === 'socomec-connection' ? { ...n, port: sim.port } : n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y } : n,
  );
  return { example, flow };
}
