/**
 * Every node setting, defined once: its default, its bounds or choices (the choices the
 * register map and the device own come from them), and the one check that says what is
 * wrong with a value. The runtime parses with it, and the editor gets the same schema and
 * the same check (resources/socomec-schema.js, generated from this module by
 * `node dist/src/cli/editor-schema.js`), so the two can no longer disagree.
 */
import { MEASUREMENT_GROUPS, MEASUREMENT_TABLES, MODEL_CHOICES, SETTINGS_BLOCKS } from '../device';
import { MAX_UNIT_ID } from '../modbus/limits';
import { BLOCKS, DIRIS_A20, PROFILES } from '../registers';
import type { ErrorReason } from '../transport/reasons';
import { CONFIG_VERSION, VERSION_PROPERTY } from './config-migrations';

export type SettingType = 'integer' | 'number' | 'choice' | 'choices' | 'boolean' | 'text' | 'config' | 'unitIds' | 'names';

export interface SettingSpec {
  type: SettingType;
  /** The default for a new node. */
  value: string | number | boolean | string[];
  min?: number;
  max?: number;
  /** The values a 'choice' or 'choices' setting takes. */
  choices?: readonly (string | number)[];
  /** Labels that are names, not words to translate (model names). */
  labels?: Readonly<Record<string, string>>;
  /** Blank is allowed: the runtime then uses its default (or derives one). */
  blank?: boolean;
  /** A text that must not be blank. */
  required?: boolean;
  /** Checked only when the connection's transport is one of these. */
  transports?: readonly string[];
  /** Must be at least this other setting's value. */
  atLeast?: string;
  /** These choices need this boolean setting on (write-settings' factory blocks). */
  guarded?: { choices: readonly string[]; by: string };
  /** The config node type a 'config' setting refers to. */
  configType?: string;
  /** What a flow saved before the setting existed gets (model: the A-20 table, as before models). */
  whenAbsent?: string;
  /** The editor shows a hint after the field (the catalog's label.<name>Hint). */
  hint?: boolean;
  /** The unit the editor shows after the field ("ms"). */
  unit?: string;
  /** The editor shows the catalog's placeholder.<name> in the empty field (what blank means). */
  placeholder?: boolean;
  /** A text must match this (a regular expression's source). */
  pattern?: string;
  /** Checked only when this boolean setting is on. */
  when?: string;
  /** Editor rows of one kind shown together ("resets"). */
  group?: string;
}

export type NodeSchema = Readonly<Record<string, SettingSpec>>;

/** A problem with a value: a key of the locale's "validation" section and its parameters. */
export interface SettingProblem {
  key: 'required' | 'integer' | 'number' | 'oneOf' | 'someOf' | 'atLeast' | 'needs' | 'pattern' | 'unitIds' | 'names';
  params: Record<string, string | number>;
}

/**
 * What is wrong with `value` for `spec`, or undefined when it is fine. `others` holds the
 * node's other settings (for `atLeast`, `guarded` and `transports`). Self-contained (no
 * imports, no closures): the editor runs this very function.
 */
export function settingProblem(spec: SettingSpec, value: unknown, others: Record<string, unknown>): SettingProblem | undefined {
  const blank = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  if (spec.transports && spec.transports.indexOf(String(others.transport || 'tcp')) < 0) return undefined;
  // Node-RED puts environment variables in ("${METER_HOST}") before the runtime sees the value.
  if (typeof value === 'string' && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim())) return undefined;
  if (spec.type === 'boolean' || spec.type === 'config') return undefined;
  if (spec.when !== undefined && others[spec.when] !== true) return undefined;
  if (spec.type === 'text') {
    if (blank) return spec.required ? { key: 'required', params: {} } : undefined;
    return spec.pattern !== undefined && !new RegExp(spec.pattern).test(String(value)) ? { key: 'pattern', params: {} } : undefined;
  }
  if (spec.type === 'unitIds' || spec.type === 'names') {
    if (blank) return undefined;
    // "5-12, 20" (unitIds) or "5=incomer, 6=pv" (names): every entry a unit id 1..max, a range in order, a name with a letter or digit.
    const max = spec.max === undefined ? 247 : spec.max;
    const bad = String(value)
      .split(/[,;\n]+/)
      .filter((entry) => entry.trim() !== '')
      .filter((entry) => {
        if (spec.type === 'names') {
          const named = /^\s*(\d{1,3})\s*[=:]\s*(.+?)\s*$/.exec(entry);
          return named === null || Number(named[1]) < 1 || Number(named[1]) > max || !/[A-Za-z0-9]/.test(named[2]);
        }
        const range = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})\s*)?$/.exec(entry);
        if (range === null) return true;
        const from = Number(range[1]);
        const to = range[2] === undefined ? from : Number(range[2]);
        return from < 1 || to > max || to < from;
      });
    return bad.length > 0 ? { key: spec.type, params: { entries: bad.map((entry) => entry.trim()).join(', '), max } } : undefined;
  }
  if (spec.type === 'choices') {
    const list = Array.isArray(value) ? value : [];
    const choices = spec.choices || [];
    if (list.length === 0 && spec.blank) return undefined;
    const ok = list.length > 0 && list.every((item) => choices.indexOf(item as string) >= 0);
    return ok ? undefined : { key: 'someOf', params: { choices: choices.join(', ') } };
  }
  if (blank) return spec.blank ? undefined : { key: 'required', params: {} };
  if (spec.type === 'choice') {
    const choices = spec.choices || [];
    const found = choices.some((choice) => String(choice) === String(value).trim());
    if (!found) return { key: 'oneOf', params: { choices: choices.join(', ') } };
    if (spec.guarded && spec.guarded.choices.indexOf(String(value)) >= 0 && others[spec.guarded.by] !== true) {
      return { key: 'needs', params: { option: spec.guarded.by } };
    }
    return undefined;
  }
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  const min = spec.min === undefined ? -Infinity : spec.min;
  const max = spec.max === undefined ? Infinity : spec.max;
  const whole = spec.type === 'integer';
  if (!isFinite(n) || (whole && Math.floor(n) !== n) || n < min || n > max) {
    return { key: whole ? 'integer' : 'number', params: { min, max } };
  }
  if (spec.atLeast !== undefined) {
    const other = Number(others[spec.atLeast]);
    if (isFinite(other) && String(others[spec.atLeast]).trim() !== '' && n < other) return { key: 'atLeast', params: { other: spec.atLeast, value: other } };
  }
  return undefined;
}

