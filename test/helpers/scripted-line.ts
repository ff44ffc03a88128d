/**
 * A Modbus line in memory for the link's scheduling tests on a ManualClock: units answer
 * after a set latency (numbered values, as the transport fixtures' units), stay silent, or
 * answer an exception; the line can fail to open or drop. It stands in for the socket or
 * port only: the link's scheduler, supervisor, queue and unit health are the real ones.
 * Real sockets and ports are tested in test/integration/transport-*.test.ts.
 */
import type { ChannelOpener, LinkChannel, OperationReply } from '../../src/transport/channel';
import type { ManualClock } from './manual-clock';
import type { ModbusOperation } from '../../src/transport/operations';
import { exceptionError } from '../../src/transport/pdu';
import { timedOut } from '../../src/transport/rtu-client';
import { englishTransportPhrase, wordReason, type ErrorReason } from '../../src/transport/reasons';

/** What register `address` of unit `unitId` holds: every answer says who gave it. */
export function numbered(unitId: number, address: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (unitId * 1000 + address + i) & 0xffff);
}

export interface Sent {
  readonly at: number;
  readonly op: ModbusOperation;
  /** The channel (open number, from 1) it went out on. */
  readonly line: number;
}

function replyTo(op: ModbusOperation): OperationReply {
  if (op.fn === 3) return { fn: 3, values: numbered(op.unitId, op.address, op.count) };
  if (op.fn === 6) return { fn: 6, address: op.address, value: op.value };
  return { fn: 16, address: op.address, length: op.values.length };
}

/** As the real channel says a line gone away: its reason, worded in English as the message. */
function lineLost(reason: ErrorReason): Error & { code: string; reason: ErrorReason } {
  return Object.assign(new Error(wordReason(reason, englishTransportPhrase)), { code: 'LINK_LOST', reason });
}

export class ScriptedLine {
  /** ms from a request to its reply, per unit id (default `latencyMs`). */
  readonly latency = new Map<number, number>();
  latencyMs = 10;
  /** Unit ids that never answer. */
  readonly silent = new Set<number>();
  /** Address -> Modbus exception code answered for it. */
  readonly exceptions = new Map<number, number>();
  /** While true, opening the line fails (ECONNREFUSED). */
  refuse = false;
  /** ms an open takes. */
  openMs = 5;
  /** When each open was tried. */
  readonly opens: number[] = [];
  /** Every request that reached the line, in order (broadcasts too). */
  readonly sent: Sent[] = [];
  private channel?: Channel;
  private lines = 0;

  constructor(private readonly clock: ManualClock) {}

  readonly open: ChannelOpener = () =>
    new Promise<LinkChannel>((resolve, reject) => {
      this.opens.push(this.clock.now());
      this.clock.setTimeout(() => {
        if (this.refuse) {
          reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
          return;
        }
        this.channel = new Channel(this, this.clock, ++this.lines);
        resolve(this.channel);
      }, this.openMs);
    });

  /** The line goes away by itself (a cable pulled, the peer closed). */
  drop(reason: ErrorReason = { code: 'closedByPeer' }): void {
    this.channel?.lose(reason);
    this.channel = undefined;
  }

  /** True while a line is open (not released, not lost). */
  get isOpen(): boolean {
    return this.channel?.isOpen === true;
  }

  latencyOf(unitId: number): number {
    return this.latency.get(unitId) ?? this.latencyMs;
  }

  record(op: ModbusOperation, line: number): void {
    this.sent.push({ at: this.clock.now(), op, line });
  }
}

class Channel implements LinkChannel {
  isOpen = true;
  lastByteAt = 0;
  private lostHandler?: (reason: ErrorReason) => void;
  private pending?: (err: unknown) => void;

  constructor(
    private readonly line: ScriptedLine,
    private readonly clock: ManualClock,
    private readonly number: number,
  ) {}

  onLost(handler: (reason: ErrorReason) => void): void {
    this.lostHandler = handler;
  }

  discardReceived(): void {
    // Nothing is buffered: replies are whole.
  }

  send(op: ModbusOperation, timeoutMs: number): Promise<OperationReply> {
    if (!this.isOpen) return Promise.reject(lineLost({ code: 'connectionClosed' }));
    this.line.record(op, this.number);
    return new Promise<OperationReply>((resolve, reject) => {
      let settled = false;
      const settle = (err: unknown, reply?: OperationReply): void => {
        if (settled) return;
        settled = true;
        this.pending = undefined;
        this.clock.clearTimeout(timer);
        if (err) reject(err);
        else resolve(reply!);
      };
      this.pending = settle;
      const timer = this.clock.setTimeout(() => settle(timedOut()), timeoutMs);
      if (this.line.silent.has(op.unitId)) return;
      const latency = this.line.latencyOf(op.unitId);
      this.clock.setTimeout(() => {
        if (!this.isOpen) return;
        this.lastByteAt = this.clock.now();
        const code = this.line.exceptions.get(op.address);
        if (code !== undefined) settle(exceptionError(code));
        else settle(null, replyTo(op));
      }, latency);
    });
  }

  sendBroadcast(op: ModbusOperation): void {
    if (!this.isOpen) throw lineLost({ code: 'connectionClosed' });
    this.line.record(op, this.number);
  }

  listenerCount(): number {
    return this.isOpen ? 1 : 0;
  }

  release(): Promise<void> {
    this.isOpen = false;
    this.pending?.(lineLost({ code: 'closedByUs' }));
    return Promise.resolve();
  }

  lose(reason: ErrorReason): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.pending?.(lineLost(reason));
    this.lostHandler?.(reason);
  }
}
