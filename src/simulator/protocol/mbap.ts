/**
 * Modbus TCP framing: the 7-byte MBAP header (transaction id, protocol id 0, length of
 * what follows, unit id) then the PDU.
 */
export const MBAP_HEADER_BYTES = 7;
/** Length field bounds: unit id + PDU of 1..253 bytes (an ADU is at most 260 bytes). */
const MIN_MBAP_LENGTH = 2;
const MAX_MBAP_LENGTH = 254;

export interface MbapRequest {
  transactionId: number;
  unitId: number;
  pdu: Buffer;
}

export function encodeMbapFrame(transactionId: number, unitId: number, pdu: Buffer): Buffer {
  const frame = Buffer.alloc(MBAP_HEADER_BYTES + pdu.length);
  frame.writeUInt16BE(transactionId, 0);
  frame.writeUInt16BE(0, 2);
  frame.writeUInt16BE(pdu.length + 1, 4);
  frame[6] = unitId;
  pdu.copy(frame, MBAP_HEADER_BYTES);
  return frame;
}

export interface MbapDecodeResult {
  requests: MbapRequest[];
  /** Set when the stream cannot be Modbus TCP: the connection should be closed. */
  fatal?: string;
}

/** Splits a Modbus TCP byte stream into requests; handles several per chunk and requests split over chunks. */
export class MbapDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): MbapDecodeResult {
    const buf = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const requests: MbapRequest[] = [];
    let offset = 0;
    while (buf.length - offset >= MBAP_HEADER_BYTES) {
      const protocolId = buf.readUInt16BE(offset + 2);
      const length = buf.readUInt16BE(offset + 4);
      if (protocolId !== 0) {
        this.buffer = Buffer.alloc(0);
        return { requests, fatal: `MBAP protocol id must be 0, got ${protocolId}` };
      }
      if (length < MIN_MBAP_LENGTH || length > MAX_MBAP_LENGTH) {
        this.buffer = Buffer.alloc(0);
        return { requests, fatal: `MBAP length must be ${MIN_MBAP_LENGTH}..${MAX_MBAP_LENGTH}, got ${length}` };
      }
      const frameEnd = offset + 6 + length;
      if (buf.length < frameEnd) break;
      requests.push({
        transactionId: buf.readUInt16BE(offset),
        unitId: buf[offset + 6],
        pdu: Buffer.from(buf.subarray(offset + MBAP_HEADER_BYTES, frameEnd)),
      });
      offset = frameEnd;
    }
    this.buffer = Buffer.from(buf.subarray(offset));
    return { requests };
  }
}
