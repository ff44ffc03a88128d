/**
 * What every transport shares: pick the unit, apply faults, run the PDU, and deliver the
 * answer now or after the configured delay. Transports only decode frames and encode answers.
 */
import { BROADCAST_UNIT_ID } from '../../modbus/limits';
import { createFaultSettings, withInjectedExceptions, WriteRefusalCounter } from './faults';
import { ExceptionCode, exceptionPdu, handlePdu, isWriteFunction } from './pdu';
import type { FaultSettings, ServerStats, UnitLookup } from './types';


/** Sends an answer PDU framed for its transport; returns false when the link is gone. */
export type Transmit = (answer: Buffer, garbled: boolean) => boolean;

interface Answer {
  pdu: Buffer;
  garbled: boolean;
}

export class SlaveCore {
  readonly faults: FaultSettings;
  readonly stats: ServerStats = { requests: 0, answered: 0, ignored: 0, rejectedFrames: 0 };
  private readonly pendingReplies = new Set<NodeJS.Timeout>();
  /** Per unit id, delayed answers in the order they go out (due: performance.now()). */
  private readonly answerQueues = new Map<number, Array<{ due: number; deliver: () => void }>>();
  private readonly writeRefusals = new WriteRefusalCounter();
  private stopped = false;

  constructor(
    private readonly units: UnitLookup,
    faults?: Partial<FaultSettings>,
  ) {
    if (typeof units !== 'function') throw new Error('units must be a function (unitId) => ModbusUnit | undefined');
    this.faults = createFaultSettings(faults);
  }

  /**
   * Handle one decoded request. `transmit` runs at once, or after `faults.latencyMs` plus
   * `extraDelayMs(answer)`, unless the request gets no answer.
   */
  serve(unitId: number, pdu: Buffer, transmit: Transmit, extraDelayMs?: (answer: Buffer) => number): void {
    if (this.stopped) return;
    this.stats.requests++;
    const answer = this.answerFor(unitId, pdu);
    if (answer === undefined) {
      this.stats.ignored++;
      return;
    }
    const deliver = (): void => {
      if (this.stopped) return;
      if (transmit(answer.pdu, answer.garbled)) this.stats.answered++;
      else this.stats.ignored++;
    };
    const delayMs = this.faults.latencyMs + (extraDelayMs?.(answer.pdu) ?? 0);
    const queue = this.answerQueues.get(unitId);
    if (delayMs <= 0 && !queue) {
      deliver();
      return;
    }
    // A meter answers in the order it was asked: an answer never overtakes an earlier one
    // of the same unit id, even when the delay got shorter meanwhile (as on a real line).
    const due = Math.max(performance.now() + delayMs, queue?.[queue.length - 1].due ?? 0);
    if (queue) {
      queue.push({ due, deliver });
      return;
    }
    this.answerQueues.set(unitId, [{ due, deliver }]);
    this.armAnswerTimer(unitId);
  }

  private armAnswerTimer(unitId: number): void {
    const queue = this.answerQueues.get(unitId);
    if (!queue || queue.length === 0) {
      this.answerQueues.delete(unitId);
      return;
    }
    const timer = setTimeout(
      () => {
        this.pendingReplies.delete(timer);
        // A timer may fire up to a millisecond or so before its time (the event loop's clock is
        // read once per turn): an answer is never sent before it is due.
        if (performance.now() < queue[0].due) {
          this.armAnswerTimer(unitId);
          return;
        }
        queue.shift()?.deliver();
        this.armAnswerTimer(unitId);
      },
      Math.max(0, Math.ceil(queue[0].due - performance.now())),
    );
    this.pendingReplies.add(timer);
  }

  /** Count a frame thrown away by the transport (bad CRC, bad header, garbage). */
  rejectFrames(count = 1): void {
    this.stats.rejectedFrames += count;
  }

  /** Cancel every reply still waiting: nothing is transmitted after this. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.pendingReplies) clearTimeout(timer);
    this.pendingReplies.clear();
    this.answerQueues.clear();
  }

  private answerFor(unitId: number, pdu: Buffer): Answer | undefined {
    if (this.faults.silentUnits.has(unitId)) return undefined;
    let unit;
    try {
      unit = this.units(unitId);
    } catch {
      // A broken lookup is a simulator bug; make it visible to the client rather than silent.
      return unitId === BROADCAST_UNIT_ID || pdu.length === 0
        ? undefined
        : { pdu: exceptionPdu(pdu[0], ExceptionCode.serverDeviceFailure), garbled: false };
    }
    if (unit === undefined) return undefined;
    const faultyUnit = withInjectedExceptions(unit, this.faults.exceptionAt);
    if (unitId === BROADCAST_UNIT_ID) {
      if (pdu.length > 0 && isWriteFunction(pdu[0])) handlePdu(faultyUnit, pdu);
      return undefined;
    }
    if (pdu.length > 0 && isWriteFunction(pdu[0])) {
      const refused = this.writeRefusals.refusalFor(this.faults.refuseWrite);
      if (refused !== undefined) return { pdu: exceptionPdu(pdu[0], refused), garbled: false };
    }
    const answer = handlePdu(faultyUnit, pdu);
    if (answer === undefined) return undefined;
    return { pdu: answer, garbled: this.faults.garbledUnits.has(unitId) };
  }
}
