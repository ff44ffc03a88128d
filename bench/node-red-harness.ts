/**
 * What the Node-RED benchmark sections share: the parts of node-red-node-test-helper they use,
 * loading a plain JavaScript node module, and taking the helper's sinon spies off the runtime
 * (a spy records every call for ever: fine in a test, a leak and a cost in a benchmark).
 */
import type { Node, NodeAPI } from 'node-red';

export type NodeModule = (RED: NodeAPI) => void;

/** The parts of node-red-node-test-helper used here (it ships no types). */
export interface TestHelper {
  init(runtimePath: string, settings?: object): void;
  load(nodes: NodeModule[], flow: object[]): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): Node;
  _sandbox: { restore(): void };
  _logSpy?: { restore(): void };
  _NodePrototype: Record<string, unknown>;
}

/** The node methods the helper wraps in sinon spies (its PROXY_METHODS). */
const SPIED_METHODS = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'];

function isSpy(value: unknown): boolean {
  return typeof value === 'function' && typeof (value as { getCalls?: unknown }).getCalls === 'function';
}

/**
 * Takes every sinon spy the helper installed off the runtime. Restoring the helper's sandbox puts
 * back Node.prototype's methods, but Node-RED copies `send` onto each wired node when it creates
 * it, so those copies (spies that record every msg for ever) must be replaced one by one. Returns
 * how many such copies were replaced; throws if any spy is left anywhere.
 */
export function removeSpies(helper: TestHelper, nodeIds: readonly string[]): number {
  helper._sandbox.restore();
  helper._logSpy?.restore();
  const proto = helper._NodePrototype;
  let replaced = 0;
  for (const id of nodeIds) {
    const node = helper.getNode(id) as unknown as Record<string, unknown>;
    for (const method of SPIED_METHODS) {
      if (Object.prototype.hasOwnProperty.call(node, method) && isSpy(node[method])) {
        node[method] = proto[method];
        replaced++;
      }
    }
  }
  const left = [
    ...SPIED_METHODS.filter((m) => isSpy(proto[m])).map((m) => `Node.prototype.${m}`),
    ...nodeIds.flatMap((id) => SPIED_METHODS.filter((m) => isSpy((helper.getNode(id) as unknown as Record<string, unknown>)[m])).map((m) => `${id}.${m}`)),
  ];
  if (left.length > 0) throw new Error(`sinon spies left on ${left.join(', ')}`);
  return replaced;
}

/** A plain JavaScript node module without types, loaded as Node-RED loads it. */
export function loadModule(id: string): NodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as NodeModule;
}
