/**
 * What every Socomec flow node shares: the config-node contract, unit id resolution,
 * the one place where errors become a status and done(err), the link status, the
 * poller and the output builder. Node-RED specifics live here and in the node files
 * only; the device and transport know nothing of Node-RED.
 */
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { describeError, DirisDevice, meterName, type DeviceOptions } from '../device';
import type { LinkConfig, LinkState, LinkStats, ModbusLink } from '../transport';
import { linkDownText, statusText } from './status-text';

/** Socomec's examples and most installations use unit id 5. */
export const DEFAULT_UNIT_ID = 5;
export const MIN_UNIT_ID = 1;
export const MAX_UNIT_ID = 247;

export type LinkStateListener = (state: LinkState, detail?: string) => void;

/** The counters the editor shows for a connection. */
export interface ConnectionStats extends LinkStats {
  state: LinkState;
  /** Flow nodes using the link right now. */
  users: number;
  link: string;
}

/** The socomec-connection config node as flow nodes see it. */
export interface ConnectionNode extends Node {
  /** The link, created on first use (one per config node). */
  readonly link: ModbusLink;
  /** The settings the link is (or will be) built from. */
  readonly linkConfig: LinkConfig;
  /** A short name of the link for messages: "tcp 127.0.0.1:502", "rtu /dev/ttyUSB0 9600 8N1". */
  describe(): string;
  /** Register a flow node as a user of the link; opens it lazily. */
  acquire(nodeId: string): ModbusLink;
  /** The flow node no longer uses the link; the last one out closes it. */
  release(nodeId: string): void;
  /** Follow the link's state, also across a link being re-created; returns the unsubscribe function. */
  onState(listener: LinkStateListener): () => void;
  /** The link's state now ('idle' before anything was sent). */
  state(): LinkState;
  stats(): ConnectionStats;
}

export const CONNECTION_TYPE = 'socomec-connection';

/** The config-node instance behind a flow node's `connection` property, or undefined when missing. */
export function getConnection(RED: NodeAPI, connectionId: unknown): ConnectionNode | undefined {
  if (typeof connectionId !== 'string' || connectionId === '') return undefined;
  const found = RED.nodes.getNode(connectionId) as Node | null;
  if (found === null || found === undefined || found.type !== CONNECTION_TYPE) return undefined;
  return found as ConnectionNode;
}

/** A bad msg property or node setting: the caller's input, not the meter, is wrong. */
export class NodeInputError extends Error {
  readonly kind = 'input' as const;
  readonly unitId?: number;
  readonly problems?: string[];

  constructor(message: string, details: { unitId?: number; problems?: string[] } = {}) {
    super(message);
    this.name = 'NodeInputError';
    if (details.unitId !== undefined) this.unitId = details.unitId;
    if (details.problems !== undefined) this.problems = details.problems;
  }
}

function isValidUnitId(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_UNIT_ID && value <= MAX_UNIT_ID;
}

/** A unit id written as text: decimal digits only ("0x5", "1e0", "5.0" are no unit ids). */
function unitIdFromText(text: string): number {
  const trimmed = text.trim();
  return /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : NaN;
}

/** Parse a unit id from a node config value ("5", 5, "" -> default). */
export function configuredUnitId(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_UNIT_ID;
  const parsed = typeof value === 'number' ? value : unitIdFromText(String(value));
  if (!isValidUnitId(parsed)) {
    throw new NodeInputError(`unit id ${JSON.stringify(value)} in the node settings is not an integer ${MIN_UNIT_ID}..${MAX_UNIT_ID}`);
  }
  return parsed;
}

/**
 * The unit id a message asks for: msg.unitId when present (a number or a string of
 * decimal digits), else the node's configured one. A bad msg.unitId throws a NodeInputError
 * naming it, rather than silently reading another meter.
 */
