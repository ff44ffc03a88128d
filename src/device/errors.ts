/**
 * Errors are values with a kind, created here and turned into status text in one place
 * (describeError), so every node words failures the same way.
 */
import { reasonOf, textReason, wordReason, type ErrorReason } from '../transport/reasons';
import { englishPhrase } from './reasons';

export const DEVICE_ERROR_KINDS = [
  'input', // the caller asked for something invalid; nothing was sent
  'not-socomec', // the unit id answers but is not a Socomec meter
  'unsupported-model', // a Socomec product this package has no register table for
  'model-mismatch', // the node pins a model the meter says it is not
  'verify', // a write was accepted but the read-back differs
  'timeout',
  'exception',
  'link',
  'framing',
  'queue-full',
  'queue-timeout',
  'backoff',
  'closed',
] as const;

export type DeviceErrorKind = (typeof DEVICE_ERROR_KINDS)[number];

export interface DeviceErrorDetails {
  /** The meter's name ("meter 5 on tcp 10.0.0.9:502"), said before the reason in the message. */
  meter?: string;
  unitId?: number;
  link?: string;
  block?: string;
  problems?: string[];
  modbusCode?: number;
  /** A settings write undone after a failure: the keys written back to their old values. */
  restored?: string[];
  /** A settings write that could not be undone: what is changed on the meter now, by key. */
  changedOnMeter?: Record<string, { from: unknown; to: unknown }>;
  cause?: unknown;
}

/**
 * A failure of a meter or of what was asked of it: a kind callers can switch on, a reason
 * (a stable code and its parameters, nested reasons for a link failure's cause or a list of
 * problems) and the reason's English words as the message.
 */
export class DeviceError extends Error {
  readonly kind: DeviceErrorKind;
  readonly reason: ErrorReason;
  readonly unitId?: number;
  readonly block?: string;
  readonly problems?: string[];
  readonly modbusCode?: number;
  readonly restored?: string[];
  readonly changedOnMeter?: Record<string, { from: unknown; to: unknown }>;

  /** `why`: a reason (worded here in English), or a message of its own. */
  constructor(kind: DeviceErrorKind, why: string | ErrorReason, details: DeviceErrorDetails = {}) {
    const reason = typeof why === 'string' ? textReason(why) : why;
    const words = typeof why === 'string' ? why : wordReason(why, englishPhrase);
    super(details.meter === undefined ? words : `${details.meter}: ${words}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DeviceError';
    this.kind = kind;
    this.reason = reason;
    this.unitId = details.unitId;
    this.block = details.block;
    this.problems = details.problems ?? problemsOf(reason);
    this.modbusCode = details.modbusCode;
    if (details.restored !== undefined) this.restored = details.restored;
    if (details.changedOnMeter !== undefined) this.changedOnMeter = details.changedOnMeter;
  }
}

/** The English words of each problem a reason lists. */
function problemsOf(reason: ErrorReason): string[] | undefined {
  const problems = reason.problems;
  return Array.isArray(problems) && problems.every((p) => typeof p === 'object') ? (problems as ErrorReason[]).map((p) => wordReason(p, englishPhrase)) : undefined;
}

const LINK_KINDS = new Set(['timeout', 'exception', 'link', 'framing', 'queue-full', 'queue-timeout', 'backoff', 'closed', 'input']);

function property(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** "meter 5 on tcp 127.0.0.1:502" */
export function meterName(unitId: number | undefined, link?: string): string {
  const unit = unitId === undefined ? 'meter' : `meter ${unitId}`;
  return link ? `${unit} on ${link}` : unit;
}

/** The `kind` of an error from the link or the device (modbus-serial's plain objects have none). */
export function errorKind(err: unknown): unknown {
  return property(err, 'kind');
}

/**
 * Wraps whatever a link threw into a DeviceError naming the meter, the block and the cause.
 * Classifies by the `kind` / `modbusCode` properties, never by instanceof (modbus-serial
 * rejects with plain objects).
 */
export function toDeviceError(err: unknown, context: { unitId: number; link?: string; block?: string; action: ErrorReason }): DeviceError {
  if (err instanceof DeviceError) return err;
  const rawKind = property(err, 'kind');
  const modbusCode = property(err, 'modbusCode');
  const kind = (typeof rawKind === 'string' && LINK_KINDS.has(rawKind) ? rawKind : typeof modbusCode === 'number' ? 'exception' : 'link') as DeviceErrorKind;
  const cause = reasonOf(err) ?? textReason(String(property(err, 'message') ?? String(err)));
  return new DeviceError(kind, { code: 'requestFailed', action: context.action, block: context.block, cause }, {
    meter: meterName(context.unitId, context.link),
    unitId: context.unitId,
    link: context.link,
    block: context.block,
    modbusCode: typeof modbusCode === 'number' ? modbusCode : undefined,
    cause: err,
  });
}

/** Short status text and colour for a node status: yellow for what usually passes by itself, red otherwise. */
export function describeError(err: unknown): { text: string; fill: 'red' | 'yellow' } {
  const kind = property(err, 'kind');
  switch (kind) {
    case 'timeout':
      return { text: 'no answer', fill: 'yellow' };
    case 'backoff':
      return { text: 'meter silent, backing off', fill: 'yellow' };
    case 'queue-full':
      return { text: 'queue full', fill: 'yellow' };
    case 'queue-timeout':
      return { text: 'line busy: waited too long', fill: 'yellow' };
    case 'link':
      return { text: 'link down', fill: 'red' };
    case 'closed':
      return { text: 'link closed', fill: 'yellow' };
    case 'framing':
      return { text: 'bad reply', fill: 'red' };
    case 'exception': {
      const code = property(err, 'modbusCode');
      return { text: typeof code === 'number' ? `exception ${code}` : 'exception', fill: 'red' };
    }
    case 'input':
      return { text: 'bad input', fill: 'red' };
    case 'not-socomec':
      return { text: 'not a Socomec meter', fill: 'red' };
    case 'unsupported-model':
      return { text: 'model not supported', fill: 'red' };
    case 'model-mismatch':
      return { text: 'wrong model pinned', fill: 'red' };
    case 'verify':
      return { text: 'read-back differs', fill: 'red' };
    default:
      return { text: 'error', fill: 'red' };
  }
}
