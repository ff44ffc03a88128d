import { LinkError } from './errors';
import type { LinkConfig, NormalizedLinkConfig, TransportKind } from './types';

const TRANSPORTS: readonly TransportKind[] = ['tcp', 'rtu', 'rtu-over-tcp'];
const PARITIES = ['none', 'even', 'odd'] as const;
/** Default queue deadline, in request timeouts. */
export const QUEUE_TIMEOUTS = 10;

function bad(fieldName: string, expected: string, got: unknown): LinkError {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  return new LinkError('input', `link config: ${fieldName} must be ${expected}, got ${shown}`);
}

function integerIn(value: unknown, fieldName: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(fieldName, `an integer ${min}..${max}`, value);
  }
  return value;
}

function numberIn(value: unknown, fieldName: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw bad(fieldName, `a number ${min}..${max}`, value);
  }
  return value;
}

/** Bits on the wire for one character: start + data + parity + stop. */
export function bitsPerCharacter(config: Pick<NormalizedLinkConfig, 'dataBits' | 'parity' | 'stopBits'>): number {
  return 1 + config.dataBits + (config.parity === 'none' ? 0 : 1) + config.stopBits;
}

/** The RTU inter-frame silence: 3.5 character times, fixed at 1.75 ms above 19200 baud. */
export function rtuFrameGapMs(config: Pick<NormalizedLinkConfig, 'baudRate' | 'dataBits' | 'parity' | 'stopBits'>): number {
  if (config.baudRate > 19200) return 1.75;
  return (3.5 * bitsPerCharacter(config) * 1000) / config.baudRate;
}

function validHost(host: unknown): string {
  if (typeof host !== 'string' || host.trim() === '' || /\s/.test(host) || host.length > 253) {
    throw bad('host', 'a host name or IP address', host);
  }
  return host;
}

/** Check a LinkConfig and fill in the defaults; a bad field throws a LinkError kind 'input' naming it. */
export function normalizeLinkConfig(config: LinkConfig): NormalizedLinkConfig {
  if (typeof config !== 'object' || config === null) {
    throw new LinkError('input', 'link config: expected an object');
  }
  const transport = config.transport;
  if (!TRANSPORTS.includes(transport)) {
    throw bad('transport', `one of ${TRANSPORTS.join(', ')}`, transport);
  }
  const isSerial = transport === 'rtu';
  let host: string | undefined;
  let port: number | undefined;
  let path: string | undefined;
  if (isSerial) {
    if (typeof config.path !== 'string' || config.path.trim() === '') {
      throw bad('path', 'a serial port path such as /dev/ttyUSB0 or COM3', config.path);
    }
    path = config.path;
  } else {
    host = validHost(config.host);
    if (config.port === undefined) throw bad('port', 'an integer 1..65535', undefined);
    port = integerIn(config.port, 'port', 1, 65535, 502);
  }
  const baudRate = integerIn(config.baudRate, 'baudRate', 50, 4_000_000, 9600);
  const dataBits = config.dataBits ?? 8;
  if (dataBits !== 7 && dataBits !== 8) throw bad('dataBits', '7 or 8', dataBits);
  const parity = config.parity ?? 'none';
  if (!PARITIES.includes(parity)) throw bad('parity', `one of ${PARITIES.join(', ')}`, parity);
  const stopBits = config.stopBits ?? 1;
  if (stopBits !== 1 && stopBits !== 2) throw bad('stopBits', '1 or 2', stopBits);

  const timeoutMs = integerIn(config.timeoutMs, 'timeoutMs', 1, 600_000, 1000);
  const retries = integerIn(config.retries, 'retries', 0, 10, 1);
  const serialGap = rtuFrameGapMs({ baudRate, dataBits, parity, stopBits });
  const interRequestDelayMs = numberIn(config.interRequestDelayMs, 'interRequestDelayMs', 0, 60_000, isSerial ? serialGap : 0);
  const reconnectInitialMs = integerIn(config.reconnectInitialMs, 'reconnectInitialMs', 1, 3_600_000, 500);
  const reconnectMaxMs = integerIn(config.reconnectMaxMs, 'reconnectMaxMs', 1, 3_600_000, Math.max(30_000, reconnectInitialMs));
  if (reconnectMaxMs < reconnectInitialMs) {
    throw bad('reconnectMaxMs', `at least reconnectInitialMs (${reconnectInitialMs})`, reconnectMaxMs);
  }
  const queueLimit = integerIn(config.queueLimit, 'queueLimit', 1, 100_000, 100);
  const queueTimeoutMs = integerIn(config.queueTimeoutMs, 'queueTimeoutMs', 1, 3_600_000, QUEUE_TIMEOUTS * timeoutMs);
  const unitBackoffInitialMs = integerIn(config.unitBackoffInitialMs, 'unitBackoffInitialMs', 1, 3_600_000, 1000);
  const unitBackoffMaxMs = integerIn(config.unitBackoffMaxMs, 'unitBackoffMaxMs', 1, 3_600_000, Math.max(60_000, unitBackoffInitialMs));
  if (unitBackoffMaxMs < unitBackoffInitialMs) {
    throw bad('unitBackoffMaxMs', `at least unitBackoffInitialMs (${unitBackoffInitialMs})`, unitBackoffMaxMs);
  }
  const unitBackoffAfter = integerIn(config.unitBackoffAfter, 'unitBackoffAfter', 1, 1000, 2);
  const connectTimeoutMs = integerIn(config.connectTimeoutMs, 'connectTimeoutMs', 1, 600_000, Math.max(timeoutMs, 3000));
  // Long enough for a USB adapter's latency timer (16 ms) or a gateway's packetizing,
  // short enough not to matter next to the timeout that caused it.
  const quietGuardMs = isSerial
    ? Math.max(20, Math.ceil(4 * serialGap))
    : Math.min(100, Math.max(20, Math.ceil(timeoutMs / 10)));

  return {
    transport,
    host,
    port,
    path,
    baudRate,
    dataBits,
    parity,
    stopBits,
    timeoutMs,
    retries,
    interRequestDelayMs,
    reconnectInitialMs,
    reconnectMaxMs,
    queueLimit,
    queueTimeoutMs,
    unitBackoffInitialMs,
    unitBackoffMaxMs,
    unitBackoffAfter,
    connectTimeoutMs,
    quietGuardMs,
  };
}

/** Where the link goes, for messages: "127.0.0.1:502" or "/dev/ttyUSB0". */
export function linkAddress(config: Pick<LinkConfig, 'transport' | 'host' | 'port' | 'path'>): string {
  return config.transport === 'rtu' ? String(config.path) : `${config.host}:${config.port}`;
}

/** One line naming a link: "tcp 127.0.0.1:502", "rtu /dev/ttyUSB0 9600 8N1", "rtu-over-tcp 10.0.0.5:4001". */
export function describeLink(config: LinkConfig): string {
  if (config.transport === 'rtu') {
    const parity = (config.parity ?? 'none')[0].toUpperCase();
    return `rtu ${config.path} ${config.baudRate ?? 9600} ${config.dataBits ?? 8}${parity}${config.stopBits ?? 1}`;
  }
  return `${config.transport} ${linkAddress(config)}`;
}