export function resolveUnitId(msg: NodeMessage | undefined, configured: number): number {
  const requested = msg?.unitId;
  if (requested === undefined || requested === null || requested === '') return configured;
  const parsed = typeof requested === 'number' ? requested : typeof requested === 'string' ? unitIdFromText(requested) : NaN;
  if (!isValidUnitId(parsed)) {
    throw new NodeInputError(
      `msg.unitId must be an integer ${MIN_UNIT_ID}..${MAX_UNIT_ID}, got ${JSON.stringify(requested) ?? String(requested)}`,
    );
  }
  return parsed;
}

/** Parse a setting that must be a whole number of seconds >= 0 ("" -> 0). */
export function configuredSeconds(value: unknown, what: string): number {
  if (value === undefined || value === null || value === '') return 0;
  const parsed = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 86_400) {
    throw new NodeInputError(`${what} ${JSON.stringify(value)} is not a number of seconds 0..86400`);
  }
  return parsed;
}

/** Where a failure happened, to word the message. */
export interface FailureContext {
  unitId?: number;
  /** The link's description (ConnectionNode.describe()). */
  link?: string;
  /** What was being read or written: "measurements", "identity", "application settings"... */
  block?: string;
}

function fieldOf(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** The message of anything thrown (modbus-serial rejects with plain objects, not Errors). */
export function messageOf(err: unknown): string {
  const message = fieldOf(err, 'message');
  if (typeof message === 'string' && message !== '') return message;
  if (typeof err === 'string') return err;
  return String(err);
}

/**
 * One error whose message names the meter (unit id on link), the block and the cause,
 * keeping the original's kind, unit id, block, problems and modbusCode so a Catch node
 * (and describeError) can still tell them apart.
 */
export function explainError(err: unknown, where: FailureContext): Error {
  let cause = messageOf(err);
  const unitFromError = fieldOf(err, 'unitId');
  const unitId = where.unitId ?? (typeof unitFromError === 'number' ? unitFromError : undefined);
  const blockFromError = fieldOf(err, 'block');
  const block = typeof blockFromError === 'string' && blockFromError !== '' ? blockFromError : where.block;
  const meter = meterName(unitId, where.link);
  let message: string;
  if (cause.startsWith(meter)) {
    message = cause;
  } else {
    // The device and the link start some messages with "meter 5:" or "unit 5:"; say it once, with the link.
    const shortPrefix = unitId === undefined ? undefined : [`meter ${unitId}: `, `unit ${unitId}: `].find((p) => cause.startsWith(p));
    if (shortPrefix !== undefined) cause = cause.slice(shortPrefix.length);
    const blockPart = block !== undefined && !cause.includes(block) ? `${block}: ` : '';
    message = `${meter}: ${blockPart}${cause}`;
  }
  const explained = new Error(message, { cause: err }) as Error & Record<string, unknown>;
  const name = fieldOf(err, 'name');
  explained.name = typeof name === 'string' ? name : 'Error';
  // A Catch node shows String(err): the plain message reads better than "DeviceError: ...".
  explained.toString = () => message;
  for (const key of ['kind', 'modbusCode', 'problems', 'restored', 'changedOnMeter']) {
    const value = fieldOf(err, key);
    if (value !== undefined) explained[key] = value;
  }
  if (unitId !== undefined) explained.unitId = unitId;
  if (block !== undefined) explained.block = block;
  return explained;
}

/** Status words (keys of the locale's "status" section) for each error kind; 'link' and 'exception' are worded below. */
const ERROR_WORDS: Readonly<Record<string, string>> = {
  timeout: 'noAnswer',
  backoff: 'backoff',
  'queue-full': 'queueFull',
  'queue-timeout': 'queueTimeout',
  'unsupported-model': 'unsupportedModel',
  'model-mismatch': 'modelMismatch',
  closed: 'linkClosed',
  framing: 'badReply',
  input: 'badInput',
  'not-socomec': 'notSocomec',
  verify: 'readBackDiffers',
};

/**
 * A short red/yellow status for an error; yellow for passing trouble (timeouts, backoff,
 * busy link). A link that is down reads as the link's own status does ("link down:
 * ECONNREFUSED", "port missing"), so the two never take turns.
 */
export function errorStatus(err: unknown): NodeStatus {
  let fill: 'red' | 'yellow';
  try {
    fill = describeError(err).fill;
  } catch {
    fill = 'red';
  }
  const kind = fieldOf(err, 'kind');
  if (kind === 'link') return { fill: 'red', shape: 'ring', text: linkDownText(messageOf(err)) };
  let text: string;
  if (kind === 'exception') {
    const code = fieldOf(err, 'modbusCode');
    text = typeof code === 'number' ? statusText('exception', { code: String(code) }) : statusText('exceptionPlain');
  } else {
    text = statusText(typeof kind === 'string' && Object.hasOwn(ERROR_WORDS, kind) ? ERROR_WORDS[kind] : 'error');
  }
  return { fill, shape: fill === 'red' ? 'dot' : 'ring', text };
}

type Done = (err?: Error) => void;

/**
 * The central input-error handler: a short status on the node and done(err) with a
 * message naming the meter, the block and the cause, so a Catch node gets the
 * incoming msg together with the error.
 */
export function failInput(node: Node, err: unknown, _msg: NodeMessage, done: Done, where: FailureContext = {}): Error {
  const explained = explainError(err, where);
  node.status(errorStatus(err));
  done(explained);
  return explained;
}

/** "12:03:09" in the runtime's local time: short enough for a status. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A green status after a successful exchange: "38 values 12:03:09". */
export function successStatus(summary: string, timestamp: number): NodeStatus {
  return { fill: 'green', shape: 'dot', text: `${summary} ${clockTime(timestamp)}` };
}

/**
 * The status for a link state; undefined for 'idle' (nothing to show yet). A link that
 * went down (reconnecting, with the reason as detail) shows the reason in short words.
 */
export function linkStateStatus(state: LinkState, detail?: string): NodeStatus | undefined {
  switch (state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: statusText('connected') };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: statusText('connecting') };
    case 'reconnecting':
      return detail ? { fill: 'red', shape: 'ring', text: linkDownText(detail) } : { fill: 'yellow', shape: 'ring', text: statusText('reconnecting') };
    case 'closed':
      return { fill: 'red', shape: 'ring', text: statusText('closed') };
    default:
      return undefined;
  }
}

