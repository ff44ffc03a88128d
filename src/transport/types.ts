/**
 * One Modbus link, knowing nothing of Socomec: open/close, one request in flight,
 * a fair bounded queue, timeouts, per-unit health and reconnect backoff.
 */
import type { ErrorReason } from './reasons';

export type TransportKind = 'tcp' | 'rtu' | 'rtu-over-tcp';

export interface LinkConfig {
  transport: TransportKind;
  /** tcp and rtu-over-tcp */
  host?: string;
  port?: number;
  /** rtu */
  path?: string;
  baudRate?: number;
  dataBits?: 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  /** Per-request timeout in ms (default 1000). */
  timeoutMs?: number;
  /** Extra attempts after a timeout (default 1). Exceptions are never retried. */
  retries?: number;
  /** Silence between two requests in ms; on serial derived from the baud rate when unset. */
  interRequestDelayMs?: number;
  /** Reconnect backoff (defaults 500 ms .. 30 s, doubling). */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** Most requests waiting at once (default 100); beyond it requests fail at once. */
  queueLimit?: number;
  /** Longest a request may wait in the queue unsent before it fails with 'queue-timeout' (default 10 x timeoutMs). */
  queueTimeoutMs?: number;
  /** Backoff for a unit id that stopped answering (defaults 1 s .. 60 s, doubling). */
  unitBackoffInitialMs?: number;
  unitBackoffMaxMs?: number;
  /** Consecutive requests without an answer before a unit id is backed off (default 2). */
  unitBackoffAfter?: number;
  /** How long one open (TCP connect, serial open) may take (default max(timeoutMs, 3000)). */
  connectTimeoutMs?: number;
}

export type LinkState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Every kind of LinkError, as a runtime list (the README's troubleshooting table is checked against it). */
export const LINK_ERROR_KINDS = [
  'timeout', // no answer in time
  'exception', // the meter answered with a Modbus exception
  'link', // socket/port down, could not open
  'framing', // bad CRC, bad length, answer that does not match the request
  'queue-full', // too many requests waiting
  'queue-timeout', // waited longer than queueTimeoutMs without being sent
  'backoff', // the unit id is in backoff after repeated timeouts; not sent
  'closed', // the link was closed while the request waited
  'input', // the request itself is invalid (address, count, value)
] as const;

export type LinkErrorKind = (typeof LINK_ERROR_KINDS)[number];

export interface LinkStats {
  requests: number;
  errors: number;
  timeouts: number;
  reconnects: number;
  lastError?: string;
  lastErrorAt?: number;
}

export interface UnitHealth {
  unitId: number;
  consecutiveFailures: number;
  /** Epoch ms until which requests for this unit fail at once with kind 'backoff'. */
  backoffUntil: number;
  lastSuccessAt?: number;
  lastError?: string;
}

/**
 * The events a ModbusLink emits, as Node's typed EventEmitter map: 'state' with the new
 * state and, for 'reconnecting', why the link went down.
 */
export interface LinkEvents {
  state: [state: LinkState, detail?: string, reason?: ErrorReason];
}

/** Who asked, and how urgent: used by the fair queue. */
export interface RequestOptions {
  /** Who sends this request (e.g. a flow node id); sources take turns in the queue. */
  source?: string;
  /** 'high' (writes, commands) goes before every waiting 'normal' request. */
  priority?: 'normal' | 'high';
  /** Extra attempts after a timeout for this request (default: the link's `retries`); a scan uses 0. */
  retries?: number;
}

/** LinkConfig after validation, with every default filled in. */
export interface NormalizedLinkConfig {
  readonly transport: TransportKind;
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly baudRate: number;
  readonly dataBits: 7 | 8;
  readonly parity: 'none' | 'even' | 'odd';
  readonly stopBits: 1 | 2;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly interRequestDelayMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly queueLimit: number;
  readonly queueTimeoutMs: number;
  readonly unitBackoffInitialMs: number;
  readonly unitBackoffMaxMs: number;
  /** Consecutive requests without an answer before a unit id is backed off. */
  readonly unitBackoffAfter: number;
  /** How long one open (TCP connect, serial open) may take. */
  readonly connectTimeoutMs: number;
  /** After a timeout or a bad reply: the line must be silent this long before the next request. */
  readonly quietGuardMs: number;
}

/** What the link holds right now; for diagnostics and leak checks. */
export interface LinkDiagnostics {
  queued: number;
  inFlight: boolean;
  /** Listeners on the client, its port and the socket / serial port under it. */
  listeners: number;
  /** Unit ids with a health record (bounded by 248). */
  unitsTracked: number;
  /** Timers the link itself holds (reconnect, expiry, waits). */
  timers: number;
}
