/**
 * What the meter accumulates over time: partial and total energies, the hour meter and
 * the max/avg (demand) values. The meter feeds it one measurement snapshot per time step.
 */
import { RESET_BITS } from '../../registers';
import { ModbusException } from '../protocol';
import type { Measurements } from './physics';

export type PartialEnergyKey = 'EaPos' | 'ErPos' | 'Es' | 'EaNeg' | 'ErNeg';
export type TotalEnergyKey = 'EaPos' | 'EaNeg' | 'ErPos' | 'ErNeg' | 'Es';
export type CurrentDemandKey = 'I1' | 'I2' | 'I3' | 'In';
export type PowerDemandKey = 'P' | 'Q' | 'S';

/**
 * Fixed sync windows (aligned on multiples of the period): the average of each completed
 * window is a candidate for the max/avg value, which keeps the largest since the last reset.
 */
export class DemandWindow<K extends string> {
  readonly maxima: Record<K, number>;
  private index: number | undefined;
  private integrals: Record<K, number>;
  private observedS = 0;

  constructor(
    private readonly keys: readonly K[],
    private periodS: number,
    initialMaxima: Record<K, number>,
  ) {
    this.maxima = { ...initialMaxima };
    this.integrals = this.zeros();
  }

  /** A new sync period starts a fresh window (maxima are kept). */
  setPeriod(periodS: number): void {
    if (periodS === this.periodS) return;
    this.periodS = periodS;
    this.index = undefined;
  }

  resetMaxima(): void {
    for (const key of this.keys) this.maxima[key] = 0;
  }

  /** Values held constant from `fromS` to `toS`. O(1) however many windows the step spans. */
  add(values: Record<K, number>, fromS: number, toS: number): void {
    let t = fromS;
    while (t < toS) {
      const windowIndex = Math.floor(t / this.periodS);
      if (windowIndex !== this.index) {
        this.index = windowIndex;
        this.integrals = this.zeros();
        this.observedS = 0;
      }
      const windowEnd = (windowIndex + 1) * this.periodS;
      const segmentEnd = Math.min(toS, windowEnd);
      for (const key of this.keys) this.integrals[key] += values[key] * (segmentEnd - t);
      this.observedS += segmentEnd - t;
      if (segmentEnd < windowEnd) return;
      this.completeWindow();
      // Whole windows inside one step all average to the step's values.
      const wholeWindows = Math.floor((toS - windowEnd) / this.periodS);
      if (wholeWindows > 0) {
        for (const key of this.keys) this.maxima[key] = Math.max(this.maxima[key], values[key]);
      }
      t = windowEnd + wholeWindows * this.periodS;
    }
  }

  private completeWindow(): void {
    if (this.observedS > 0) {
      for (const key of this.keys) this.maxima[key] = Math.max(this.maxima[key], this.integrals[key] / this.observedS);
    }
    this.index = undefined;
  }

  private zeros(): Record<K, number> {
    return Object.fromEntries(this.keys.map((k) => [k, 0])) as Record<K, number>;
  }
}

export interface CounterStart {
  partial: Record<PartialEnergyKey, number>;
  total: Record<TotalEnergyKey, number>;
  hourMeter: number;
  currentMaxima: Record<CurrentDemandKey, number>;
  powerMaxima: Record<PowerDemandKey, number>;
  syncCurrentS: number;
  syncPowerS: number;
}

/** The reset bits' names (from the map) and what each clears. */
const RESET_ACTIONS: Readonly<Record<string, (counters: Counters) => void>> = {
  maxAvgCurrents: (c) => c.currentDemand.resetMaxima(),
  maxAvgPowers: (c) => c.powerDemand.resetMaxima(),
  hourMeter: (c) => (c.hourMeter = 0),
  activeEnergyPos: (c) => (c.partial.EaPos = 0),
  reactiveEnergyPos: (c) => (c.partial.ErPos = 0),
  apparentEnergy: (c) => (c.partial.Es = 0),
  activeEnergyNeg: (c) => (c.partial.EaNeg = 0),
  reactiveEnergyNeg: (c) => (c.partial.ErNeg = 0),
};

