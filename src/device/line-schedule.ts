/**
 * When to read what, for many meters on one line: each group of values at its own rate
 * (instantaneous every few seconds, energies every minute), what falls due together for
 * one meter merged into one read, and the meters' start times spread over the shortest
 * interval so that a deploy does not send every first poll in the same instant.
 * Pure: the caller owns the clock and the timers (see `nextDueAt` / `takeDue`).
 */
import type { MeasurementGroup } from './types';

/** Groups read together at one rate. */
export interface PollRate {
  readonly groups: readonly MeasurementGroup[];
  readonly everyMs: number;
}

/** One read to make now: a meter and the union of its groups that fell due. */
export interface DuePoll {
  readonly unitId: number;
  readonly groups: MeasurementGroup[];
}

interface Slot {
  readonly unitId: number;
  readonly rate: PollRate;
  dueAt: number;
}

export class LineSchedule {
  private readonly slots: Slot[] = [];
  /** Slots whose time passed by more than a whole interval before they were taken (the line or the loop fell behind). */
  missed = 0;

  /**
   * @param mergeWindowMs a slot due within this much after `now` is taken with those due now
   *   (a meter's energies due 10 ms after its instantaneous values go in the same read).
   */
  constructor(
    unitIds: readonly number[],
    rates: readonly PollRate[],
    startAt: number,
    private readonly mergeWindowMs = 50,
  ) {
    if (unitIds.length === 0) throw new Error('a line schedule needs at least one unit id');
    if (rates.length === 0) throw new Error('a line schedule needs at least one rate');
    for (const rate of rates) {
      if (!(Number.isFinite(rate.everyMs) && rate.everyMs > 0)) throw new Error(`every rate needs an interval > 0 ms, got ${String(rate.everyMs)}`);
      if (rate.groups.length === 0) throw new Error('every rate needs at least one group');
    }
    // Meter i of n starts i/n of the shortest interval in: the first polls are spread evenly.
    const shortest = Math.min(...rates.map((r) => r.everyMs));
    unitIds.forEach((unitId, i) => {
      const offset = (shortest * i) / unitIds.length;
      for (const rate of rates) this.slots.push({ unitId, rate, dueAt: startAt + offset });
    });
  }

  /** When the next read falls due. */
  nextDueAt(): number {
    let next = Infinity;
    for (const slot of this.slots) next = Math.min(next, slot.dueAt);
    return next;
  }

  /**
   * The reads due at `now` (one per meter, groups merged, in unit id order of first due),
   * and the next due time of each slot taken: one interval on from when it was due (no
   * drift), or, when it fell more than a whole interval behind, the next time on its grid
   * after `now` (counted in `missed`).
   */
  takeDue(now: number): DuePoll[] {
    const byUnit = new Map<number, Set<MeasurementGroup>>();
    const due = this.slots.filter((slot) => slot.dueAt <= now + this.mergeWindowMs).sort((a, b) => a.dueAt - b.dueAt);
    for (const slot of due) {
      let groups = byUnit.get(slot.unitId);
      if (!groups) {
        groups = new Set();
        byUnit.set(slot.unitId, groups);
      }
      for (const group of slot.rate.groups) groups.add(group);
      const every = slot.rate.everyMs;
      let next = slot.dueAt + every;
      if (next <= now) {
        const behind = Math.floor((now - slot.dueAt) / every);
        this.missed += behind;
        next = slot.dueAt + (behind + 1) * every;
      }
      slot.dueAt = next;
    }
    return [...byUnit].map(([unitId, groups]) => ({ unitId, groups: [...groups] }));
  }
}
