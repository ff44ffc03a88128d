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
import { errorStatus, explainError, inUserLanguage, type FailureContext } from './node-errors';
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
  /** The status the node shows now, whoever set it (the link's state, an error, the work). */
  readonly shown: NodeStatus | undefined;
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

/** What a poll reports to the node: its msgs, or its failure. */
export interface PollReport {
  /** Send a poll's msgs on the outputs (one array per output), unless the node closed meanwhile. */
  send(outputs: Array<NodeMessage[] | null>): void;
  /** The meter answered: its next failure reaches a Catch node again. */
  succeeded(unitId: number): void;
  /**
   * A poll failed: the status says so at every poll, and a Catch node gets it when it differs
   * from the meter's last failure, so a meter that stays silent does not flood the log.
   */
  failed(err: unknown, where: FailureContext, showStatus?: boolean): void;
}

/** A node's own poller: started after deploy, stopped on close (the link is let go once it has stopped). */
export interface MeterPoller {
  stop(): Promise<void> | void;
}

export interface MeterNodeDefinition<D extends MeterNodeDef, S extends MeterNodeSettings> {
  type: string;
  /** The node's settings, checked once at deploy; throws a NodeInputError saying what is wrong. */
  parse(def: D): S;
  /** The node's work, made once per deployed node (it may keep state, e.g. the last alarms seen). */
  work(context: MeterNodeContext<S>): MeterWork;
  /**
   * The node's own polling (read-measurements' line poller), instead of running `work` every
   * `settings.poll` seconds. `startDelayMs` spreads the start of the nodes deployed together.
   */
  poll?(context: MeterNodeContext<S>, work: MeterWork, report: PollReport, startDelayMs: number): MeterPoller | undefined;
}

/** The start of polls deployed together is spread over their interval, but never later than this after deploy. */
export const MAX_START_SPREAD_MS = 5000;

/**
 * When a poller with this id and interval first polls after deploy: a fixed offset within
 * min(interval, MAX_START_SPREAD_MS), from the id, so a thousand pollers deployed at once do
 * not all send in the same tick, and each keeps its place from one deploy to the next.
 */
export function startOffsetMs(id: string, everyMs: number): number {
  const span = Math.min(everyMs, MAX_START_SPREAD_MS);
  if (!(span > 0)) return 0;
  // FNV-1a: cheap, and spreads ids that differ in one character.
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return Math.floor((hash / 0x1_0000_0000) * span);
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
    // Every status the node shows passes here (the link's state too), so its work can tell whether its last one still stands.
    let shown: NodeStatus | undefined;
    const show = (status: NodeStatus): void => {
      shown = status;
      node.status(status);
    };
    let settings: S;
    let attached: AttachedConnection;
    try {
      settings = parseSavedConfig(node, definition.type, def, definition.parse);
      attached = attachConnection(RED, node, def.connection, { model: settings.model }, show);
    } catch (err) {
      rejectInputs(node, inUserLanguage(err), err instanceof NotAttachedError ? err.status : brokenStatus('badSettings'));
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
      get shown() {
        return shown;
      },
      output: (msg, unitId, reading, extra) => {
        const topic = outputTopic(settings.topic, msg, unitId);
        // Object.assign and plain assignments, not a spread with more keys after it: V8 (Node 20)
        // builds such a literal key by key on a slow path, about 0.6 µs a key on every msg.
        const out: NodeMessage = Object.assign({}, msg);
        out.payload = reading.payload;
        out.units = reading.units ?? {};
        out.unitId = unitId;
        out.topic = reading.topicSuffix === undefined ? topic : `${topic}/${reading.topicSuffix}`;
        out.timestamp = reading.timestamp;
        if (extra !== undefined) Object.assign(out, extra);
        const diagnostics: Record<string, unknown> = { link: attached.describe(), requests: reading.requests };
        out.diagnostics = reading.diagnostics === undefined ? diagnostics : Object.assign(diagnostics, reading.diagnostics);
        return out;
      },
      status: (status) => {
        if (!closed) show(status);
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
          // One msg goes as itself: Node-RED's fast path for a single msg on a single wire.
          if (messages.length > 0 && !closed) send(messages.length === 1 ? messages[0] : [messages]);
          done();
        },
        (err: unknown) => {
          context.status(errorStatus(err));
          done(explainError(err, where));
        },
      );
    });

    const report = pollReport(node, context);
    const startDelayMs = typeof settings.poll === 'number' ? startOffsetMs(node.id, settings.poll * 1000) : 0;
    const poller: MeterPoller =
      (definition.poll ? definition.poll(context, work, report, startDelayMs) : undefined) ??
      startPoller(settings.poll, pollTick(context, work, report), startDelayMs);

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      show({});
      // The read in flight settles before the link is let go.
      Promise.resolve()
        .then(() => poller.stop())
        .catch(() => undefined)
        .then(() => attached.release(removed))
        .then(
          () => done(),
          () => done(),
        );
    });
  }
  RED.nodes.registerType(definition.type, MeterNode);
}

/** Sends a poll's msgs and reports its failures (see PollReport). */
function pollReport<S extends MeterNodeSettings>(node: Node, context: MeterNodeContext<S>): PollReport {
  const lastErrors = new Map<number | undefined, string>();
  return {
    send: (outputs) => {
      if (context.closed) return;
      const [first, ...others] = outputs;
      if (others.every((messages) => messages === null || messages.length === 0)) {
        if (first !== null && first.length > 0) node.send(first.length === 1 ? first[0] : [first]);
        return;
      }
      node.send(outputs);
    },
    succeeded: (unitId) => {
      lastErrors.delete(unitId);
    },
    failed: (err, where, showStatus = true) => {
      if (context.closed) return;
      if (showStatus) context.status(errorStatus(err));
      const explained = explainError(err, where);
      if (lastErrors.get(where.unitId) === explained.message) return;
      lastErrors.set(where.unitId, explained.message);
      node.error(explained, { topic: outputTopic(context.settings.topic, undefined, where.unitId ?? context.settings.unitId), unitId: where.unitId });
    },
  };
}

/** One poll of the configured meter with the node's work. */
function pollTick<S extends MeterNodeSettings>(context: MeterNodeContext<S>, work: MeterWork, report: PollReport): () => Promise<void> {
  const { settings } = context;
  return async () => {
    const where: FailureContext = { unitId: settings.unitId, link: context.attached.describe(), block: settings.block };
    try {
      const messages = await work(undefined, settings.unitId, where);
      report.succeeded(settings.unitId);
      report.send([messages]);
    } catch (err) {
      report.failed(err, where);
    }
  };
}

/**
 * Call `tick` every `every` seconds (0 or absent: never; 'once': once), the first time
 * `startDelayMs` after deploy (right after for 'once'); returns the function that stops it.
 * A tick that comes while the previous read still runs is skipped, so polls never pile up
 * behind a slow or silent meter. A rejection that escapes the tick is swallowed so it never
 * goes unhandled.
 */
export function startPoller(every: number | 'once' | undefined, tick: () => Promise<void>, startDelayMs = 0): { stop(): void } {
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
  let interval: NodeJS.Timeout | undefined;
  // After the flow has started, so the output wires and the link exist; then on the interval from there.
  const first = setTimeout(
    () => {
      if (every !== 'once' && !stopped) interval = setInterval(run, Math.max(1, Math.round(every * 1000)));
      run();
    },
    every === 'once' ? 0 : startDelayMs,
  );
  return {
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(interval);
    },
  };
}