/** Reset names of the models' profiles (device/reset names) -> what each clears. */
const NAMED_RESETS: Readonly<Record<string, (counters: Counters) => void>> = {
  maxCurrents: RESET_ACTIONS.maxAvgCurrents,
  maxPowers: RESET_ACTIONS.maxAvgPowers,
  hourMeter: RESET_ACTIONS.hourMeter,
  activeEnergyPos: RESET_ACTIONS.activeEnergyPos,
  reactiveEnergyPos: RESET_ACTIONS.reactiveEnergyPos,
  apparentEnergy: RESET_ACTIONS.apparentEnergy,
  activeEnergyNeg: RESET_ACTIONS.activeEnergyNeg,
  reactiveEnergyNeg: RESET_ACTIONS.reactiveEnergyNeg,
  energies: (c) => ['activeEnergyPos', 'reactiveEnergyPos', 'apparentEnergy', 'activeEnergyNeg', 'reactiveEnergyNeg'].forEach((n) => RESET_ACTIONS[n](c)),
  tariffEnergies: (c) => {
    c.tariff.EaPos = 0;
    c.tariff.ErPos = 0;
    c.tariff.hours = 0;
  },
  all: (c) => Object.values(RESET_ACTIONS).forEach((action) => action(c)),
};

export class Counters {
  /** Tariff 1 counters (0xC6A0): the simulated meter always runs on tariff 1. */
  readonly tariff = { EaPos: 0, ErPos: 0, hours: 0 };
  /** Partial counters (block 0xC650), kWh / kvarh / kVAh: resettable. */
  readonly partial: Record<PartialEnergyKey, number>;
  /** Total counters (0xC850), kWh / kvarh: never reset. */
  readonly total: Record<TotalEnergyKey, number>;
  /** Hours. */
  hourMeter: number;
  readonly currentDemand: DemandWindow<CurrentDemandKey>;
  readonly powerDemand: DemandWindow<PowerDemandKey>;

  constructor(start: CounterStart) {
    this.partial = { ...start.partial };
    this.total = { ...start.total };
    this.hourMeter = start.hourMeter;
    this.currentDemand = new DemandWindow(['I1', 'I2', 'I3', 'In'], start.syncCurrentS, start.currentMaxima);
    this.powerDemand = new DemandWindow(['P', 'Q', 'S'], start.syncPowerS, start.powerMaxima);
  }

  /** One time step with the values `m` (primary) held from `fromS` to `toS`. */
  accumulate(m: Measurements, fromS: number, toS: number, hourMeterRunning: boolean): void {
    const hours = (toS - fromS) / 3600;
    const kilo = (watts: number): number => (watts / 1000) * hours;
    const increments: Record<PartialEnergyKey, number> = {
      EaPos: kilo(Math.max(m.P, 0)),
      EaNeg: kilo(Math.max(-m.P, 0)),
      ErPos: kilo(Math.max(m.Q, 0)),
      ErNeg: kilo(Math.max(-m.Q, 0)),
      Es: kilo(m.S),
    };
    for (const key of Object.keys(increments) as PartialEnergyKey[]) this.partial[key] += increments[key];
    for (const key of Object.keys(this.total) as TotalEnergyKey[]) this.total[key] += increments[key];
    this.tariff.EaPos += increments.EaPos;
    this.tariff.ErPos += increments.ErPos;
    this.tariff.hours += toS > fromS ? (toS - fromS) / 3600 : 0;
    if (hourMeterRunning) this.hourMeter += hours;
    this.currentDemand.add({ I1: m.I1, I2: m.I2, I3: m.I3, In: m.In }, fromS, toS);
    this.powerDemand.add({ P: Math.max(m.P, 0), Q: Math.max(m.Q, 0), S: m.S }, fromS, toS);
  }

  /** A model's reset command by its profile's names (Countis 0xE220.., A-14 40512/40513). */
  resetNames(names: readonly string[]): void {
    for (const name of names) {
      const action = NAMED_RESETS[name];
      if (!action) throw new Error(`simulator: reset "${name}" has no action`);
      action(this);
    }
  }

  /**
   * Command 1024: clear what each bit of `mask` names. Bits the map does not define answer
   * exception 3 and clear nothing. The total counters are never touched.
   */
  reset(mask: number): string[] {
    const known = Object.keys(RESET_BITS).reduce((all, bit) => all | (1 << Number(bit)), 0);
    if ((mask & ~known) !== 0) {
      throw new ModbusException(3, `reset mask 0x${mask.toString(16)} has undefined bits 0x${(mask & ~known).toString(16)}`);
    }
    const named = Object.entries(RESET_BITS)
      .filter(([bit]) => (mask & (1 << Number(bit))) !== 0)
      .map(([, name]) => name);
    const names = named.includes('all') ? Object.keys(RESET_ACTIONS) : named;
    for (const name of names) {
      const action = RESET_ACTIONS[name];
      if (!action) throw new Error(`simulator: reset bit "${name}" has no action`);
      action(this);
    }
    return names;
  }
}
