/**
 * Errors of the node layer: NodeInputError for a bad setting or msg property, and the one
 * place where any failure becomes a message naming the meter, the block and the cause (for
 * done(err) and a Catch node) and a short status (from the locale files).
 */
import type { NodeStatus } from 'node-red';
import { describeError, meterName } from '../device';
import { linkDownText, statusText } from './status-text';

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

/** The message of anything thrown (some libraries reject with plain objects, not Errors). */
export function messageOf(err: unknown): string {
  const message = fieldOf(err, 'message');
  if (typeof message === 'string' && message !== '') return message;
  if (typeof err === 'string') return err;
  return String(err);
}

/** Anything thrown, as an Error. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(messageOf(err));
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