/**
 * Make the node's status follow the link state: green dot "connected", yellow ring
 * "connecting", red ring "link down: <cause>" while it retries, red ring "closed". One
 * steady status while the link retries for the same reason: each new attempt does not
 * show again. Returns the unsubscribe function.
 */
export function linkStatus(node: Node, connection: ConnectionNode): () => void {
  let downBecause: string | undefined;
  let shown: string | undefined;
  const show = (state: LinkState, detail?: string): void => {
    if (state === 'reconnecting' && detail) downBecause = detail;
    else if (state !== 'reconnecting') downBecause = undefined;
    const status = linkStateStatus(state, state === 'reconnecting' ? downBecause : detail);
    if (status === undefined) return;
    const said = JSON.stringify(status);
    if (said === shown) return;
    shown = said;
    node.status(status);
  };
  show(connection.state());
  return connection.onState(show);
}

/** A flow node's hold on its connection; release() in the node's close handler. */
export interface AttachedConnection {
  readonly connection: ConnectionNode;
  /** The connection's current link (the same one unless it was closed and replaced). */
  readonly link: ModbusLink;
  /** The link's description for messages. */
  describe(): string;
  /** The meter at a unit id on the current link (kept, so its read plans are made once). */
  device(unitId: number): DirisDevice;
  release(): void;
}

