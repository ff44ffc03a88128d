/**
 * Polls many meters on one line from one place: a list of unit ids, each group of values
 * at its own rate (LineSchedule), one read at a time so the line's load can be measured,
 * a health record per meter, and the line's budget: how much of the time the line is busy
 * with these polls, and the interval it could keep when the polls ask for more.
 * Plain module: Node-RED nodes (or any program) listen to its events.
 *
 * Events: 'reading' ({ unitId, groups, reading }), 'failure' ({ unitId, groups, error }),
 * 'budget' (LineBudget, when it goes over or back under), 'round' (the reads due were made).
 */
import { EventEmitter } from 'node:events';
import { DirisDevice, type DeviceOptions } from './diris-device';
import { errorKind } from './errors';
import { LineSchedule, type PollRate } from './line-schedule';
import type { MeasurementGroup, MeasurementTable, Reading, RegisterLink } from './types';

/** The clock the poller runs on: the real one by default, a fake one in tests. */
export interface PollerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: PollerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Above this share of the time busy, the line is over its budget (it needs some slack for retries). */
export const LINE_BUDGET_LIMIT = 0.9;

export interface MeterHealth {
  unitId: number;
  reads: number;
  errors: number;
  timeouts: number;
  lastSuccessAt?: number;
  lastError?: string;
  /** How long the last read took, ms (all its requests, on the line). */
  lastLatencyMs?: number;
}

export interface LineBudget {
  /** Share of the measured window the line spent on these polls (0..1). */
  busyFraction: number;
  /**
   * What the polls ask of the line: every meter's last read time per interval of the fastest
   * rate (above 1: more than the line can carry, which busyFraction, capped at 1, cannot show).
   */
  offeredLoad: number;
  windowMs: number;
  exceeded: boolean;
  /** The shortest interval the line could keep for the fastest rate (ms), when exceeded. */
  achievableEveryMs?: number;
  /** Slots skipped because the line was still busy when they fell due, in the window. */
  missed: number;
}

export interface LinePollerOptions {
  unitIds: readonly number[];
  rates: readonly PollRate[];
  /** The table read (default 'standard'). */
  table?: MeasurementTable;
  device?: DeviceOptions;
  /**
   * The meter at a unit id, when the caller keeps its devices (a Node-RED node shares them with
   * its reads on input); by default the poller makes its own on `link`.
   */
  deviceFor?: (unitId: number) => DirisDevice;
  /** How far back the budget looks (default 60 s). */
  budgetWindowMs?: number;
  /** The first read this long after start (many pollers started together spread out; default 0). */
  startDelayMs?: number;
  clock?: PollerClock;
}

export interface PolledReading {
  unitId: number;
  groups: MeasurementGroup[];
  reading: Reading;
}

export interface FailedPoll {
  unitId: number;
  groups: MeasurementGroup[];
  error: unknown;
}

export class LinePoller extends EventEmitter {
  private readonly clock: PollerClock;
  private readonly devices = new Map<number, DirisDevice>();
  private readonly healthBook = new Map<number, MeterHealth>();
  /** Per meter, how long the last read of each set of groups took (key: the groups, sorted). */
  private readonly readTimes = new Map<number, Map<string, number>>();
  /** The rates, fastest first, each with the groups read at it or at a faster rate (for the load estimate). */
  private readonly cumulativeRates: Array<{ everyMs: number; key: string }>;
  private readonly busy: Array<{ endAt: number; ms: number }> = [];
  private readonly missedAt: number[] = [];
  private readonly windowMs: number;
  private readonly shortestEveryMs: number;
  private schedule?: LineSchedule;
  private timer?: unknown;
  private running?: Promise<void>;
  private startedAt = 0;
  private stopped = true;
  private overBudget = false;

  /** `link`: the line the meters are on (unused when `options.deviceFor` gives the devices). */
  constructor(
    link: RegisterLink | undefined,
    private readonly options: LinePollerOptions,
  ) {
    super();
    if (link === undefined && options.deviceFor === undefined) throw new Error('a line poller needs a link, or deviceFor');
    this.clock = options.clock ?? REAL_CLOCK;
    this.windowMs = options.budgetWindowMs ?? 60_000;
    this.shortestEveryMs = Math.min(...options.rates.map((r) => r.everyMs));
    const union = new Set<MeasurementGroup>();
    this.cumulativeRates = [...options.rates]
      .sort((a, b) => a.everyMs - b.everyMs)
      .map((rate) => {
        for (const group of rate.groups) union.add(group);
        return { everyMs: rate.everyMs, key: groupsKey([...union]) };
      });
    for (const unitId of options.unitIds) {
      if (!options.deviceFor && link !== undefined) this.devices.set(unitId, new DirisDevice(link, unitId, options.device));
      this.healthBook.set(unitId, { unitId, reads: 0, errors: 0, timeouts: 0 });
      this.readTimes.set(unitId, new Map());
    }
  }

  /** The meters polled, in the order given. */
  get unitIds(): readonly number[] {
    return this.options.unitIds;
  }

  /** The interval of the fastest rate (ms). */
  get fastestEveryMs(): number {
    return this.shortestEveryMs;
  }

  /**
   * What these polls ask of the line, as a share of its time: for each meter and rate, the
   * time its reads take per interval. A rate's groups are mostly read merged with the faster
   * rates' (they fall due together), so a rate costs what its groups add to the faster ones'
   * read. A read not made yet counts from when it has been (the first round reads every
   * group at once, which is no measure of the fast rate alone); a failed read counts its
   * time too (a silent meter costs the line its timeouts).
   */
  estimatedLoad(): number {
    let load = 0;
    for (const times of this.readTimes.values()) {
      let before = 0;
      for (const rate of this.cumulativeRates) {
        const ms = times.get(rate.key);
        if (ms === undefined) continue;
        load += Math.max(0, ms - before) / rate.everyMs;
        before = Math.max(before, ms);
      }
    }
    return load;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.startedAt = this.clock.now();
    this.schedule = new LineSchedule(this.options.unitIds, this.options.rates, this.startedAt + (this.options.startDelayMs ?? 0));
    this.arm();
  }

