/**
 * The meter-side half of the path to a broker, without Node-RED: readings, identities and
 * failures of meters in, the MQTT messages to publish out (topic, payload, retain, qos),
 * for Node-RED's own `mqtt out` node to send. It keeps, per meter, its topic id, whether
 * it is online, which Home Assistant configs it published, and when its last reading
 * came, so a watchdog (`check(now)`, on any clock) can mark it offline when readings stop.
 */
import { parseMeterNames } from '../device/meter-names';
import { wordReason, type ErrorReason } from '../transport/reasons';
import { englishMqttPhrase } from './reasons';
import { sensorConfig, type MeterDevice } from './discovery';
import {
  OFFLINE,
  ONLINE,
  discoveryTopic,
  homeAssistantStatusTopic,
  meterTopics,
  topicLevel,
  type MeterTopics,
} from './topics';

export type Qos = 0 | 1 | 2;

export interface FormatterOptions {
  /** First level(s) of every topic: "socomec". */
  prefix: string;
  /** This Node-RED's site (or line, or gateway): the level that keeps meters of different sites apart. */
  site: string;
  /** Publish `<meter>/<key>` with a plain value per key. */
  values: boolean;
  /** Publish `<meter>/state` with every value of a reading as one JSON object. */
  state: boolean;
  /** Values and states retained (availability and discovery configs always are). */
  retainValues: boolean;
  qos: Qos;
  /** Publish Home Assistant discovery configs. */
  discovery: boolean;
  discoveryPrefix: string;
  /** The Node-RED instance's own status topic (the broker node's will): part of every sensor's availability. '' for none. */
  instanceStatusTopic: string;
  /** Offline when no reading came for this long (seconds); 0 = `staleFactor` x the meter's own poll interval. */
  staleSeconds: number;
  staleFactor: number;
  /** Names of meters by unit id ("5" -> "incomer"); a msg.meter overrides. */
  names: Record<string, string>;
  origin: { name: string; sw_version: string };
}

export const DEFAULT_FORMATTER_OPTIONS: Omit<FormatterOptions, 'origin'> = {
  prefix: 'socomec',
  site: 'site',
  values: true,
  state: true,
  retainValues: false,
  qos: 1,
  discovery: false,
  discoveryPrefix: 'homeassistant',
  instanceStatusTopic: '',
  staleSeconds: 0,
  staleFactor: 3,
  names: {},
};

/** One message for `mqtt out`. */
export interface MqttMessage {
  topic: string;
  payload: string;
  retain: boolean;
  qos: Qos;
}

/** Which meter a msg is about: the unit id on a link (the link's description), and an optional name. */
export interface MeterRef {
  unitId: number;
  /** The connection's description (msg.diagnostics.link); undefined matches any link (a Catch node's msg has none). */
  link?: string;
  name?: string;
}

export interface MeterIdentity {
  serialNumber: string;
  model: string;
  softwareVersion: string;
  hardwareVersion?: string;
}

export interface ReadingIn {
  payload: Record<string, unknown>;
  units: Record<string, string>;
  timestamp: number;
}

/** What became of one input. */
export interface FormatResult {
  messages: MqttMessage[];
  /** Meters whose id is not known yet (no name, no identity): their latest reading waits. */
  waiting?: string;
  /** The same, as a reason (a code and its parameters), to word in another language. */
  waitingReason?: ErrorReason;
}

/** A bad input or setting, named. */
export class MqttFormatError extends Error {
  readonly kind = 'input' as const;
  /** Why, as data: a stable code and its parameters (the node words it in the user's language). */
  readonly reason: ErrorReason;
  constructor(reason: ErrorReason) {
    super(wordReason(reason, englishMqttPhrase));
    this.name = 'MqttFormatError';
    this.reason = reason;
  }
}

/** A meter as a message names it: "unit 5 on tcp 10.0.0.9:502". */
function meterReason(unitId: number, link: string | undefined): ErrorReason {
  return { code: 'meterByUnit', unitId, ...(link ? { link } : {}) };
}

interface Meter {
  unitId: number;
  link: string;
  name?: string;
  identity?: MeterIdentity;
  id?: string;
  topics?: MeterTopics;
  /** undefined until the first reading or failure. */
  online?: boolean;
  /** Whether the broker was told the current state (a meter without an id cannot be). */
  announced: boolean;
  lastReadingAt?: number;
  intervalMs?: number;
  pending?: ReadingIn & { receivedAt: number };
  /** Unit and a sample value per key read so far: what discovery describes. */
  fields: Map<string, { unit: string; sample: unknown }>;
  /** Config topic by key, published. */
  configs: Map<string, string>;
  /** Keys published retained on their own topic (cleared with the meter). */
  retainedKeys: Set<string>;
}

