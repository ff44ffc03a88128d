/**
 * The config node's saved settings -> a LinkConfig, and the unit id lists its scan takes.
 * Plain functions (no Node-RED), kept apart because socomec-connection.ts can only `export =`.
 */
import type { LinkConfig, TransportKind } from '../transport';
import { MAX_UNIT_ID, MIN_UNIT_ID } from './common';

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

/** Unit ids to scan: an array, "1-10, 20", or { from, to }; default 1..10. Throws a plain-words Error when bad. */
export function parseUnitIdList(value: unknown, range?: { from?: unknown; to?: unknown }): number[] {
  const ids = new Set<number>();
  const add = (id: number, said: unknown): void => {
    if (!Number.isInteger(id) || id < MIN_UNIT_ID || id > MAX_UNIT_ID) {
      throw new Error(`unit id ${JSON.stringify(said)} is not an integer ${MIN_UNIT_ID}..${MAX_UNIT_ID}`);
    }
    ids.add(id);
  };
  const addRange = (from: number, to: number, said: unknown): void => {
    add(from, said);
    add(to, said);
    if (to < from) throw new Error(`unit id range ${JSON.stringify(said)} ends before it starts`);
    for (let id = from; id <= to; id++) ids.add(id);
  };
  if (Array.isArray(value)) {
    for (const item of value) add(typeof item === 'number' ? item : Number(item), item);
  } else if (typeof value === 'string' && value.trim() !== '') {
    for (const part of value.replace(/\s*-\s*/g, '-').split(/[\s,;]+/).filter((p) => p !== '')) {
      const match = /^(\d+)\s*-\s*(\d+)$/.exec(part);
      if (match) addRange(Number(match[1]), Number(match[2]), part);
      else add(Number(part), part);
    }
  } else if (range !== undefined && (range.from !== undefined || range.to !== undefined)) {
    const from = Number(range.from ?? range.to);
    const to = Number(range.to ?? range.from);
    addRange(from, to, `${String(range.from)}..${String(range.to)}`);
  } else {
    addRange(DEFAULT_SCAN_RANGE.from, DEFAULT_SCAN_RANGE.to, 'default');
  }
  return [...ids].sort((a, b) => a - b);
}


/** The scan's own, shorter request timeout: a missing unit id should cost little. */
export function scanTimeoutMs(config: LinkConfig): number {
  const configured = config.timeoutMs ?? 1000;
  // Serial at low baud needs the time to carry the identification block (~100 words).
  return config.transport === 'rtu' ? configured : Math.min(configured, 500);
}

