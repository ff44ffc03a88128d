import { englishTransportPhrase, reasonOf, systemErrorReason, textReason, TRANSPORT_PHRASES, wordReason, type ErrorReason } from './reasons';
import type { LinkErrorKind } from './types';

/** Extra facts a LinkError can carry. */
export interface LinkErrorDetails {
  modbusCode?: number;
  unitId?: number;
  cause?: unknown;
}

/** Reasons said of one unit id: the English message starts "unit 5: ". */
const UNIT_CODES = new Set(['timeout', 'exception', 'crcError', 'replyLength', 'badReply', 'unitBackoff', 'unitProbing', 'queueDeadline']);

/**
 * Every failure of the transport, with a kind callers can switch on, a reason (a stable code
 * and its parameters) and the reason's English words as the message.
 */
export class LinkError extends Error {
  readonly kind: LinkErrorKind;
  readonly reason: ErrorReason;
  readonly modbusCode?: number;
  readonly unitId?: number;

  /** `why`: a reason (worded here in English), or a message of its own. */
  constructor(kind: LinkErrorKind, why: string | ErrorReason, details: LinkErrorDetails = {}) {
    const reason = typeof why === 'string' ? textReason(why) : why;
    const unit = typeof why !== 'string' && details.unitId !== undefined && UNIT_CODES.has(why.code) ? `unit ${details.unitId}: ` : '';
    super(`${unit}${wordReason(reason, englishTransportPhrase)}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LinkError';
    this.kind = kind;
    this.reason = reason;
    if (details.modbusCode !== undefined) this.modbusCode = details.modbusCode;
    if (details.unitId !== undefined) this.unitId = details.unitId;
  }
}

/** The Modbus specification's name for an exception code, as a reason of its own (its words in every language). */
function exceptionNameReason(code: number): ErrorReason {
  return TRANSPORT_PHRASES[`exception${code}`] === undefined ? { code: 'exceptionUnknown', modbusCode: code } : { code: `exception${code}` };
}

/** The Modbus specification's name for an exception code. */
export function modbusExceptionName(code: number): string {
  return wordReason(exceptionNameReason(code), englishTransportPhrase);
}

/** Where an error happened, to word its message. */
export interface ErrorContext {
  /** Short name of the link, e.g. "127.0.0.1:502" or "/dev/ttyUSB0". */
  link: string;
  unitId?: number;
  /** First register of the request. */
  address?: number;
  timeoutMs?: number;
  /** How many times the request was sent. */
  attempts?: number;
}

/** errno / code values that mean the socket or port is gone or unreachable. */
const LINK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
  'EACCES',
  'EBUSY',
  'EIO',
  'ENXIO',
  'LINK_LOST',
]);

/** Messages modbus-serial uses for replies that do not fit the request. */
const FRAMING_PATTERN = /CRC error|Data length error|Unexpected data error|out of range|does not match/i;

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

function textOf(err: unknown): string {
  const message = field(err, 'message');
  if (typeof message === 'string' && message !== '') return message;
  if (typeof err === 'string') return err;
  const name = field(err, 'name');
  return typeof name === 'string' ? name : String(err);
}

function isLinkError(err: unknown): err is LinkError {
  // modbus-serial and several copies of this module may meet: judge by shape, never instanceof.
  return field(err, 'name') === 'LinkError' && typeof field(err, 'kind') === 'string';
}

/**
 * Turn whatever modbus-serial, a socket or a serial port threw into a LinkError.
 * modbus-serial's timeouts and "Port Not Open" are plain objects, not Errors, so this
 * looks at modbusCode / errno / code / name / message only.
 */
export function classifyError(err: unknown, ctx: ErrorContext): LinkError {
  if (isLinkError(err)) return err;
  const unitId = ctx.unitId;
  const modbusCode = field(err, 'modbusCode');
  if (typeof modbusCode === 'number') {
    return new LinkError('exception', { code: 'exception', modbusCode, name: exceptionNameReason(modbusCode), address: ctx.address }, { modbusCode, unitId, cause: err });
  }
  const errno = field(err, 'errno');
  const code = field(err, 'code');
  const name = field(err, 'name');
  const text = textOf(err);
  if (errno === 'ETIMEDOUT' || name === 'TransactionTimedOutError') {
    const attempts = ctx.attempts !== undefined && ctx.attempts > 1 ? ctx.attempts : undefined;
    return new LinkError('timeout', { code: 'timeout', timeoutMs: ctx.timeoutMs, attempts }, { unitId, cause: err });
  }
  if (/CRC error/i.test(text)) return new LinkError('framing', { code: 'crcError' }, { unitId, cause: err });
  if (FRAMING_PATTERN.test(text)) return new LinkError('framing', { code: 'badReply', detail: text }, { unitId, cause: err });
  const linkCode = typeof code === 'string' ? code : typeof errno === 'string' ? errno : undefined;
  if (
    (linkCode !== undefined && LINK_CODES.has(linkCode)) ||
    name === 'PortNotOpenError' ||
    /port not open|not open|closed|disconnected/i.test(text)
  ) {
    return new LinkError('link', { code: 'linkDown', link: ctx.link, detail: reasonOf(err) ?? systemErrorReason(err) }, { unitId, cause: err });
  }
  // Anything else is still a failure of the link, not of the caller's input.
  return new LinkError('link', { code: 'linkFailed', link: ctx.link, detail: reasonOf(err) ?? systemErrorReason(err) }, { unitId, cause: err });
}