/** The poll interval assumed for the watchdog while no meter's own is known yet. */
export const UNKNOWN_INTERVAL_MS = 60_000;

const meterKey = (link: string, unitId: number): string => `${link}\u0000${unitId}`;

/** A plain value as MQTT payload text; undefined for what must never be published (no value, NaN). */
export function valueText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

export class MqttFormatter {
  readonly options: FormatterOptions;
  private readonly prefix: string;
  private readonly site: string;
  private readonly meters = new Map<string, Meter>();

  constructor(options: Partial<FormatterOptions> & Pick<FormatterOptions, 'origin'>) {
    this.options = { ...DEFAULT_FORMATTER_OPTIONS, ...options };
    const problems: ErrorReason[] = [];
    const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);
    const prefix = this.options.prefix.split('/').map((p) => topicLevel(p));
    if (prefix.some((p) => p === undefined) || this.options.prefix.trim() === '') problems.push({ code: 'prefixNoLetter', prefix: this.options.prefix });
    const site = topicLevel(this.options.site);
    if (site === undefined) problems.push({ code: 'siteNoLetter', site: this.options.site });
    if (!this.options.values && !this.options.state) problems.push({ code: 'valuesOrState' });
    if (![0, 1, 2].includes(this.options.qos)) problems.push({ code: 'badQos', qos: shown(this.options.qos) });
    if (!(this.options.staleSeconds >= 0)) problems.push({ code: 'badStaleSeconds', seconds: shown(this.options.staleSeconds) });
    if (!(this.options.staleFactor >= 1)) problems.push({ code: 'badStaleFactor', factor: shown(this.options.staleFactor) });
    if (this.options.discovery && topicLevel(this.options.discoveryPrefix) === undefined) problems.push({ code: 'discoveryPrefixNoLetter', prefix: this.options.discoveryPrefix });
    for (const [unit, name] of Object.entries(this.options.names)) {
      if (topicLevel(name) === undefined) problems.push({ code: 'nameNoLetter', unitId: unit, name });
    }
    if (problems.length > 0) throw new MqttFormatError({ code: 'formatterOptions', problems });
    this.prefix = (prefix as string[]).join('/');
    this.site = site as string;
  }

  /** The ids of the meters known, with their state: for a status line and tests. */
  meterStates(): { id?: string; unitId: number; link: string; online?: boolean }[] {
    return [...this.meters.values()].map((m) => ({ id: m.id, unitId: m.unitId, link: m.link, online: m.online }));
  }

  /** A successful reading of a meter. */
  reading(ref: MeterRef, reading: ReadingIn, now: number): FormatResult {
    const meter = this.meter(ref);
    if (meter.lastReadingAt !== undefined && now > meter.lastReadingAt) meter.intervalMs = now - meter.lastReadingAt;
    meter.lastReadingAt = now;
    if (this.options.discovery) {
      // What discovery will describe: each key's unit and kind of value, from its first reading.
      for (const key in reading.payload) {
        const value = reading.payload[key];
        if (!meter.fields.has(key) && valueText(value) !== undefined) meter.fields.set(key, { unit: reading.units[key] ?? '', sample: value });
      }
    }
    if (!this.resolveId(meter)) {
      meter.pending = { ...reading, receivedAt: now };
      meter.online = true;
      return { messages: [], waiting: this.waitingText(meter), waitingReason: this.waitingReason(meter) };
    }
    return { messages: this.publishReading(meter, reading) };
  }

  /** The meter's identity (read-identity's payload): serial number, model, versions. */
  identity(ref: MeterRef, identity: MeterIdentity, now: number): FormatResult {
    const meter = this.meter(ref);
    meter.identity = identity;
    if (!this.resolveId(meter)) return { messages: [], waiting: this.waitingText(meter), waitingReason: this.waitingReason(meter) };
    const messages: MqttMessage[] = [];
    const pending = meter.pending;
    meter.pending = undefined;
    if (pending !== undefined && !this.isStale(meter, pending.receivedAt, now)) {
      messages.push(...this.publishReading(meter, pending));
    } else if (meter.online !== undefined && !meter.announced) {
      messages.push(this.availability(meter));
    }
    messages.push(...this.configs(meter, false));
    return { messages };
  }

  /** A failed read: the meter goes offline; nothing else is published (never a 0 in place of a value). */
  failure(ref: MeterRef): FormatResult {
    const matching = ref.link === undefined ? [...this.meters.values()].filter((m) => m.unitId === ref.unitId) : [this.meter(ref)];
    if (matching.length === 0) matching.push(this.meter(ref));
    const messages: MqttMessage[] = [];
    for (const meter of matching) messages.push(...this.goOffline(meter));
    return { messages };
  }

  /**
   * The watchdog: meters whose last reading is older than their limit go offline. Call it
   * on a timer; `now` from the same clock as the readings'.
   */
  check(now: number): FormatResult {
    const messages: MqttMessage[] = [];
    for (const meter of this.meters.values()) {
      if (meter.online === true && meter.lastReadingAt !== undefined && this.isStale(meter, meter.lastReadingAt, now)) {
        meter.pending = undefined;
        messages.push(...this.goOffline(meter));
      }
    }
    return { messages };
  }

  /**
   * How long without a reading a meter stays online, in ms: the configured time, else
   * `staleFactor` poll intervals. Until a meter's own interval is known (one reading so
   * far), the shortest interval of the other meters stands in (one flow usually polls
   * them alike), else a minute.
   */
  staleLimitMs(meter: { intervalMs?: number }): number {
    if (this.options.staleSeconds > 0) return this.options.staleSeconds * 1000;
    let interval = meter.intervalMs;
    if (interval === undefined) {
      const known = [...this.meters.values()].map((m) => m.intervalMs).filter((i): i is number => i !== undefined);
      interval = known.length > 0 ? Math.min(...known) : UNKNOWN_INTERVAL_MS;
    }
    return this.options.staleFactor * Math.max(interval, 1000);
  }

  /**
   * Everything retained again: each meter's availability and discovery configs. For
   * Home Assistant's birth message (it restarted) and for the broker connection coming
   * (back) up (what mqtt out got while it was down is lost: it does not queue).
   */
  announceAll(): FormatResult {
    const messages: MqttMessage[] = [];
    for (const meter of this.meters.values()) {
      if (meter.id === undefined) continue;
      if (meter.online !== undefined) messages.push(this.availability(meter));
      messages.push(...this.configs(meter, true));
    }
    return { messages };
  }

  /** Home Assistant's status topic, when discovery is on. */
  get homeAssistantStatusTopic(): string | undefined {
    return this.options.discovery ? homeAssistantStatusTopic(this.options.discoveryPrefix) : undefined;
  }

  /**
   * Forget a meter (by its topic id, or unit id): empty retained messages remove its
   * discovery configs (Home Assistant drops the entities), availability and retained values.
   */
  clear(which: { id?: string; unitId?: number; link?: string }): FormatResult {
    const found = [...this.meters.entries()].filter(
      ([, m]) => (which.id !== undefined ? m.id === which.id : m.unitId === which.unitId && (which.link === undefined || m.link === which.link)),
    );
    if (found.length === 0) {
      const meter: ErrorReason = which.id !== undefined ? { code: 'meterById', id: which.id } : { code: 'meterByUnit', unitId: String(which.unitId) };
      throw new MqttFormatError({ code: 'noMeterToClear', meter, known: this.knownIds() });
    }
    const messages: MqttMessage[] = [];
    for (const [key, meter] of found) {
      this.meters.delete(key);
      const topics = meter.topics;
      if (topics === undefined) continue;
      const empty = (topic: string): MqttMessage => ({ topic, payload: '', retain: true, qos: this.options.qos });
      for (const topic of meter.configs.values()) messages.push(empty(topic));
      messages.push(empty(topics.availability));
      if (this.options.retainValues) {
        if (this.options.state) messages.push(empty(topics.state));
        for (const key of meter.retainedKeys) messages.push(empty(topics.value(key)));
      }
    }
    return { messages };
  }

  private knownIds(): ErrorReason | ErrorReason[] {
    const ids = [...this.meters.values()].map((m): ErrorReason => (m.id !== undefined ? { code: 'meterById', id: m.id } : { code: 'meterNoIdYet', unitId: m.unitId }));
    return ids.length === 0 ? { code: 'none' } : ids;
  }

  private waitingText(meter: Meter): string {
    return wordReason(this.waitingReason(meter), englishMqttPhrase);
  }

  /** Why a meter's readings wait (FormatResult.waitingReason): it has no name yet. */
  private waitingReason(meter: Meter): ErrorReason {
    return { code: 'meterWaiting', meter: meterReason(meter.unitId, meter.link) };
  }

  private meter(ref: MeterRef): Meter {
    const link = ref.link ?? '';
    const key = meterKey(link, ref.unitId);
    let meter = this.meters.get(key);
    if (meter === undefined) {
      meter = { unitId: ref.unitId, link, announced: false, fields: new Map(), configs: new Map(), retainedKeys: new Set() };
      this.meters.set(key, meter);
    }
    if (ref.name !== undefined && ref.name !== '' && meter.id === undefined) meter.name = ref.name;
    return meter;
  }

  /** Give the meter its topic id once (a name, else its serial number); false while neither is known. */
  private resolveId(meter: Meter): boolean {
    if (meter.id !== undefined) return true;
    const name = meter.name ?? this.options.names[String(meter.unitId)];
    const id = (name !== undefined ? topicLevel(name) : undefined) ?? (meter.identity !== undefined ? topicLevel(meter.identity.serialNumber) : undefined);
    if (id === undefined) return false;
    const clash = [...this.meters.values()].find((m) => m !== meter && m.id === id);
    if (clash !== undefined) {
      throw new MqttFormatError({ code: 'meterIdClash', id, meter: meterReason(meter.unitId, meter.link), other: meterReason(clash.unitId, clash.link) });
    }
    meter.id = id;
    meter.topics = meterTopics(this.prefix, this.site, id);
    return true;
  }

  private isStale(meter: Meter, since: number, now: number): boolean {
    return now - since > this.staleLimitMs(meter);
  }

  private availability(meter: Meter): MqttMessage {
    meter.announced = true;
    return { topic: (meter.topics as MeterTopics).availability, payload: meter.online === true ? ONLINE : OFFLINE, retain: true, qos: this.options.qos };
  }

  private goOffline(meter: Meter): MqttMessage[] {
    const wasAnnounced = meter.announced;
    const changed = meter.online !== false;
    meter.online = false;
    meter.pending = undefined;
    if (meter.id === undefined) return [];
    return changed || !wasAnnounced ? [this.availability(meter)] : [];
  }

  private publishReading(meter: Meter, reading: ReadingIn): MqttMessage[] {
    const topics = meter.topics as MeterTopics;
    const { qos, retainValues: retain } = this.options;
    const messages: MqttMessage[] = [];
    if (meter.online !== true || !meter.announced) {
      meter.online = true;
      messages.push(this.availability(meter));
    }
    const { values, state } = this.options;
    const stateValues: Record<string, unknown> | undefined = state ? {} : undefined;
    const payload = reading.payload;
    for (const key in payload) {
      const value = payload[key];
      const text = valueText(value);
      if (text === undefined) continue;
      if (stateValues !== undefined) stateValues[key] = value;
      if (values) {
        messages.push({ topic: topics.value(key), payload: text, retain, qos });
        if (retain) meter.retainedKeys.add(key);
      }
    }
    if (stateValues !== undefined) {
      stateValues.timestamp = reading.timestamp;
      messages.push({ topic: topics.state, payload: JSON.stringify(stateValues), retain, qos });
    }
    messages.push(...this.configs(meter, false));
    return messages;
  }

  /** Discovery configs of the meter's values: the new ones, or all of them (`again`). */
  private configs(meter: Meter, again: boolean): MqttMessage[] {
    if (!this.options.discovery || meter.identity === undefined || meter.topics === undefined) return [];
    const topics = meter.topics;
    const device: MeterDevice = { meter: meter.id as string, ...meter.identity };
    const availabilityTopics = [topics.availability, ...(this.options.instanceStatusTopic.trim() !== '' ? [this.options.instanceStatusTopic.trim()] : [])];
    const messages: MqttMessage[] = [];
    for (const [key, { unit, sample }] of meter.fields) {
      if (!again && meter.configs.has(key)) continue;
      const viaState = this.options.state;
      const config = sensorConfig(device, key, unit, sample, {
        stateTopic: viaState ? topics.state : topics.value(key),
        ...(viaState ? { valueTemplate: `{{ value_json['${key}'] }}` } : {}),
        availabilityTopics,
        origin: this.options.origin,
      });
      const topic = discoveryTopic(this.options.discoveryPrefix, `socomec_${meter.identity.serialNumber}`, key);
      meter.configs.set(key, topic);
      messages.push({ topic, payload: JSON.stringify(config), retain: true, qos: this.options.qos });
    }
    return messages;
  }
}

/** "5=incomer, 6 = pv" -> { "5": "incomer", "6": "pv" }. */
export function parseNames(text: string | undefined): Record<string, string> {
  return parseMeterNames(text, (reason) => new MqttFormatError(reason));
}