/**
 * A problem with a setting as a reason (the node layer's phrases, NODE_PHRASES and the
 * locale files' "cause" section, word it in English or in the runtime's language; the
 * editor words the problem itself from the "validation" section).
 */
export function problemReason(name: string, problem: SettingProblem): ErrorReason {
  return { code: `setting${problem.key.charAt(0).toUpperCase()}${problem.key.slice(1)}`, name, ...problem.params };
}

/** Every reset some model has, "all" last ("energies" stands for the five counters: no checkbox of its own). */
export const RESET_CHOICES: readonly string[] = [
  ...new Set(PROFILES.flatMap((profile) => Object.keys(profile.resets)).filter((name) => name !== 'energies' && name !== 'all')),
  'all',
];

/** "maxCurrents" -> "allowMaxCurrents": the reset node's checkbox for it. */
export function resetOption(name: string): string {
  return `allow${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

const MODEL_LABELS: Readonly<Record<string, string>> = Object.fromEntries(PROFILES.map((profile) => [profile.id, profile.name]));

/** Settings every flow node has. */
const FLOW_NODE: NodeSchema = {
  name: { type: 'text', value: '' },
  connection: { type: 'config', value: '', configType: 'socomec-connection' },
  unitId: { type: 'integer', value: 5, min: 1, max: MAX_UNIT_ID },
  topic: { type: 'text', value: '' },
};

/** Flow nodes that read with a model's table. */
const MODEL: SettingSpec = { type: 'choice', value: 'auto', choices: MODEL_CHOICES, labels: MODEL_LABELS, blank: true, whenAbsent: DIRIS_A20.id };

const POLL_SECONDS: SettingSpec = { type: 'number', value: 0, min: 0, max: 86_400, blank: true, hint: true };

const TCP_KINDS = ['tcp', 'rtu-over-tcp'];

/** One MQTT topic level: some letter or digit, no wildcard. */
const TOPIC_LEVEL = '^(?=.*[A-Za-z0-9])[^+#]*$';

/** The config format version every node saves (new nodes get the current one). */
const VERSION: NodeSchema = { [VERSION_PROPERTY]: { type: 'integer', value: CONFIG_VERSION, min: 1, max: CONFIG_VERSION, blank: true } };

const SCHEMAS: Readonly<Record<string, NodeSchema>> = {
  'socomec-connection': {
    name: { type: 'text', value: '' },
    transport: { type: 'choice', value: 'tcp', choices: ['tcp', 'rtu', 'rtu-over-tcp'] },
    host: { type: 'text', value: '127.0.0.1', required: true, transports: TCP_KINDS },
    port: { type: 'integer', value: 502, min: 1, max: 65535, transports: TCP_KINDS },
    serialPath: { type: 'text', value: '', required: true, transports: ['rtu'] },
    baudRate: { type: 'integer', value: 9600, min: 50, max: 4_000_000, transports: ['rtu'], choices: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] },
    dataBits: { type: 'choice', value: 8, choices: [8, 7], transports: ['rtu'] },
    parity: { type: 'choice', value: 'none', choices: ['none', 'even', 'odd'], transports: ['rtu'] },
    stopBits: { type: 'choice', value: 1, choices: [1, 2], transports: ['rtu'] },
    timeoutMs: { type: 'integer', value: 1000, min: 1, max: 600_000, unit: 'ms' },
    retries: { type: 'integer', value: 1, min: 0, max: 10 },
    interRequestDelayMs: { type: 'number', value: '', min: 0, max: 60_000, blank: true, unit: 'ms', placeholder: true },
    reconnectInitialMs: { type: 'integer', value: 500, min: 1, max: 3_600_000 },
    reconnectMaxMs: { type: 'integer', value: 30_000, min: 1, max: 3_600_000, atLeast: 'reconnectInitialMs' },
    queueLimit: { type: 'integer', value: 100, min: 1, max: 100_000 },
    queueTimeoutMs: { type: 'integer', value: '', min: 1, max: 3_600_000, blank: true, unit: 'ms', placeholder: true },
    unitBackoffMaxMs: { type: 'integer', value: '', min: 1000, max: 3_600_000, blank: true, unit: 'ms', placeholder: true },
    // The meters on this line by unit id ("5=incomer, 6=pv"): read nodes put the name in msg.meter. The scan can fill it.
    meters: { type: 'names', value: '', max: MAX_UNIT_ID, placeholder: true },
  },
  'socomec-read-measurements': {
    ...FLOW_NODE,
    model: MODEL,
    groups: { type: 'choices', value: ['instantaneous', 'energies'], choices: MEASUREMENT_GROUPS },
    table: { type: 'choice', value: 'standard', choices: MEASUREMENT_TABLES },
    // More meters on the same connection, one msg each ("5-12, 20"); blank: the unit id alone.
    unitIds: { type: 'unitIds', value: '', max: MAX_UNIT_ID, placeholder: true },
    pollSeconds: POLL_SECONDS,
    // These of the groups read at their own, slower rate (energies and max/avg every minute).
    slowGroups: { type: 'choices', value: [], choices: MEASUREMENT_GROUPS, blank: true },
    slowSeconds: { type: 'number', value: '', min: 0, max: 86_400, blank: true, atLeast: 'pollSeconds', hint: true },
    outputMode: { type: 'choice', value: 'single', choices: ['single', 'perValue'] },
    sendFailures: { type: 'boolean', value: false },
    // A second output: each meter's health (reads, errors, timeouts, last success, latency) after each of its polls.
    health: { type: 'boolean', value: false },
    outputs: { type: 'integer', value: 1, min: 1, max: 2, blank: true },
  },
  'socomec-read-identity': {
    ...FLOW_NODE,
    readOnDeploy: { type: 'boolean', value: false },
    details: { type: 'boolean', value: false },
  },
  'socomec-write-settings': {
    ...FLOW_NODE,
    model: MODEL,
    block: {
      type: 'choice',
      value: 'applicationSettings',
      choices: SETTINGS_BLOCKS,
      guarded: { choices: BLOCKS.filter((b) => b.factoryOnly && SETTINGS_BLOCKS.includes(b.id as never)).map((b) => b.id), by: 'allowFactoryBlocks' },
    },
    allowFactoryBlocks: { type: 'boolean', value: false },
    store: { type: 'boolean', value: true },
    dryRun: { type: 'boolean', value: false },
  },
  'socomec-reset': {
    ...FLOW_NODE,
    model: MODEL,
    // Every reset is off until the user ticks it: a stray message resets nothing.
    ...Object.fromEntries(RESET_CHOICES.map((name) => [resetOption(name), { type: 'boolean', value: false, group: 'resets' } as SettingSpec])),
    allowRestart: { type: 'boolean', value: false, group: 'commands' },
    allowFactoryConfig: { type: 'boolean', value: false, group: 'commands' },
  },
  'socomec-alarm-status': {
    ...FLOW_NODE,
    model: MODEL,
    pollSeconds: POLL_SECONDS,
    legacy: { type: 'boolean', value: false },
    io: { type: 'boolean', value: false },
    onlyOnChange: { type: 'boolean', value: false },
  },
  'socomec-mqtt': {
    name: { type: 'text', value: '' },
    prefix: { type: 'text', value: 'socomec', required: true, pattern: TOPIC_LEVEL },
    site: { type: 'text', value: 'site', required: true, pattern: TOPIC_LEVEL },
    // "5=incomer, 6=pv", checked as the connection's meter list is (the runtime's parseNames says the same).
    names: { type: 'names', value: '', max: MAX_UNIT_ID },
    values: { type: 'boolean', value: true },
    state: { type: 'boolean', value: true },
    retain: { type: 'boolean', value: false },
    qos: { type: 'choice', value: 1, choices: [0, 1, 2], blank: true },
    discovery: { type: 'boolean', value: false },
    discoveryPrefix: { type: 'text', value: 'homeassistant', required: true, pattern: TOPIC_LEVEL, when: 'discovery' },
    instanceStatusTopic: { type: 'text', value: '', pattern: '^[^+#]*$' },
    staleSeconds: { type: 'number', value: 0, min: 0, max: 86_400, blank: true, hint: true },
  },
};

export const SETTINGS_SCHEMA: Readonly<Record<string, NodeSchema>> = Object.fromEntries(
  Object.entries(SCHEMAS).map(([type, schema]) => [type, { ...schema, ...VERSION }]),
);

/** One node's schema. */
export function schemaOf(type: string): NodeSchema {
  const schema = SETTINGS_SCHEMA[type];
  if (schema === undefined) throw new Error(`no settings schema for node type "${type}"`);
  return schema;
}
