/**
 * A Modbus TCP client over a socket: MBAP framing (transaction id, protocol 0, length,
 * unit id) around the PDU. One request at a time (the link guarantees it); a reply with
 * another transaction id is a late one and is dropped. Nothing is kept per finished
 * request; bytes that are not MBAP are dropped.
 */
import { systemClock, type Clock } from './clock';
import { exceptionError, encodeRequestPdu, replyFromBody } from './pdu';
import type { OperationReply } from './reply';
import { timedOut, type ByteStream } from './rtu-client';
import type { ModbusOperation } from './operations';

const MBAP_HEADER_BYTES = 7;
/** Largest MBAP length field: unit id + a 253-byte PDU. */
const MAX_MBAP_LENGTH = 254;

interface TcpExchange {
  readonly op: ModbusOperation;
  readonly transactionId: number;
  readonly settle: (err: unknown, reply?: OperationReply) => void;
}

function unexpected(what: string): Error {
  return new Error(`Unexpected data error: ${what}`);
}

export class TcpClient {
  /** Epoch ms of the last byte received. */
  lastByteAt = 0;
  /** Replies that answered no request in flight (late ones), dropped. */
  strayFrames = 0;
  /** Bytes that were not Modbus TCP, dropped. */
  droppedBytes = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private current?: TcpExchange;
  private transactionId = 0;
  private failure?: unknown;

  constructor(
    private readonly stream: ByteStream,
    private readonly clock: Clock = systemClock,
  ) {}

  readonly onData = (chunk: Buffer): void => {
    this.lastByteAt = this.clock.now();
    let buf = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (buf.length >= MBAP_HEADER_BYTES) {
      const length = buf.readUInt16BE(4);
      if (buf.readUInt16BE(2) !== 0 || length < 2 || length > MAX_MBAP_LENGTH) {
        // Not Modbus TCP (noise, or RTU frames from a transparent gateway): the stream is out
        // of step and nothing in it can be trusted; drop it. The request times out as unanswered.
        this.droppedBytes += buf.length;
        buf = Buffer.alloc(0);
        break;
      }
      if (buf.length < 6 + length) break;
      const frame = buf.subarray(0, 6 + length);
      buf = buf.subarray(6 + length);
      this.onFrame(frame);
    }
    this.buffer = buf;
  };

  private onFrame(frame: Buffer): void {
    const current = this.current;
    if (!current || frame.readUInt16BE(0) !== current.transactionId) {
      this.strayFrames++;
      return;
    }
    const { op } = current;
    const unitId = frame[6];
    const fn = frame[7];
    const body = frame.subarray(8);
    if (unitId !== op.unitId) {
      current.settle(unexpected(`the reply comes from unit ${unitId}, the request went to unit ${op.unitId}`));
    } else if (fn === (op.fn | 0x80) && body.length === 1) {
      current.settle(exceptionError(body[0]));
    } else if (fn !== op.fn) {
      current.settle(unexpected(`the reply has function ${fn}, the request had ${op.fn}`));
    } else {
      try {
        current.settle(null, replyFromBody(op, body));
      } catch (err) {
        current.settle(err);
      }
    }
  }

  /** Send `op` and resolve with its reply. */
  send(op: ModbusOperation, timeoutMs: number): Promise<OperationReply> {
    return new Promise<OperationReply>((resolve, reject) => {
      if (this.failure !== undefined) {
        reject(this.failure);
        return;
      }
      const timer = this.clock.setTimeout(() => settle(timedOut()), timeoutMs);
      const settle = (err: unknown, reply?: OperationReply): void => {
        if (this.current !== exchange) return;
        this.current = undefined;
        this.clock.clearTimeout(timer);
        if (err !== null && err !== undefined) reject(err);
        else if (reply) resolve(reply);
      };
      const exchange: TcpExchange = { op, transactionId: this.nextTransactionId(), settle };
      this.current = exchange;
      this.write(op, exchange.transactionId, settle);
    });
  }

  /** Write a broadcast (unit 0): nobody answers. */
  sendBroadcast(op: ModbusOperation): void {
    if (this.failure !== undefined) throw this.failure;
    this.write(op, this.nextTransactionId());
  }

  /** Drop a partial frame (whatever is buffered with nothing in flight answers nobody). */
  discardReceived(): void {
    if (!this.current) this.buffer = Buffer.alloc(0);
  }

  /** Fail the request in flight and every later one with `err` (the socket is gone). */
  fail(err: unknown): void {
    this.failure = err;
    this.current?.settle(err);
  }

  private nextTransactionId(): number {
    this.transactionId = (this.transactionId + 1) & 0xffff;
    return this.transactionId;
  }

  private write(op: ModbusOperation, transactionId: number, settle?: (err: unknown) => void): void {
    const pdu = encodeRequestPdu(op);
    const frame = Buffer.alloc(MBAP_HEADER_BYTES + pdu.length);
    frame.writeUInt16BE(transactionId, 0);
    frame.writeUInt16BE(0, 2);
    frame.writeUInt16BE(1 + pdu.length, 4);
    frame[6] = op.unitId;
    pdu.copy(frame, MBAP_HEADER_BYTES);
    try {
      this.stream.write(frame, (err) => {
        if (err) settle?.(err);
      });
    } catch (err) {
      settle?.(err);
    }
  }
}
