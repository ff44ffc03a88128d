/**
 * The config node's saved settings -> a LinkConfig, and the unit id lists its scan takes.
 * Plain functions (no Node-RED), kept apart because socomec-connection.ts can only `export =`.
 */
import type { LinkConfig, TransportKind } from '../transport';
import { MAX_READ_REGISTERS } from '../modbus/limits';
import { MAX_UNIT_ID, MIN_UNIT_ID } from './input-parsing';
import { NodeInputError } from './node-errors';

/** The config node's properties as the editor saves them (numbers may arrive as strings). */
export interface ConnectionSettings {
  name?: string;
  transport?: string;
  host?: string;
  port?: number | string;
  serialPath?: string;
  baudRate?: number | string;
  dataBits?: number | string;
  parity?: string;
  stopBits?: number | string;
  timeoutMs?: number | string;
  retries?: number | string;
  /** Blank: derived from the baud rate on serial lines, 0 on TCP. */
  interRequestDelayMs?: number | string;
  reconnectInitialMs?: number | string;
  reconnectMaxMs?: number | string;
  queueLimit?: number | string;
  /** Blank: 10 x timeoutMs. */
  queueTimeoutMs?: number | string;
  /** Longest backoff of a meter that stopped answering; blank: 60000. */
  unitBackoffMaxMs?: number | string;
  /** The meters on the line by unit id: "5=incomer, 6=pv". */
  meters?: string;
}

/** Blank means "use the default"; anything else must be a number (a wrong one is named by the link's validation). */
function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return typeof value === 'number' ? value : Number(String(value).trim());
}

/** The LinkConfig for a config node's saved (or the editor's current) settings. */
export function linkConfigFromSettings(settings: ConnectionSettings): LinkConfig {
  const transport = (settings.transport || 'tcp') as TransportKind;
  const config: LinkConfig = {
    transport,
    timeoutMs: optionalNumber(settings.timeoutMs) ?? 1000,
    retries: optionalNumber(settings.retries) ?? 1,
    interRequestDelayMs: optionalNumber(settings.interRequestDelayMs),
    reconnectInitialMs: optionalNumber(settings.reconnectInitialMs),
    reconnectMaxMs: optionalNumber(settings.reconnectMaxMs),
    queueLimit: optionalNumber(settings.queueLimit),
    queueTimeoutMs: optionalNumber(settings.queueTimeoutMs),
    unitBackoffMaxMs: optionalNumber(settings.unitBackoffMaxMs),
  };
  if (transport === 'rtu') {
    config.path = typeof settings.serialPath === 'string' ? settings.serialPath.trim() : settings.serialPath;
    config.baudRate = optionalNumber(settings.baudRate) ?? 9600;
    config.dataBits = (optionalNumber(settings.dataBits) ?? 8) as 7 | 8;
    config.parity = (settings.parity || 'none') as 'none' | 'even' | 'odd';
    config.stopBits = (optionalNumber(settings.stopBits) ?? 1) as 1 | 2;
  } else {
    config.host = typeof settings.host === 'string' ? settings.host.trim() : settings.host;
    config.port = optionalNumber(settings.port) ?? 502;
  }
  // Unset keys stay out, so the link's own defaults apply.
  for (const key of Object.keys(config) as (keyof LinkConfig)[]) {
    if (config[key] === undefined) delete config[key];
  }
  return config;
}

const DEFAULT_SCAN_RANGE = { from: 1, to: 10 };

/**
 * The longest unit id list taken as text: every id 1..247 written out one by one, comma
 * and space after each, fits. Anything longer is refused before it is looked at.
 */
export const MAX_UNIT_ID_LIST_CHARS = 2048;

/**
 * Unit ids to scan: an array, "1-10, 20", or { from, to }; default 1..10. Throws a
 * NodeInputError with a reason when bad. Linear in the input, and an over-long list is refused at once.
 */
export function parseUnitIdList(value: unknown, range?: { from?: unknown; to?: unknown }): number[] {
  const ids = new Set<number>();
  const idOf = (text: string, said: unknown): number => {
    const id = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(id) || id < MIN_UNIT_ID || id > MAX_UNIT_ID) {
      throw new NodeInputError({ code: 'listUnitId', got: shown(said), min: MIN_UNIT_ID, max: MAX_UNIT_ID });
    }
    return id;
  };
  const addRange = (from: number, to: number, said: unknown): void => {
    if (to < from) throw new NodeInputError({ code: 'unitIdRangeBackwards', got: shown(said) });
    for (let id = from; id <= to; id++) ids.add(id);
  };
  if (Array.isArray(value)) {
    if (value.length > MAX_UNIT_ID - MIN_UNIT_ID + 1) {
      throw new NodeInputError({ code: 'tooManyUnitIds', count: value.length, max: MAX_UNIT_ID - MIN_UNIT_ID + 1 });
    }
    for (const item of value) ids.add(idOf(idText(item), item));
  } else if (typeof value === 'string' && value.length > MAX_UNIT_ID_LIST_CHARS) {
    throw new NodeInputError({ code: 'unitIdListTooLong', length: value.length, max: MAX_UNIT_ID_LIST_CHARS });
  } else if (typeof value === 'string' && value.trim() !== '') {
    for (const item of unitIdListItems(value)) {
      const dash = item.indexOf('-');
      if (dash > 0) addRange(idOf(item.slice(0, dash), item), idOf(item.slice(dash + 1), item), item);
      else ids.add(idOf(item, item));
    }
  } else if (range !== undefined && (range.from !== undefined || range.to !== undefined)) {
    const brief = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? idText(v).slice(0, 24) : shown(v));
    const said = `${brief(range.from)}..${brief(range.to)}`;
    addRange(idOf(idText(range.from ?? range.to), said), idOf(idText(range.to ?? range.from), said), said);
  } else {
    addRange(DEFAULT_SCAN_RANGE.from, DEFAULT_SCAN_RANGE.to, 'default');
  }
  return [...ids].sort((a, b) => a - b);
}

/** A number or a string as the text of a unit id; anything else is no unit id. */
function idText(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
}

/** A value for an error message: short, and never throwing (a hostile object has no string). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  return `(${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`})`;
}

/** "1 - 10, 20;30" -> ["1-10", "20", "30"]: split on separators, then join the pieces of a range. One pass. */
function unitIdListItems(text: string): string[] {
  const items: string[] = [];
  for (const piece of text.split(/[\s,;]+/)) {
    if (piece === '') continue;
    const last = items.length - 1;
    if (last >= 0 && (items[last].endsWith('-') || piece.startsWith('-'))) items[last] += piece;
    else items.push(piece);
  }
  return items;
}

/** Longest per-unit-id timeout of a scan on TCP kinds: a missing unit id should cost little. */
export const SCAN_TIMEOUT_CAP_MS = 500;

/**
 * The scan's own request timeout: the connection's, capped. On serial the cap leaves the
 * meter its 250 ms and the time the largest identification reply (125 registers) takes on
 * the wire at the baud rate.
 */
export function scanTimeoutMs(config: LinkConfig): number {
  const configured = config.timeoutMs ?? 1000;
  if (config.transport !== 'rtu') return Math.min(configured, SCAN_TIMEOUT_CAP_MS);
  const baudRate = config.baudRate ?? 9600;
  const wireMs = (11 * (8 + 5 + 2 * MAX_READ_REGISTERS) * 1000) / baudRate;
  return Math.min(configured, Math.ceil(250 + wireMs));
}
