/**
 * Polls many meters on one line from one place: a list of unit ids, each group of values
 * at its own rate (LineSchedule), one read at a time so the line's load can be measured,
 * a health record per meter, and the line's budget: how much of the time the line is busy
 * with these polls, and the interval it could keep when the polls ask for more.
 * Plain module: Node-RED nodes (or any program) listen to its events.
 *
 * Events: 'reading' ({ unitId, groups, reading }), 'failure' ({ unitId, groups, error }),
 * 'budget' (LineBudget, when it goes over or back under).
 */
import { EventEmitter } from 'node:events';
import { DirisDevice, type DeviceOptions } from './diris-device';
import { errorKind } from './errors';
import { LineSchedule, type PollRate } from './line-schedule';
import type { MeasurementGroup, Reading, RegisterLink } from './types';

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
  device?: DeviceOptions;
  /** How far back the budget looks (default 60 s). */
  budgetWindowMs?: number;
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

  constructor(
    link: RegisterLink,
    private readonly options: LinePollerOptions,
  ) {
    super();
    this.clock = options.clock ?? REAL_CLOCK;
    this.windowMs = options.budgetWindowMs ?? 60_000;
    this.shortestEveryMs = Math.min(...options.rates.map((r) => r.everyMs));
    for (const unitId of options.unitIds) {
      this.devices.set(unitId, new DirisDevice(link, unitId, options.device));
      this.healthBook.set(unitId, { unitId, reads: 0, errors: 0, timeouts: 0 });
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.startedAt = this.clock.now();
    this.schedule = new LineSchedule(this.options.unitIds, this.options.rates, this.startedAt);
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
    return record ? { ...record } : undefined;
  }

  budget(): LineBudget {
    const now = this.clock.now();
    const from = now - this.windowMs;
    while (this.busy.length > 0 && this.busy[0].endAt < from) this.busy.shift();
    while (this.missedAt.length > 0 && this.missedAt[0] < from) this.missedAt.shift();
    // At least one interval of the fastest rate: the first round is not the whole story.
    const span = Math.max(this.shortestEveryMs, Math.min(this.windowMs, now - this.startedAt));
    const busyMs = this.busy.reduce((sum, b) => sum + b.ms, 0);
    const busyFraction = busyMs / span;
    let perRound = 0;
    for (const health of this.healthBook.values()) perRound += health.lastLatencyMs ?? 0;
    const offeredLoad = Math.max(busyFraction, perRound / this.shortestEveryMs);
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
  }

  private async pollOne(unitId: number, groups: MeasurementGroup[]): Promise<void> {
    const device = this.devices.get(unitId);
    const health = this.healthBook.get(unitId);
    if (!device || !health) return;
    const startedAt = this.clock.now();
    health.reads++;
    try {
      const reading = await device.readMeasurements({ groups });
      const endAt = this.clock.now();
      this.busy.push({ endAt, ms: endAt - startedAt });
      health.lastSuccessAt = reading.timestamp;
      health.lastLatencyMs = endAt - startedAt;
      this.emitSafely('reading', { unitId, groups, reading } satisfies PolledReading);
    } catch (error) {
      const endAt = this.clock.now();
      this.busy.push({ endAt, ms: endAt - startedAt });
      health.errors++;
      health.lastLatencyMs = endAt - startedAt;
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
