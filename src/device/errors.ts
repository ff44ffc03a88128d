/**
 * Errors are values with a kind, created here and turned into status text in one place
 * (describeError), so every node words failures the same way.
 */
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

export class DeviceError extends Error {
  readonly kind: DeviceErrorKind;
  readonly unitId?: number;
  readonly block?: string;
  readonly problems?: string[];
  readonly modbusCode?: number;
  readonly restored?: string[];
  readonly changedOnMeter?: Record<string, { from: unknown; to: unknown }>;

  constructor(kind: DeviceErrorKind, message: string, details: DeviceErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DeviceError';
    this.kind = kind;
    this.unitId = details.unitId;
    this.block = details.block;
    this.problems = details.problems;
    this.modbusCode = details.modbusCode;
    if (details.restored !== undefined) this.restored = details.restored;
    if (details.changedOnMeter !== undefined) this.changedOnMeter = details.changedOnMeter;
  }
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
export function toDeviceError(err: unknown, context: { unitId: number; link?: string; block?: string; action: string }): DeviceError {
  if (err instanceof DeviceError) return err;
  const rawKind = property(err, 'kind');
  const modbusCode = property(err, 'modbusCode');
  const kind = (typeof rawKind === 'string' && LINK_KINDS.has(rawKind) ? rawKind : typeof modbusCode === 'number' ? 'exception' : 'link') as DeviceErrorKind;
  const cause = property(err, 'message') ?? String(err);
  const where = context.block ? ` (${context.block})` : '';
  return new DeviceError(kind, `${meterName(context.unitId, context.link)}: ${context.action}${where} failed: ${String(cause)}`, {
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
