/**
 * A Modbus RTU master over a byte stream: a serial port, or a socket to a transparent
 * serial gateway. One request at a time (the link guarantees it); every byte that comes
 * back goes through our own frame decoder and the late-reply guard, so no frame is ever
 * taken for the answer of a request it does not answer (see reply-guard.ts).
 */
import type { EventEmitter } from 'node:events';
import { systemClock, type Clock, type ClockTimer } from './clock';
import type { ModbusOperation } from './operations';
import { ReplyGuard, type GuardedOperation } from './reply-guard';
import { exceptionError, replyFromBody } from './pdu';
import { encodeRequest, RtuReplyDecoder, type RtuReplyFrame } from './rtu-frames';
import type { OperationReply } from './reply';

/** What the client needs of a net.Socket or a serialport SerialPort. */
export interface ByteStream extends EventEmitter {
  write(data: Buffer, callback?: (err?: Error | null) => void): boolean;
}

interface Exchange {
  readonly op: GuardedOperation;
  readonly lastChunkBeforeSend: number;
  readonly settle: (err: unknown, reply?: OperationReply) => void;
}

/** A plain-object timeout like modbus-serial's, classified by `errno`. */
export function timedOut(): { name: string; message: string; errno: string } {
  return { name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' };
}

function isModbusException(err: unknown): boolean {
  return typeof err === 'object' && err !== null && typeof (err as { modbusCode?: unknown }).modbusCode === 'number';
}

/** Length of the data reply to `op`, for the decoder's garbled-frame check. */
function replyLength(op: GuardedOperation): number {
  return op.fn === 3 ? 5 + 2 * op.count : 8;
}

export interface RtuClientOptions {
  /** Silence that ends a frame; a partial frame older than this is dropped. */
  silenceMs: number;
  /** Silence kept on the line after a reply before the next request (3.5 characters on serial). */
  gapMs: number;
}

export class RtuClient {
  /** Epoch ms of the last byte received. */
  lastByteAt = 0;
  /** Bytes and frames that answered nobody: dropped. */
  readonly dropped = { bytes: 0, strayFrames: 0 };
  readonly guard: ReplyGuard;
  private readonly decoder: RtuReplyDecoder;
  private current?: Exchange;
  private readonly pauses = new Map<ClockTimer, () => void>();
  private failure?: unknown;

  constructor(
    private readonly stream: ByteStream,
    private readonly options: RtuClientOptions,
    private readonly clock: Clock = systemClock,
  ) {
    this.decoder = new RtuReplyDecoder(options.silenceMs);
    this.guard = new ReplyGuard();
  }

  /** Feed every chunk the stream emits. */
  readonly onData = (chunk: Buffer): void => {
    const now = this.clock.now();
    this.lastByteAt = now;
    const decoded = this.decoder.push(chunk, now);
    this.dropped.bytes += decoded.droppedBytes;
    const current = this.current;
    for (const garbled of decoded.garbled) {
      if (
        current &&
        garbled.unitId === current.op.unitId &&
        (garbled.fn === current.op.fn || garbled.fn === (current.op.fn | 0x80)) &&
        garbled.firstChunk > current.lastChunkBeforeSend
      ) {
        // The unit answered, but the line damaged it: no late reply will follow.
        current.settle(new Error('CRC error'));
      }
    }
    for (const frame of decoded.frames) this.onFrame(frame);
  };

  private onFrame(frame: RtuReplyFrame): void {
    const current = this.current;
    const who = this.guard.attribute(frame, current);
    if (who === 'late') return;
    if (who === 'stray' || !current) {
      this.dropped.strayFrames++;
      return;
    }
    if (frame.fn & 0x80) {
      this.guard.answered(current.op, false);
      current.settle(exceptionError(frame.body[0]));
      return;
    }
    this.guard.answered(current.op, true);
    current.settle(null, replyFromBody(current.op, frame.body));
  }

  /**
   * Send `op` once the guard says its reply cannot be confused with a late one; resolve
   * with its reply. When the unit may still send a late reply of the same form, a sync
   * goes first; if the sync is not answered, this attempt fails as a timeout.
   */
  async send(op: ModbusOperation, timeoutMs: number): Promise<OperationReply> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const advice = this.guard.advise(op);
      if (advice.kind === 'send') return this.exchange(op, timeoutMs);
      try {
        await this.exchange(advice.op, timeoutMs);
      } catch (err) {
        // An exception is an answer too: it proves the earlier replies have passed.
        // An unanswered sync is this attempt's timeout (one timeout of line time at most).
        if (!isModbusException(err)) throw err;
      }
      await this.pause(this.options.gapMs);
    }
  }

  /** Write a broadcast (unit 0): nobody answers. */
  sendBroadcast(op: ModbusOperation): void {
    if (this.failure !== undefined) throw this.failure;
    this.decoder.clear();
    this.stream.write(encodeRequest(op));
  }

  /** Drop a partial frame (the line was quiet; whatever is buffered answers nobody). */
  discardReceived(): void {
    if (!this.current) this.decoder.clear();
  }

  /** Fail the request in flight and every later one with `err` (the line is gone). */
  fail(err: unknown): void {
    this.failure = err;
    this.current?.settle(err);
    for (const [timer, resolve] of this.pauses) {
      this.clock.clearTimeout(timer);
      resolve();
    }
    this.pauses.clear();
  }

  private exchange(op: GuardedOperation, timeoutMs: number): Promise<OperationReply> {
    return new Promise<OperationReply>((resolve, reject) => {
      if (this.failure !== undefined) {
        reject(this.failure);
        return;
      }
      const timer = this.clock.setTimeout(() => {
        this.guard.timedOut(op);
        settle(timedOut());
      }, timeoutMs);
      const settle = (err: unknown, reply?: OperationReply): void => {
        if (this.current !== exchange) return;
        this.current = undefined;
        this.decoder.expected = undefined;
        this.clock.clearTimeout(timer);
        if (err !== null && err !== undefined) reject(err);
        else if (reply) resolve(reply);
      };
      const exchange: Exchange = { op, lastChunkBeforeSend: this.decoder.lastChunk, settle };
      this.current = exchange;
      this.decoder.expected = { unitId: op.unitId, fn: op.fn, length: replyLength(op) };
      try {
        this.stream.write(encodeRequest(op), (err) => {
          if (err) settle(err);
        });
      } catch (err) {
        settle(err);
      }
    });
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pauses.delete(timer);
        resolve();
      }, ms);
      this.pauses.set(timer, resolve);
    });
  }
}