/**
 * Find the node's config node, register the node as a user of its link and make the
 * status follow the link. Undefined when the node has no connection or its settings are
 * bad: the node then shows a red status, logs the reason once, and fails every input
 * msg with it (rejectInputs), so the caller just returns.
 */
export function attachConnection(
  RED: NodeAPI,
  node: Node,
  connectionId: unknown,
  deviceOptions: Pick<DeviceOptions, 'model'> = {},
): AttachedConnection | undefined {
  const connection = getConnection(RED, connectionId);
  if (connection === undefined) {
    rejectInputs(
      node,
      new NodeInputError('no socomec-connection configured: open the node and choose or add a connection'),
      { fill: 'red', shape: 'ring', text: 'no connection' },
    );
    return undefined;
  }
  let current: ModbusLink;
  try {
    current = connection.acquire(node.id);
  } catch (err) {
    // Bad connection settings (a saved flow edited by hand, an old version's values).
    rejectInputs(node, new NodeInputError(`connection "${connection.name || connection.id}": ${messageOf(err)}`), {
      fill: 'red',
      shape: 'ring',
      text: 'bad connection settings',
    });
    return undefined;
  }
  const unsubscribe = linkStatus(node, connection);
  let released = false;
  let devices = new Map<number, DirisDevice>();
  let devicesLink = current;
  const attached: AttachedConnection = {
    connection,
    get link() {
      // The config node replaces a link that was closed under us; follow it while attached.
      if (!released) current = connection.acquire(node.id);
      return current;
    },
    describe: () => connection.describe(),
    device: (unitId) => {
      const link = attached.link;
      if (link !== devicesLink) {
        devices = new Map();
        devicesLink = link;
      }
      let device = devices.get(unitId);
      if (device === undefined) {
        device = new DirisDevice(link, unitId, { source: node.id, ...deviceOptions });
        devices.set(unitId, device);
      }
      return device;
    },
    release: () => {
      if (released) return;
      released = true;
      unsubscribe();
      connection.release(node.id);
    },
  };
  return attached;
}

/**
 * The input handler every flow node shares: resolve the unit id (msg.unitId or the
 * node's), run the node's work, send the messages it returns (none is fine: an
 * only-on-change node may have nothing new), and route any failure, thrown or rejected,
 * through failInput so the status and done(err) always name the meter and the block.
 * `where.block` may be refined by the work (reset's commands live in another block).
 */
export function onMeterInput(
  node: Node,
  attached: AttachedConnection,
  options: { unitId: number; block: string },
  work: (msg: NodeMessageInFlow, unitId: number, where: FailureContext) => Promise<NodeMessage[]>,
): void {
  node.on('input', (msg: NodeMessageInFlow, send, done) => {
    const where: FailureContext = { link: attached.describe(), block: options.block };
    new Promise<NodeMessage[]>((resolve) => {
      where.unitId = resolveUnitId(msg, options.unitId);
      resolve(work(msg, where.unitId, where));
    }).then(
      (messages) => {
        if (messages.length > 0) send([messages]);
        done();
      },
      (err: unknown) => failInput(node, err, msg, done, where),
    );
  });
}

/**
 * For a node that cannot work (bad settings, no connection): show `status`, log the
 * reason once, and fail every input msg with it, so no msg disappears silently.
 */
export function rejectInputs(node: Node, reason: Error, status: NodeStatus = errorStatus(reason)): void {
  node.status(status);
  node.error(reason.message);
  node.on('input', (_msg, _send, done) => {
    node.status(status);
    done(reason);
  });
}

/** Outputs every Socomec read node adds to the incoming msg. */
export interface OutputReading {
  payload: unknown;
  units?: Record<string, string>;
  timestamp: number;
}

/** The topic for an output: the node's topic, else the incoming msg's, else "diris/<unitId>". */
export function outputTopic(nodeTopic: string | undefined, msg: NodeMessage | undefined, unitId: number): string {
  if (typeof nodeTopic === 'string' && nodeTopic.trim() !== '') return nodeTopic.trim();
  if (msg !== undefined && typeof msg.topic === 'string' && msg.topic !== '') return msg.topic;
  return `diris/${unitId}`;
}

