/** Modbus RTU CRC-16 (reflected polynomial 0xA001, initial value 0xFFFF). */
export function crc16(buf: Buffer): number {
  let crc = 0xffff;
  for (const byte of buf) crc = crc16Step(crc, byte);
  return crc;
}

/** `body` followed by its CRC, low byte first, as it travels on an RTU line. */
export function appendCrc(body: Buffer): Buffer {
  const frame = Buffer.alloc(body.length + 2);
  body.copy(frame);
  frame.writeUInt16LE(crc16(body), body.length);
  return frame;
}

/** True when the last two bytes of `frame` are the CRC of the bytes before them. */
export function hasValidCrc(frame: Buffer): boolean {
  if (frame.length < 3) return false;
  const bodyLength = frame.length - 2;
  return frame.readUInt16LE(bodyLength) === crc16(frame.subarray(0, bodyLength));
}

/** Feed one more byte into a running CRC (start from 0xFFFF); lets a parser test every frame end in one pass. */
export function crc16Step(crc: number, byte: number): number {
  let next = crc ^ byte;
  for (let bit = 0; bit < 8; bit++) {
    next = next & 1 ? (next >>> 1) ^ 0xa001 : next >>> 1;
  }
  return next;
}
