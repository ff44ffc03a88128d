import type { LinkErrorKind } from './types';

/** Extra facts a LinkError can carry. */
export interface LinkErrorDetails {
  modbusCode?: number;
  unitId?: number;
  cause?: unknown;
}

/** Every failure of the transport, with a kind callers can switch on and a plain-words message. */
export class LinkError extends Error {
  readonly kind: LinkErrorKind;
  readonly modbusCode?: number;
  readonly unitId?: number;

  constructor(kind: LinkErrorKind, message: string, details: LinkErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LinkError';
    this.kind = kind;
    if (details.modbusCode !== undefined) this.modbusCode = details.modbusCode;
    if (details.unitId !== undefined) this.unitId = details.unitId;
  }
}

const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target failed to respond',
};

/** The Modbus specification's name for an exception code. */
export function modbusExceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? `unknown exception ${code}`;
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

function unitPrefix(ctx: ErrorContext): string {
  return ctx.unitId === undefined ? '' : `unit ${ctx.unitId}: `;
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
    const at = ctx.address === undefined ? '' : ` at ${ctx.address}`;
    return new LinkError(
      'exception',
      `${unitPrefix(ctx)}Modbus exception ${modbusCode} (${modbusExceptionName(modbusCode)})${at}`,
      { modbusCode, unitId, cause: err },
    );
  }
  const errno = field(err, 'errno');
  const code = field(err, 'code');
  const name = field(err, 'name');
  const text = textOf(err);
  if (errno === 'ETIMEDOUT' || name === 'TransactionTimedOutError') {
    const within = ctx.timeoutMs === undefined ? '' : ` within ${ctx.timeoutMs} ms`;
    const tries = ctx.attempts !== undefined && ctx.attempts > 1 ? ` (${ctx.attempts} attempts)` : '';
    return new LinkError('timeout', `${unitPrefix(ctx)}no answer${within}${tries}`, { unitId, cause: err });
  }
  if (FRAMING_PATTERN.test(text)) {
    return new LinkError('framing', `${unitPrefix(ctx)}bad reply: ${text}`, { unitId, cause: err });
  }
  const linkCode = typeof code === 'string' ? code : typeof errno === 'string' ? errno : undefined;
  if (
    (linkCode !== undefined && LINK_CODES.has(linkCode)) ||
    name === 'PortNotOpenError' ||
    /port not open|not open|closed|disconnected/i.test(text)
  ) {
    return new LinkError('link', `link to ${ctx.link} is down: ${text}`, { unitId, cause: err });
  }
  // Anything else is still a failure of the link, not of the caller's input.
  return new LinkError('link', `link to ${ctx.link}: ${text}`, { unitId, cause: err });
}
