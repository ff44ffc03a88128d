/**
 * RTU frames (unit id, PDU, CRC low byte first) found in a byte stream. RTU has no length
 * field: a frame's end follows from its function code, and a CRC mismatch means the bytes
 * are not a frame, so the parser slides forward until a valid frame lines up again.
 */
import { appendCrc, crc16Step } from '../../modbus/crc';

/** Largest frame the parser waits for: function 16 with a byte count of 255 (9 + 255). */
export const MAX_RTU_FRAME_BYTES = 264;
const MIN_RTU_FRAME_BYTES = 4; // unit id, function code, CRC

export interface RtuRequestFrame {
  unitId: number;
  pdu: Buffer;
  /** Bytes the frame took on the wire (PDU + 3). */
  frameLength: number;
}

export function encodeRtuFrame(unitId: number, pdu: Buffer): Buffer {
  return appendCrc(Buffer.concat([Buffer.from([unitId]), pdu]));
}

/** A garbled RTU answer has one CRC byte flipped. */
export function corruptCrc(frame: Buffer): Buffer {
  const copy = Buffer.from(frame);
  copy[copy.length - 1] ^= 0xff;
  return copy;
}

type FrameStatus = { status: 'valid'; length: number } | { status: 'invalid' } | { status: 'incomplete' };

function crcMatchesAt(buf: Buffer, start: number, length: number): boolean {
  let crc = 0xffff;
  for (let i = start; i < start + length - 2; i++) crc = crc16Step(crc, buf[i]);
  return buf.readUInt16LE(start + length - 2) === crc;
}

/** Frame length implied by the function code, or undefined when the function has no fixed layout. */
function lengthFromFunction(buf: Buffer, start: number): number | 'need-more' | undefined {
  const available = buf.length - start;
  if (available < 2) return 'need-more';
  const fn = buf[start + 1];
  // Functions 1-6 carry a 4-byte address/value body; 15 and 16 add a byte count and data.
  if (fn >= 1 && fn <= 6) return 8;
  if (fn === 15 || fn === 16) return available < 7 ? 'need-more' : 9 + buf[start + 6];
  return undefined;
}

function frameAt(buf: Buffer, start: number): FrameStatus {
  const available = buf.length - start;
  const length = lengthFromFunction(buf, start);
  if (length === 'need-more') return { status: 'incomplete' };
  if (length !== undefined) {
    if (available < length) return { status: 'incomplete' };
    return crcMatchesAt(buf, start, length) ? { status: 'valid', length } : { status: 'invalid' };
  }
  // Unknown function (answered with exception 1): the frame ends where a CRC first matches.
  const limit = Math.min(available, MAX_RTU_FRAME_BYTES);
  let crc = 0xffff;
  for (let end = 0; end + 2 <= limit; end++) {
    const frameLength = end + 2;
    if (frameLength >= MIN_RTU_FRAME_BYTES && buf.readUInt16LE(start + end) === crc) {
      return { status: 'valid', length: frameLength };
    }
    crc = crc16Step(crc, buf[start + end]);
  }
  return available >= MAX_RTU_FRAME_BYTES ? { status: 'invalid' } : { status: 'incomplete' };
}

/** Throws a clear Error unless `value` is a usable silence-reset time. */
export function checkSilenceResetMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`silenceResetMs must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

export interface RtuDecodeResult {
  frames: RtuRequestFrame[];
  /** Runs of bytes thrown away since the last call (bad CRC, garbage, stale partial frame). */
  rejected: number;
}

/**
 * Splits an RTU byte stream into request frames. A partial frame left over when the line
 * has been silent for `silenceResetMs` is dropped, so garbage can never wedge the parser.
 */
export class RtuFrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private lastChunkAt = -Infinity;

  constructor(
    private readonly silenceResetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    checkSilenceResetMs(silenceResetMs);
  }

  push(chunk: Buffer): RtuDecodeResult {
    let rejected = 0;
    const arrivedAt = this.now();
    if (this.buffer.length > 0 && arrivedAt - this.lastChunkAt > this.silenceResetMs) {
      this.buffer = Buffer.alloc(0);
      rejected++;
    }
    this.lastChunkAt = arrivedAt;
    const buf = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);

    const frames: RtuRequestFrame[] = [];
    let offset = 0;
    let dropping = false;
    while (offset < buf.length) {
      const found = frameAt(buf, offset);
      if (found.status === 'valid') {
        frames.push({
          unitId: buf[offset],
          pdu: Buffer.from(buf.subarray(offset + 1, offset + found.length - 2)),
          frameLength: found.length,
        });
        offset += found.length;
        dropping = false;
      } else if (found.status === 'invalid') {
        if (!dropping) rejected++;
        dropping = true;
        offset++;
      } else {
        // The head may be a frame still arriving, or garbage claiming a long frame: if a
        // complete valid frame already starts further on, the head was garbage.
        const next = this.nextValidFrameStart(buf, offset + 1);
        if (next === undefined) break;
        if (!dropping) rejected++;
        dropping = true;
        offset = next;
      }
    }
    this.buffer = Buffer.from(buf.subarray(offset));
    return { frames, rejected };
  }

  private nextValidFrameStart(buf: Buffer, from: number): number | undefined {
    for (let start = from; start + MIN_RTU_FRAME_BYTES <= buf.length; start++) {
      if (frameAt(buf, start).status === 'valid') return start;
    }
    return undefined;
  }
}
