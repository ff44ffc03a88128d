/**
 * A clock the test moves by hand, for the transport's injected clock: timers fire only
 * when the test advances time, in the order they are due, and promise callbacks run
 * between them. A test on it asserts exact times, with no margin for a loaded machine.
 */
import type { Clock, ClockTimer } from '../../src/transport/clock';

/** How a promise settled, and the clock's time then. */
export interface Outcome<T> {
  readonly at: number;
  readonly value?: T;
  readonly error?: Error & { kind?: string };
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Let pending promise callbacks (and what they chain) run. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<ClockTimer, Timer>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const handle = {};
    this.timers.set(handle, { at: this.time + Math.max(0, ms), seq: this.seq++, callback });
    return handle;
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer);
  }

  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  private nextDue(limit: number): [ClockTimer, Timer] | undefined {
    let best: [ClockTimer, Timer] | undefined;
    for (const entry of this.timers) {
      if (entry[1].at > limit) continue;
      if (!best || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[1].seq < best[1].seq)) best = entry;
    }
    return best;
  }

  /** Move time forward by `ms`, firing every timer due on the way, each at its own time. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flushPromises();
    for (let due = this.nextDue(target); due; due = this.nextDue(target)) {
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await flushPromises();
    }
    this.time = target;
    await flushPromises();
  }

  private readonly tracked = new WeakMap<Promise<unknown>, Promise<Outcome<unknown>>>();
  private readonly outcomes = new WeakSet<Promise<unknown>>();

  /**
   * The outcome of `promise` and the clock's time when it settled. Track a request when it
   * is made if the test lets time run before settling it.
   */
  track<T>(promise: Promise<Outcome<T>>): Promise<Outcome<T>>;
  track<T>(promise: Promise<T>): Promise<Outcome<T>>;
  track(promise: Promise<unknown>): Promise<Outcome<unknown>> {
    if (this.outcomes.has(promise)) return promise as Promise<Outcome<unknown>>;
    const known = this.tracked.get(promise);
    if (known) return known;
    const outcome = promise.then(
      (value): Outcome<unknown> => ({ at: this.time, value }),
      (error: Error & { kind?: string }): Outcome<unknown> => ({ at: this.time, error }),
    );
    this.tracked.set(promise, outcome);
    this.outcomes.add(outcome);
    return outcome;
  }

  /**
   * Fire timers in order until `promise` settles; resolves with its outcome and the time it
   * settled at. Fails when nothing is left to fire and it is still pending, or after `limitMs`.
   */
  settle<T>(promise: Promise<Outcome<T>>, limitMs?: number): Promise<Outcome<T>>;
  settle<T>(promise: Promise<T>, limitMs?: number): Promise<Outcome<T>>;
  async settle(promise: Promise<unknown>, limitMs = 3_600_000): Promise<Outcome<unknown>> {
    let outcome: Outcome<unknown> | undefined;
    void this.track(promise).then((result) => (outcome = result));
    const limit = this.time + limitMs;
    await flushPromises();
    while (!outcome) {
      const due = this.nextDue(limit);
      if (!due) throw new Error(`still pending at +${limitMs} ms with ${this.timers.size} timers armed`);
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
      await flushPromises();
    }
    return outcome;
  }
}
