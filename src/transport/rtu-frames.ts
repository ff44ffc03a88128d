/**
 * RTU framing on the master's side: request frames out, reply frames found in the bytes
 * that come back. RTU has no length field and no transaction id: a reply's length follows
 * from its function code (and byte count), a CRC mismatch means the bytes are not a frame.
 */
import { appendCrc, crc16Step } from '../modbus/crc';
import { encodeRequestPdu } from './pdu';
import type { GuardedOperation } from './reply-guard';

/** A reply frame with a valid CRC, as it came off the line. */
export interface RtuReplyFrame {
  readonly unitId: number;
  /** The function code as sent back: the request's, or with bit 7 set for an exception. */
  readonly fn: number;
  /** The bytes between the function code and the CRC. */
  readonly body: Buffer;
  /** Number of the data chunk the frame's first byte arrived in (see RtuReplyDecoder). */
  readonly firstChunk: number;
}

/** A frame whose CRC did not match (garbled on the line), with what its header said. */
export interface RtuGarbledFrame {
  readonly unitId: number;
  readonly fn: number;
  readonly firstChunk: number;
}

/** An RTU request frame: unit id, PDU, CRC. */
export function encodeRequest(op: GuardedOperation): Buffer {
  const pdu = encodeRequestPdu(op);
  const frame = Buffer.alloc(1 + pdu.length);
  frame[0] = op.unitId;
  pdu.copy(frame, 1);
  return appendCrc(frame);
}

/** Length of the reply frame starting at `start`, 'need-more', or undefined for a function no reply of ours has. */
function replyLength(buf: Buffer, start: number): number | 'need-more' | undefined {
  const available = buf.length - start;
  if (available < 2) return 'need-more';
  const fn = buf[start + 1];
  if (fn & 0x80) return 5; // unit, fn | 0x80, exception code, CRC
  if (fn === 3 || fn === 4) return available < 3 ? 'need-more' : 5 + buf[start + 2];
  if (fn === 6 || fn === 8 || fn === 16) return 8; // unit, fn, address (sub-function), value or count, CRC
  return undefined;
}

function crcMatchesAt(buf: Buffer, start: number, length: number): boolean {
  let crc = 0xffff;
  for (let i = start; i < start + length - 2; i++) crc = crc16Step(crc, buf[i]);
  return buf.readUInt16LE(start + length - 2) === crc;
}

export interface DecodedChunk {
  frames: RtuReplyFrame[];
  garbled: RtuGarbledFrame[];
  /** Bytes dropped because they could not start a frame. */
  droppedBytes: number;
}

/**
 * Splits the bytes coming back into reply frames. Each chunk handed to `push` gets a number;
 * a frame remembers the chunk its first byte came in, so the client can tell frames that
 * began arriving before a request was sent from frames that came after it. A partial
 * frame left when the line has been silent for `silenceMs` is dropped (RTU frames are
 * separated by silence), so garbage can never wedge the decoder.
 */
export class RtuReplyDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private bufferFirstChunk = 0;
  private lastChunkAt = -Infinity;
  private chunks = 0;

  /** The reply the request in flight expects: a garbled frame with this header is consumed whole. */
  expected?: { unitId: number; fn: number; length: number };

  constructor(private readonly silenceMs: number) {}

  /** Number of the last chunk pushed (0 before the first). */
  get lastChunk(): number {
    return this.chunks;
  }

  /** Forget buffered bytes (they can only be stray when nothing is in flight). */
  clear(): void {
    this.buffer = Buffer.alloc(0);
  }

  push(chunk: Buffer, now: number): DecodedChunk {
    const chunkNumber = ++this.chunks;
    let droppedBytes = 0;
    if (this.buffer.length > 0 && now - this.lastChunkAt > this.silenceMs) {
      droppedBytes += this.buffer.length;
      this.buffer = Buffer.alloc(0);
    }
    this.lastChunkAt = now;
    // Which chunk each byte came in: bytes before `split` are older than this chunk.
    const split = this.buffer.length;
    const olderFirstChunk = this.bufferFirstChunk;
    const buf = split === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const chunkOf = (offset: number): number => (offset < split ? olderFirstChunk : chunkNumber);

    const frames: RtuReplyFrame[] = [];
    const garbled: RtuGarbledFrame[] = [];
    let offset = 0;
    while (offset < buf.length) {
      const length = replyLength(buf, offset);
      if (length === 'need-more') break;
      if (length === undefined || length > 255 + 5) {
        offset++;
        droppedBytes++;
        continue;
      }
      if (buf.length - offset < length) break;
      const header = { unitId: buf[offset], fn: buf[offset + 1], firstChunk: chunkOf(offset) };
      if (crcMatchesAt(buf, offset, length)) {
        frames.push({ unitId: header.unitId, fn: header.fn, firstChunk: header.firstChunk, body: Buffer.from(buf.subarray(offset + 2, offset + length - 2)) });
        offset += length;
      } else {
        garbled.push(header);
        const expected = this.expected;
        const whole = expected?.unitId === header.unitId && expected.fn === header.fn && expected.length === length;
        offset += whole ? length : 1;
        droppedBytes += whole ? length : 1;
      }
    }
    this.buffer = offset >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(offset));
    this.bufferFirstChunk = chunkOf(offset);
    return { frames, garbled, droppedBytes };
  }
}
