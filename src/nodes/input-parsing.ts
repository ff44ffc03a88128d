/**
 * Node settings and msg properties -> checked values. Pure (no Node-RED): each function
 * returns the value or throws a NodeInputError saying what is wrong, so nothing is sent.
 */
import type { NodeMessage } from 'node-red';
import { VERSION_PROPERTY } from './config-migrations';
import type { ErrorReason } from '../transport/reasons';
import { NodeInputError } from './node-errors';
import { problemReason, schemaOf, settingProblem } from './settings-schema';

const UNIT_ID = schemaOf('socomec-read-measurements').unitId;
const POLL_SECONDS = schemaOf('socomec-read-measurements').pollSeconds;

/** Socomec's examples and most installations use unit id 5. */
export const DEFAULT_UNIT_ID = UNIT_ID.value as number;
export const MIN_UNIT_ID = UNIT_ID.min as number;
export const MAX_UNIT_ID = UNIT_ID.max as number;

/**
 * A node setting checked against its schema: absent (a flow saved before the setting
 * existed) or blank where blank is allowed gives the default; a bad value throws naming it.
 */
export function configuredSetting<T>(type: string, name: string, value: unknown, others: Record<string, unknown> = {}): T {
  const spec = schemaOf(type)[name];
  if (spec === undefined) throw new Error(`${type} has no setting "${name}"`);
  const blank = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  if (value === undefined || value === null || (blank && spec.blank)) return (Array.isArray(spec.value) ? [...spec.value] : spec.value) as T;
  if (spec.type === 'boolean') return (value === true) as T;
  const problem = settingProblem(spec, value, others);
  if (problem !== undefined) throw new NodeInputError({ code: 'badSetting', problem: problemReason(name, problem), got: shown(value) });
  const numeric = spec.type === 'integer' || spec.type === 'number' || (spec.type === 'choice' && typeof spec.choices?.[0] === 'number');
  return (numeric ? Number(value) : value) as T;
}

/**
 * Every setting of a node type's schema checked at once (the version excepted): the values
 * by name, or one NodeInputError naming every bad one.
 */
export function configuredSettings(type: string, saved: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const reasons: ErrorReason[] = [];
  for (const name of Object.keys(schemaOf(type))) {
    if (name === VERSION_PROPERTY) continue;
    try {
      values[name] = configuredSetting(type, name, saved[name], saved);
    } catch (err) {
      if (!(err instanceof NodeInputError) || err.reason === undefined) throw err;
      problems.push(err.message);
      reasons.push(err.reason);
    }
  }
  if (problems.length > 0) throw new NodeInputError({ code: 'badSettings', problems: reasons }, { problems });
  return values;
}

/** A value as a message quotes it: JSON ("five" in quotes, 300 bare), or its own words where JSON has none. */
export function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isValidUnitId(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_UNIT_ID && value <= MAX_UNIT_ID;
}

/** A unit id written as text: decimal digits only ("0x5", "1e0", "5.0" are no unit ids). */
function unitIdFromText(text: string): number {
  const trimmed = text.trim();
  return /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : NaN;
}

/** Parse a unit id from a node config value ("5", 5, "" -> default). */
export function configuredUnitId(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_UNIT_ID;
  const parsed = typeof value === 'number' ? value : unitIdFromText(String(value));
  if (!isValidUnitId(parsed)) {
    throw new NodeInputError({ code: 'badConfigUnitId', got: shown(value), min: MIN_UNIT_ID, max: MAX_UNIT_ID });
  }
  return parsed;
}

/**
 * The unit id a message asks for: msg.unitId when present (a number or a string of
 * decimal digits), else the node's configured one. A bad msg.unitId throws a NodeInputError
 * naming it, rather than silently reading another meter.
 */
export function resolveUnitId(msg: NodeMessage | undefined, configured: number): number {
  const requested = msg?.unitId;
  if (requested === undefined || requested === null || requested === '') return configured;
  const parsed = typeof requested === 'number' ? requested : typeof requested === 'string' ? unitIdFromText(requested) : NaN;
  if (!isValidUnitId(parsed)) {
    throw new NodeInputError({ code: 'badMsgUnitId', min: MIN_UNIT_ID, max: MAX_UNIT_ID, got: shown(requested) });
  }
  return parsed;
}

/** Parse a setting (named `name`) that must be a number of seconds >= 0 ("" -> 0). */
export function configuredSeconds(value: unknown, name: string): number {
  if (value === undefined || value === null || value === '') return 0;
  const parsed = typeof value === 'number' ? value : Number(String(value).trim());
  const [min, max] = [POLL_SECONDS.min as number, POLL_SECONDS.max as number];
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new NodeInputError({ code: 'badSeconds', name, got: shown(value), min, max });
  }
  return parsed;
}

/** The string list a msg property or node setting (named `name`) holds: an array, or a comma/space separated string. */
export function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    return value
      .split(/[\s,]+/)
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new NodeInputError({ code: 'badNameList', name, got: shown(value) });
}
