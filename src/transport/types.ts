/**
 * One Modbus link, knowing nothing of Socomec: open/close, one request in flight,
 * a fair bounded queue, timeouts, per-unit health and reconnect backoff.
 */

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
  /** Backoff for a unit id that stopped answering (defaults 1 s .. 60 s, doubling). */
  unitBackoffInitialMs?: number;
  unitBackoffMaxMs?: number;
}

export type LinkState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export type LinkErrorKind =
  | 'timeout' // no answer in time
  | 'exception' // the meter answered with a Modbus exception
  | 'link' // socket/port down, could not open
  | 'framing' // bad CRC, bad length, answer that does not match the request
  | 'queue-full' // too many requests waiting
  | 'backoff' // the unit id is in backoff after repeated timeouts; not sent
  | 'closed' // the link was closed while the request waited
  | 'input'; // the request itself is invalid (address, count, value)

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

export interface LinkEvents {
  state: (state: LinkState, detail?: string) => void;
}
