/**
 * The late-reply guard of an RTU line (serial, or raw RTU over a TCP gateway).
 *
 * RTU replies carry no transaction id: a read's reply says only unit id, function and byte
 * count. After a timeout the unit may still answer, at any time later. The guard keeps,
 * per unit id, the requests that timed out ("orphans") and relies on what an RTU line
 * guarantees: a meter answers the requests it answers in the order it got them. So:
 * - a frame that could answer an orphan is that orphan's late reply (the oldest one it
 *   fits): it is dropped, and orphans older than it are settled (their replies would have
 *   come first);
 * - a frame is taken as the answer of the request in flight only when no orphan could
 *   have sent it, and only when it began arriving after that request was sent;
 * - a request whose reply would look like an orphan's is not sent until the line is
 *   clear: first a short "sync" read whose reply cannot be confused with any orphan's;
 *   its answer proves every earlier reply has come or never will.
 * This holds for any lateness. On a healthy line (no orphans) it costs nothing.
 */
import type { ModbusOperation } from './operations';
import type { RtuReplyFrame } from './rtu-frames';
import { MAX_READ_REGISTERS } from '../modbus/limits';

interface Orphan {
  readonly op: GuardedOperation;
}

interface ReadRange {
  readonly address: number;
  readonly count: number;
}

/**
 * Diagnostics "return query data" (function 8, sub-function 0): the meter echoes `echo`, or
 * answers exception 1 when it lacks the function. Either reply has a form no read or write
 * has, so it serves as a sync when no read of a distinct form can be built.
 */
export interface EchoOperation {
  readonly fn: 8;
  readonly unitId: number;
  readonly echo: number;
}

/** What the guard may send or track: a request of the link, or its own echo. */
export type GuardedOperation = ModbusOperation | EchoOperation;

/** What to do before sending a request. */
export type GuardAdvice =
  | { readonly kind: 'send' }
  | { readonly kind: 'sync'; readonly op: GuardedOperation };

/** Who a frame from the line answers. */
export type Attribution = 'in-flight' | 'late' | 'stray';

/** The request on the wire, and the last data chunk that arrived before it was written. */
export interface InFlightRequest {
  readonly op: GuardedOperation;
  readonly lastChunkBeforeSend: number;
}

/** True when `frame` has the form of a reply to `op` (data or exception). */
export function couldAnswer(frame: Pick<RtuReplyFrame, 'unitId' | 'fn' | 'body'>, op: GuardedOperation): boolean {
  if (frame.unitId !== op.unitId) return false;
  if (frame.fn === (op.fn | 0x80)) return frame.body.length === 1;
  if (frame.fn !== op.fn) return false;
  const body = frame.body;
  if (op.fn === 3) return body.length === 1 + 2 * op.count && body[0] === 2 * op.count;
  if (body.length !== 4) return false;
  const address = body.readUInt16BE(0);
  const second = body.readUInt16BE(2);
  if (op.fn === 8) return address === 0 && second === op.echo;
  return op.fn === 6 ? address === op.address && second === op.value : address === op.address && second === op.values.length;
}

/** True when a data reply to `a` would have the form of a data reply to `b` (same unit assumed). */
function sameReplyForm(a: GuardedOperation, b: GuardedOperation): boolean {
  if (a.fn === 3 && b.fn === 3) return a.count === b.count;
  if (a.fn === 6 && b.fn === 6) return a.address === b.address && a.value === b.value;
  if (a.fn === 16 && b.fn === 16) return a.address === b.address && a.values.length === b.values.length;
  if (a.fn === 8 && b.fn === 8) return a.echo === b.echo;
  return false;
}

function rangeOf(op: GuardedOperation): ReadRange | undefined {
  if (op.fn === 8) return undefined;
  if (op.fn === 3) return { address: op.address, count: op.count };
  return { address: op.address, count: op.fn === 6 ? 1 : op.values.length };
}

export interface ReplyGuardOptions {
  /** Orphans kept per unit id; older ones are forgotten (their replies are long overdue). */
  maxOrphansPerUnit?: number;
}

