/**
 * How long an RTU exchange occupies the line. Modbus RTU counts 11 bits a character
 * (start, 8 data, parity or second stop, stop) and 3.5 characters of silence between
 * frames, fixed at 1.75 ms above 19200 baud (Modbus over serial line v1.02, 2.5.1.1).
 */
export function rtuCharTimeMs(baudRate: number): number {
  return (11 * 1000) / baudRate;
}

/** The silence that ends a frame. */
export function rtuFrameGapMs(baudRate: number): number {
  return baudRate > 19200 ? 1.75 : 3.5 * rtuCharTimeMs(baudRate);
}

/** Request and reply on the wire, each followed by its inter-frame silence. */
export function rtuWireTimeMs(requestBytes: number, replyBytes: number, baudRate: number): number {
  return (requestBytes + replyBytes) * rtuCharTimeMs(baudRate) + 2 * rtuFrameGapMs(baudRate);
}
