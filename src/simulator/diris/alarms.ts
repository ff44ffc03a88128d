/**
 * The threshold alarm: the alarm settings (type, thresholds, delay, hysteresis) watch the
 * live values and raise / clear the active alarm shown in 36176.. and 1280...
 *
 * Thresholds, and the min/max values the alarm blocks report, are raw counts in the unit
 * of the quantity's 32-bit register (mA, 0.01 V, 10 W, 0.001 PF, 0.1 % THD, 0.01 Hz,
 * 0.01 h), read from the map's scales. An alarm rises when the value has stayed past a
 * threshold for the delay, and clears (at once) when it is back inside by the hysteresis.
 */
import { ALARM_CAUSES, getBlock, getField } from '../../registers';
import { PF_TYPE, type MeasurementKey, type Measurements } from './physics';

export interface AlarmSettings {
  /** Raw alarm type (applicationSettings.alarmType). */
  type: number;
  delayS: number;
  upper: number;
  lower: number;
  hysteresisPercent: number;
}

export interface AlarmView {
  lowerCause: number;
  lowerValue: number;
  upperCause: number;
  upperValue: number;
  durationS: number;
}

interface Watched {
  cause: number;
  /** The raw value to compare, or undefined when the quantity does not apply now. */
  raw(m: Measurements, hourMeter: number): number | undefined;
}

const causeCode = (name: string): number => {
  const entry = Object.entries(ALARM_CAUSES).find(([, n]) => n === name);
  if (!entry) throw new Error(`simulator: alarm cause "${name}" is not in the map`);
  return Number(entry[0]);
};

function rawOf(key: MeasurementKey, value: number): number {
  const block = key.startsWith('thd') ? 'harmonics' : 'instantaneous';
  return Math.round(value / (getField(block, key).scale ?? 1));
}

const measured = (key: MeasurementKey, cause = key as string, transform: (v: number) => number = (v) => v): Watched => ({
  cause: causeCode(cause),
  raw: (m) => rawOf(key, transform(m[key])),
});

/** The power factor alarm only watches its own kind: PFL a lagging PF, PFC a leading one. */
const powerFactor = (cause: 'PFL' | 'PFC', type: number): Watched => ({
  cause: causeCode(cause),
  raw: (m) => (m.pfType === type ? rawOf('PF', Math.abs(m.PF)) : undefined),
});

/** Alarm type names (the map's enum of applicationSettings.alarmType) -> what they watch. */
const WATCHED_BY_TYPE: Readonly<Record<string, readonly Watched[]>> = {
  I: [measured('I1'), measured('I2'), measured('I3')],
  In: [measured('In')],
  U: [measured('U12'), measured('U23'), measured('U31')],
  V: [measured('V1'), measured('V2'), measured('V3')],
  'P+': [measured('P', 'P+', (p) => Math.max(p, 0))],
  'Q+': [measured('Q', 'Q+', (q) => Math.max(q, 0))],
  'S+': [measured('S', 'S')],
  PFC: [powerFactor('PFC', PF_TYPE.leading)],
  PFL: [powerFactor('PFL', PF_TYPE.lagging)],
  thdU: [measured('thdU12'), measured('thdU23'), measured('thdU31')],
  thdV: [measured('thdV1'), measured('thdV2'), measured('thdV3')],
  thdI: [measured('thdI1'), measured('thdI2'), measured('thdI3')],
  hour: [
    {
      cause: causeCode('hour'),
      raw: (_m, hourMeter) => Math.round(hourMeter / (getField('instantaneous', 'hourMeter').scale ?? 1)),
    },
  ],
  F: [measured('F')],
};

const alarmTypes = getField('applicationSettings', 'alarmType').enumValues ?? {};
for (const name of Object.values(alarmTypes)) {
  if (!WATCHED_BY_TYPE[name]) throw new Error(`simulator: alarm type "${name}" watches nothing`);
}
// The alarm blocks must exist for the view to mean anything.
getBlock('alarms');

interface ActiveAlarm {
  cause: number;
  /** Most extreme raw value seen while active. */
  extreme: number;
  sinceS: number;
}

/** One side (upper or lower) of the threshold alarm. */
class AlarmSide {
  active: ActiveAlarm | undefined;
  private pendingSinceS: number | undefined;

  constructor(private readonly isUpper: boolean) {}

  /** The readings held from `fromS` to `toS`. */
  evaluate(readings: { cause: number; raw: number }[], threshold: number, settings: AlarmSettings, fromS: number, toS: number): void {
    const beyond = (raw: number): boolean => (this.isUpper ? raw > threshold : raw < threshold);
    const worse = (a: number, b: number): boolean => (this.isUpper ? a > b : a < b);
    if (this.active) {
      const reading = readings.find((r) => r.cause === this.active!.cause);
      const margin = (threshold * settings.hysteresisPercent) / 100;
      const back = reading === undefined || (this.isUpper ? reading.raw <= threshold - margin : reading.raw >= threshold + margin);
      if (back) {
        this.active = undefined;
        this.pendingSinceS = undefined;
      } else if (worse(reading.raw, this.active.extreme)) {
        this.active.extreme = reading.raw;
      }
      return;
    }
    const offending = readings.filter((r) => beyond(r.raw));
    if (offending.length === 0) {
      this.pendingSinceS = undefined;
      return;
    }
    this.pendingSinceS ??= fromS;
    if (toS - this.pendingSinceS < settings.delayS) return;
    const worst = offending.reduce((a, b) => (worse(b.raw, a.raw) ? b : a));
    this.active = { cause: worst.cause, extreme: worst.raw, sinceS: this.pendingSinceS + settings.delayS };
  }

  clear(): void {
    this.active = undefined;
    this.pendingSinceS = undefined;
  }
}

export class AlarmMonitor {
  private readonly upper = new AlarmSide(true);
  private readonly lower = new AlarmSide(false);
  private watchedType: number | undefined;

  /** Check the values `m`, held from `fromS` to `toS`, against the settings. */
  evaluate(m: Measurements, hourMeter: number, settings: AlarmSettings, fromS: number, toS: number): void {
    if (settings.type !== this.watchedType) {
      // A new alarm type starts from scratch.
      this.clear();
      this.watchedType = settings.type;
    }
    const watched = WATCHED_BY_TYPE[alarmTypes[settings.type] ?? ''] ?? [];
    const readings = watched.flatMap((w) => {
      const raw = w.raw(m, hourMeter);
      return raw === undefined ? [] : [{ cause: w.cause, raw }];
    });
    this.upper.evaluate(readings, settings.upper, settings, fromS, toS);
    this.lower.evaluate(readings, settings.lower, settings, fromS, toS);
  }

  isActive(): boolean {
    return this.upper.active !== undefined || this.lower.active !== undefined;
  }

  view(nowS: number): AlarmView {
    const longest = [this.upper.active, this.lower.active]
      .filter((a): a is ActiveAlarm => a !== undefined)
      .reduce((min, a) => Math.min(min, a.sinceS), Infinity);
    return {
      upperCause: this.upper.active?.cause ?? 0,
      upperValue: this.upper.active?.extreme ?? 0,
      lowerCause: this.lower.active?.cause ?? 0,
      lowerValue: this.lower.active?.extreme ?? 0,
      durationS: longest === Infinity ? 0 : Math.max(0, Math.floor(nowS - longest)),
    };
  }

  clear(): void {
    this.upper.clear();
    this.lower.clear();
  }
}