export class ReplyGuard {
  private readonly orphans = new Map<number, Orphan[]>();
  /** Per unit id: the largest range a read has been answered for, where syncs can read. */
  private readonly readable = new Map<number, ReadRange>();
  private readonly maxOrphans: number;
  private echoes = 0;
  /** Late replies recognised and dropped, and sync reads sent: for diagnostics. */
  readonly counts = { lateReplies: 0, syncs: 0 };

  constructor(options: ReplyGuardOptions = {}) {
    this.maxOrphans = options.maxOrphansPerUnit ?? 256;
  }

  /** Requests of `unitId` whose replies may still come. */
  orphanCount(unitId: number): number {
    return this.orphans.get(unitId)?.length ?? 0;
  }

  /** `op` got no reply in time: its reply may still come. */
  timedOut(op: GuardedOperation): void {
    const list = this.orphans.get(op.unitId) ?? [];
    list.push({ op });
    if (list.length > this.maxOrphans) list.splice(0, list.length - this.maxOrphans);
    this.orphans.set(op.unitId, list);
  }

  /** `op` was answered (data or exception) as the request in flight. */
  answered(op: GuardedOperation, withData: boolean): void {
    if (op.fn !== 3 || !withData) return;
    const known = this.readable.get(op.unitId);
    if (!known || op.count > known.count) this.readable.set(op.unitId, { address: op.address, count: op.count });
  }

  /**
   * May `op` go out now? Not while an orphan of its unit would send a reply of the same
   * form, unless that orphan is an earlier attempt of `op` itself (its reply answers the
   * same question): then a sync goes first.
   */
  advise(op: ModbusOperation): GuardAdvice {
    const list = this.orphans.get(op.unitId);
    if (!list || list.length === 0) return { kind: 'send' };
    if (!list.some((orphan) => orphan.op !== op && sameReplyForm(orphan.op, op))) return { kind: 'send' };
    return { kind: 'sync', op: this.syncFor(op, list) };
  }

  /**
   * A short read whose reply form no orphan shares, inside a range the unit is known to
   * answer (or `op`'s own); else an echo.
   */
  private syncFor(op: ModbusOperation, list: readonly Orphan[]): GuardedOperation {
    const takenCounts = new Set<number>();
    for (const orphan of list) if (orphan.op.fn === 3) takenCounts.add(orphan.op.count);
    const ranges: Array<ReadRange | undefined> = [this.readable.get(op.unitId), rangeOf(op)];
    for (const orphan of list) ranges.push(rangeOf(orphan.op));
    this.counts.syncs++;
    for (const range of ranges) {
      if (!range) continue;
      for (let count = 1; count <= Math.min(range.count, MAX_READ_REGISTERS); count++) {
        if (!takenCounts.has(count)) return { fn: 3, unitId: op.unitId, address: range.address, count };
      }
    }
    // Every short read's form is taken: an echo whose data no orphan shares.
    this.echoes = (this.echoes + 1) & 0xffff;
    return { fn: 8, unitId: op.unitId, echo: this.echoes };
  }

  /**
   * Who does a frame that arrived answer? The oldest orphan it fits, if any (then it and
   * older orphans are settled); else the request in flight, if it fits and began arriving
   * after that request was written (then every orphan of the unit is settled); else nobody.
   * An earlier attempt of the request in flight counts as that request: the retry takes it.
   */
  attribute(frame: RtuReplyFrame, inFlight: InFlightRequest | undefined): Attribution {
    const fitsInFlight =
      inFlight !== undefined && frame.firstChunk > inFlight.lastChunkBeforeSend && couldAnswer(frame, inFlight.op);
    const list = this.orphans.get(frame.unitId);
    const index = list ? list.findIndex((orphan) => couldAnswer(frame, orphan.op)) : -1;
    if (list && index >= 0) {
      const fitting = list.filter((orphan) => couldAnswer(frame, orphan.op));
      list.splice(0, index + 1);
      if (fitsInFlight && fitting.every((orphan) => orphan.op === inFlight.op)) {
        // The retry's own reply is still on its way: it becomes the newest orphan.
        list.push({ op: inFlight.op });
        return 'in-flight';
      }
      this.counts.lateReplies++;
      return 'late';
    }
    if (fitsInFlight) {
      this.orphans.delete(frame.unitId);
      return 'in-flight';
    }
    return 'stray';
  }
}