/**
 * The output msg: the incoming msg's other properties kept, with payload, units,
 * unitId, topic and timestamp (when the reply arrived) set from the reading.
 */
export function buildOutput(
  msg: NodeMessage | undefined,
  reading: OutputReading,
  options: { topic: string; unitId: number },
): NodeMessage {
  const output: NodeMessage = { ...(msg ?? {}) };
  output.payload = reading.payload;
  output.units = reading.units ?? {};
  output.unitId = options.unitId;
  output.topic = options.topic;
  output.timestamp = reading.timestamp;
  return output;
}

/** A running poller; stop() clears its timer and makes a read in progress the last. */
export interface Poller {
  stop(): void;
  /** True while a poll's read is still running. */
  readonly busy: boolean;
  /** Polls skipped because the previous one was still running. */
  readonly skipped: number;
}

/**
 * Call `tick` every `seconds` (0 = never), the first time right after deploy. A tick
 * that comes while the previous read still runs is skipped, so polls never pile up
 * behind a slow or silent meter. Errors are the tick's to handle; a rejection that
 * escapes is swallowed here so it never becomes an unhandled rejection.
 */
export function startPoller(seconds: number, tick: () => Promise<void>): Poller {
  let busy = false;
  let skipped = 0;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (busy) {
      skipped += 1;
      return;
    }
    busy = true;
    tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  };
  if (!(seconds > 0)) {
    return { stop: () => undefined, busy: false, skipped: 0 };
  }
  const first = setTimeout(run, 0);
  const interval = setInterval(run, Math.max(1, Math.round(seconds * 1000)));
  return {
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(interval);
    },
    get busy() {
      return busy;
    },
    get skipped() {
      return skipped;
    },
  };
}

/**
 * A flow node's own polling of its configured meter: `work` builds the messages of one
 * read; they are sent unless the node closed meanwhile. A failure shows on the status at
 * every poll and reaches a Catch node when it differs from the last one.
 */
export function pollMeter(
  node: Node,
  attached: AttachedConnection,
  options: { seconds: number; unitId: number; block: string; topic?: string },
  work: (msg: undefined, unitId: number) => Promise<NodeMessage[]>,
): Poller {
  const errors = pollErrorReporter(node);
  let stopped = false;
  const poller = startPoller(options.seconds, async () => {
    try {
      const messages = await work(undefined, options.unitId);
      errors.clear();
      if (!stopped && messages.length > 0) node.send([messages]);
    } catch (err) {
      if (stopped) return;
      node.status(errorStatus(err));
      const where = { unitId: options.unitId, link: attached.describe(), block: options.block };
      errors.report(explainError(err, where), { topic: outputTopic(options.topic, undefined, options.unitId), unitId: options.unitId });
    }
  });
  return {
    stop: () => {
      stopped = true;
      poller.stop();
    },
    get busy() {
      return poller.busy;
    },
    get skipped() {
      return poller.skipped;
    },
  };
}

/**
 * Report a poll failure to a Catch node only when it differs from the last one, so a
 * meter that stays silent does not flood the log with one error per poll; the status
 * shows every failure. Returns the function to call after a successful poll.
 */
export function pollErrorReporter(node: Node): { report(err: Error, msg: NodeMessage): void; clear(): void } {
  let last: string | undefined;
  return {
    report(err, msg) {
      if (err.message === last) return;
      last = err.message;
      node.error(err, msg);
    },
    clear() {
      last = undefined;
    },
  };
}

/** The string list a msg property or node setting holds: an array, or a comma/space separated string. */
export function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    return value
      .split(/[\s,]+/)
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new NodeInputError(`${what} must be an array of names or a comma separated string, got ${JSON.stringify(value)}`);
}

export type { NodeMessageInFlow };
