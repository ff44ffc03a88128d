import type { UnitHealth } from './types';

export interface UnitBackoffPolicy {
  /** Consecutive unanswered requests before the unit is backed off. */
  failuresBeforeBackoff: number;
  initialMs: number;
  maxMs: number;
}

interface UnitRecord {
  consecutiveFailures: number;
  backoffUntil: number;
  /** The next backoff length if the probe fails too. */
  nextBackoffMs: number;
  /** One request has been chosen to probe the unit after its backoff ended. */
  probePending: boolean;
  lastSuccessAt?: number;
  lastError?: string;
}

/** Verdict on a request for a unit: send it (maybe as the probe), or refuse until a time. */
export type Admission = { send: true; probe: boolean } | { send: false; until: number; probeWaiting: boolean };

/**
 * Per unit id: consecutive failures, backoff (doubling up to a maximum) with one probe
 * when it ends. At most 248 records (unit ids 0..247).
 */
export class UnitHealthBook {
  private readonly records = new Map<number, UnitRecord>();

  constructor(private readonly policy: UnitBackoffPolicy) {}

  get size(): number {
    return this.records.size;
  }

  private record(unitId: number): UnitRecord {
    let rec = this.records.get(unitId);
    if (!rec) {
      rec = {
        consecutiveFailures: 0,
        backoffUntil: 0,
        nextBackoffMs: this.policy.initialMs,
        probePending: false,
      };
      this.records.set(unitId, rec);
    }
    return rec;
  }

  snapshot(unitId: number): UnitHealth {
    const rec = this.records.get(unitId);
    const health: UnitHealth = {
      unitId,
      consecutiveFailures: rec?.consecutiveFailures ?? 0,
      backoffUntil: rec?.backoffUntil ?? 0,
    };
    if (rec?.lastSuccessAt !== undefined) health.lastSuccessAt = rec.lastSuccessAt;
    if (rec?.lastError !== undefined) health.lastError = rec.lastError;
    return health;
  }

  /**
   * May a request for `unitId` go out now? `isProbe` says the request was already chosen
   * as the probe. A unit in backoff refuses everything until the backoff ends; then one
   * request becomes the probe and the others keep being refused until it has an outcome.
   */
  admit(unitId: number, now: number, isProbe: boolean): Admission {
    const rec = this.records.get(unitId);
    if (!rec || rec.backoffUntil === 0) return { send: true, probe: false };
    if (now < rec.backoffUntil) return { send: false, until: rec.backoffUntil, probeWaiting: false };
    if (isProbe) return { send: true, probe: true };
    if (rec.probePending) return { send: false, until: rec.backoffUntil, probeWaiting: true };
    rec.probePending = true;
    return { send: true, probe: true };
  }

  /** The unit answered (values, an exception or even a damaged frame): it is there. */
  recordAnswer(unitId: number, now: number, error?: string): void {
    const rec = this.record(unitId);
    rec.consecutiveFailures = 0;
    rec.backoffUntil = 0;
    rec.nextBackoffMs = this.policy.initialMs;
    rec.probePending = false;
    if (error === undefined) rec.lastSuccessAt = now;
    else rec.lastError = error;
  }

  /** A request got no answer at all (after its retries). */
  recordNoAnswer(unitId: number, now: number, error: string): void {
    const rec = this.record(unitId);
    rec.consecutiveFailures++;
    rec.lastError = error;
    const wasProbe = rec.probePending;
    rec.probePending = false;
    if (wasProbe || rec.backoffUntil !== 0 || rec.consecutiveFailures >= this.policy.failuresBeforeBackoff) {
      rec.backoffUntil = now + rec.nextBackoffMs;
      rec.nextBackoffMs = Math.min(rec.nextBackoffMs * 2, this.policy.maxMs);
    }
  }

  /** The request never reached the unit (link down, link closed): keep the state, free the probe slot. */
  recordNotSent(unitId: number): void {
    const rec = this.records.get(unitId);
    if (rec) rec.probePending = false;
  }
}
