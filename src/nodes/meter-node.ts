/**
 * One lifecycle for every Socomec flow node: defineMeterNode({ type, parse, work }) creates
 * the node, checks its settings (a bad one: a red "bad settings" status, the reason in the
 * log, and every msg failed with it), attaches it to its connection, runs its work on each
 * input and on its poll, turns failures into a status and done(err), and on close stops
 * the poll and lets go of the link before calling done. A node file is its parse and its work.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { ModelChoice } from '../device';
import { attachConnection, NotAttachedError, type AttachedConnection } from './connection-attachment';
import { resolveUnitId } from './input-parsing';
import { asError, errorStatus, explainError, type FailureContext } from './node-errors';
import { parseSavedConfig, rejectInputs } from './node-lifecycle';
import { brokenStatus } from './node-status';

/** What every flow node's parsed settings hold. */
export interface MeterNodeSettings {
  /** The configured unit id (msg.unitId overrides it per msg). */
  unitId: number;
  /** What the node reads or writes, for messages: "measurements", "alarms (36176)"... */
  block: string;
  /** The node's topic setting ("" or absent: the msg's, else "diris/<unitId>"). */
  topic?: string;
  model?: ModelChoice;
  /** Read without input: every `poll` seconds (0 or absent: never), or 'once' right after deploy. */
  poll?: number | 'once';
}

/** A flow node's saved config as the runtime hands it over. */
export interface MeterNodeDef extends NodeDef {
  connection?: string;
  [setting: string]: unknown;
}

/** One exchange with the meter for a msg (undefined for a poll): the msgs to send (none is fine). */
export type MeterWork = (msg: NodeMessageInFlow | undefined, unitId: number, where: FailureContext) => Promise<NodeMessage[]>;

/** What a node's work has at hand. */
export interface MeterNodeContext<S extends MeterNodeSettings> {
  readonly node: Node;
  readonly settings: S;
  readonly attached: AttachedConnection;
  /** True once the node is closing: set no status any more. */
  readonly closed: boolean;
  /**
   * The output msg: the incoming msg's other properties kept, with payload, units, unitId,
   * topic, timestamp (when the reply arrived) and diagnostics ({ link, requests, ...more }).
   */
  output(msg: NodeMessage | undefined, unitId: number, reading: OutputReading, extra?: Record<string, unknown>): NodeMessage;
  /** Show a status unless the node is closing. */
  status(status: NodeStatus): void;
}

/** What a read gives an output msg. */
export interface OutputReading {
  payload: unknown;
  units?: Record<string, string>;
  timestamp: number;
  /** Requests the exchange took (msg.diagnostics.requests). */
  requests: number;
  /** More diagnostics ("writes" for write-settings). */
  diagnostics?: Record<string, unknown>;
  /** Topic suffix ("<topic>/<key>" for one msg per value). */
  topicSuffix?: string;
}

export interface MeterNodeDefinition<D extends MeterNodeDef, S extends MeterNodeSettings> {
  type: string;
  /** The node's settings, checked once at deploy; throws a NodeInputError saying what is wrong. */
  parse(def: D): S;
  /** The node's work, made once per deployed node (it may keep state, e.g. the last alarms seen). */
  work(context: MeterNodeContext<S>): MeterWork;
}

/** The topic for an output: the node's topic, else the incoming msg's, else "diris/<unitId>". */
export function outputTopic(nodeTopic: string | undefined, msg: NodeMessage | undefined, unitId: number): string {
  if (typeof nodeTopic === 'string' && nodeTopic.trim() !== '') return nodeTopic.trim();
  if (msg !== undefined && typeof msg.topic === 'string' && msg.topic !== '') return msg.topic;
  return `diris/${unitId}`;
}

/** Register a Socomec flow node type. */
export function defineMeterNode<D extends MeterNodeDef, S extends MeterNodeSettings>(RED: NodeAPI, definition: MeterNodeDefinition<D, S>): void {
  function MeterNode(this: Node, def: D): void {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: D): void {
    let settings: S;
    let attached: AttachedConnection;
    try {
      settings = parseSavedConfig(node, definition.type, def, definition.parse);
      attached = attachConnection(RED, node, def.connection, { model: settings.model });
    } catch (err) {
      rejectInputs(node, asError(err), err instanceof NotAttachedError ? err.status : brokenStatus('badSettings'));
      return;
    }
    let closed = false;
    const context: MeterNodeContext<S> = {
      node,
      settings,
      attached,
      get closed() {
        return closed;
      },
      output: (msg, unitId, reading, extra = {}) => {
        const topic = outputTopic(settings.topic, msg, unitId);
        return {
          ...(msg ?? {}),
          payload: reading.payload,
          units: reading.units ?? {},
          unitId,
          topic: reading.topicSuffix === undefined ? topic : `${topic}/${reading.topicSuffix}`,
          timestamp: reading.timestamp,
          ...extra,
          diagnostics: { link: attached.describe(), requests: reading.requests, ...reading.diagnostics },
        };
      },
      status: (status) => {
        if (!closed) node.status(status);
      },
    };
    const work = definition.work(context);

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      const where: FailureContext = { link: attached.describe(), block: settings.block };
      new Promise<NodeMessage[]>((resolve) => {
        where.unitId = resolveUnitId(msg, settings.unitId);
        resolve(work(msg, where.unitId, where));
      }).then(
        (messages) => {
          if (messages.length > 0 && !closed) send([messages]);
          done();
        },
        (err: unknown) => {
          context.status(errorStatus(err));
          done(explainError(err, where));
        },
      );
    });

    const poller = startPoller(settings.poll, pollTick(node, context, work));

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      poller.stop();
      node.status({});
      attached.release(removed).then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType(definition.type, MeterNode);
}

/**
 * One poll of the configured meter: its msgs are sent unless the node closed meanwhile. A
 * failure shows on the status at every poll and reaches a Catch node when it differs from
 * the last one, so a meter that stays silent does not flood the log.
 */
function pollTick<S extends MeterNodeSettings>(node: Node, context: MeterNodeContext<S>, work: MeterWork): () => Promise<void> {
  let lastError: string | undefined;
  const { settings } = context;
  return async () => {
    const where: FailureContext = { unitId: settings.unitId, link: context.attached.describe(), block: settings.block };
    try {
      const messages = await work(undefined, settings.unitId, where);
      lastError = undefined;
      if (!context.closed && messages.length > 0) node.send([messages]);
    } catch (err) {
      if (context.closed) return;
      node.status(errorStatus(err));
      const explained = explainError(err, where);
      if (explained.message === lastError) return;
      lastError = explained.message;
      node.error(explained, { topic: outputTopic(settings.topic, undefined, settings.unitId), unitId: settings.unitId });
    }
  };
}

/**
 * Call `tick` every `every` seconds (0 or absent: never; 'once': once), the first time
 * right after deploy; returns the function that stops it. A tick that comes while the
 * previous read still runs is skipped, so polls never pile up behind a slow or silent
 * meter. A rejection that escapes the tick is swallowed so it never goes unhandled.
 */
export function startPoller(every: number | 'once' | undefined, tick: () => Promise<void>): { stop(): void } {
  if (every !== 'once' && !(typeof every === 'number' && every > 0)) return { stop: () => undefined };
  let busy = false;
  let stopped = false;
  const run = (): void => {
    if (stopped || busy) return;
    busy = true;
    tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  };
  // After the flow has started, so the output wires and the link exist.
  const first = setTimeout(run, 0);
  const interval = every === 'once' ? undefined : setInterval(run, Math.max(1, Math.round(every * 1000)));
  return {
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(interval);
    },
  };
}