  /** Stops polling; resolves when the read in flight (if any) has settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  health(unitId: number): MeterHealth | undefined {
    const record = this.healthBook.get(unitId);
    return record ? Object.assign({}, record) : undefined;
  }

  budget(): LineBudget {
    const now = this.clock.now();
    const from = now - this.windowMs;
    while (this.busy.length > 0 && this.busy[0].endAt < from) this.busy.shift();
    while (this.missedAt.length > 0 && this.missedAt[0] < from) this.missedAt.shift();
    // At least three intervals of the fastest rate (within the window): the first round, which
    // reads every group at once, is not the whole story.
    const span = Math.max(this.shortestEveryMs, Math.min(this.windowMs, Math.max(3 * this.shortestEveryMs, now - this.startedAt)));
    const busyMs = this.busy.reduce((sum, b) => sum + b.ms, 0);
    const busyFraction = busyMs / span;
    const offeredLoad = Math.max(busyFraction, this.estimatedLoad());
    const exceeded = offeredLoad > LINE_BUDGET_LIMIT || this.missedAt.length > 0;
    const budget: LineBudget = { busyFraction, offeredLoad, windowMs: this.windowMs, exceeded, missed: this.missedAt.length };
    if (exceeded) budget.achievableEveryMs = Math.ceil((this.shortestEveryMs * Math.max(offeredLoad, LINE_BUDGET_LIMIT)) / LINE_BUDGET_LIMIT);
    return budget;
  }

  private arm(): void {
    if (this.stopped || !this.schedule) return;
    const wait = Math.max(0, this.schedule.nextDueAt() - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.pollDue().finally(() => {
        this.running = undefined;
        this.arm();
      });
    }, wait);
  }

  private async pollDue(): Promise<void> {
    const schedule = this.schedule;
    if (!schedule || this.stopped) return;
    const missedBefore = schedule.missed;
    const due = schedule.takeDue(this.clock.now());
    for (let i = missedBefore; i < schedule.missed; i++) this.missedAt.push(this.clock.now());
    // One read at a time: the link would queue them anyway, and this way each read's time is the line's.
    for (const { unitId, groups } of due) {
      if (this.stopped) return;
      await this.pollOne(unitId, groups);
    }
    this.checkBudget();
    this.emitSafely('round', due.length);
  }

  private async pollOne(unitId: number, groups: MeasurementGroup[]): Promise<void> {
    const health = this.healthBook.get(unitId);
    if (!health) return;
    const startedAt = this.clock.now();
    health.reads++;
    try {
      const device = this.options.deviceFor ? this.options.deviceFor(unitId) : this.devices.get(unitId);
      if (!device) return;
      const reading = await device.readMeasurements({ groups, table: this.options.table });
      const endAt = this.clock.now();
      this.busy.push({ endAt, ms: endAt - startedAt });
      this.readTimes.get(unitId)?.set(groupsKey(groups), endAt - startedAt);
      health.lastSuccessAt = reading.timestamp;
      health.lastLatencyMs = endAt - startedAt;
      this.emitSafely('reading', { unitId, groups, reading } satisfies PolledReading);
    } catch (error) {
      const endAt = this.clock.now();
      this.busy.push({ endAt, ms: endAt - startedAt });
      health.errors++;
      health.lastLatencyMs = endAt - startedAt;
      this.readTimes.get(unitId)?.set(groupsKey(groups), endAt - startedAt);
      if (errorKind(error) === 'timeout') health.timeouts++;
      health.lastError = error instanceof Error ? error.message : String(error);
      this.emitSafely('failure', { unitId, groups, error } satisfies FailedPoll);
    }
  }

  private checkBudget(): void {
    const budget = this.budget();
    if (budget.exceeded !== this.overBudget) {
      this.overBudget = budget.exceeded;
      this.emitSafely('budget', budget);
    }
  }

  /** A listener's bug must not stop the polling. */
  private emitSafely(event: string, payload: unknown): void {
    try {
      this.emit(event, payload);
    } catch {
      // The caller's handler failed; the next poll still comes.
    }
  }
}

/** The same groups in any order give the same key. */
function groupsKey(groups: readonly MeasurementGroup[]): string {
  return [...groups].sort().join(',');
}

/** What all the pollers on one line ask of it together. */
export interface LineLoad {
  /** The share of the line's time the polls ask for (above 1: more than it carries). */
  offeredLoad: number;
  exceeded: boolean;
  /** Multiply every poll interval by this to fit the line (1 when it fits). */
  stretch: number;
  /** Slots skipped in the pollers' windows because the line was still busy. */
  missed: number;
  pollers: number;
}

/** The pollers of one line together: their loads add up, and one over-full line slows them all. */
export function combineLineBudgets(budgets: readonly LineBudget[]): LineLoad {
  let offeredLoad = 0;
  let missed = 0;
  for (const budget of budgets) {
    offeredLoad += budget.offeredLoad;
    missed += budget.missed;
  }
  const exceeded = offeredLoad > LINE_BUDGET_LIMIT || missed > 0;
  const stretch = exceeded ? Math.max(offeredLoad, LINE_BUDGET_LIMIT) / LINE_BUDGET_LIMIT : 1;
  return { offeredLoad, exceeded, stretch, missed, pollers: budgets.length };
}
