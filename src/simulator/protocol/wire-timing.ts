/**
 * How long an RTU exchange occupies the line. A character is start + data + parity + stop
 * bits: 10 for the DIRIS default 8N1, 11 for the frames Modbus over serial line v1.02 asks
 * for (8E1, 8N2), the default here. Frames end with 3.5 characters of silence, fixed at
 * 1.75 ms above 19200 baud (2.5.1.1).
 */
export const MODBUS_BITS_PER_CHARACTER = 11;

/** Bits one character takes for a serial frame (8N1: 10). */
export function frameBitsPerCharacter(frame: { dataBits?: number; parity?: string; stopBits?: number }): number {
  return 1 + (frame.dataBits ?? 8) + ((frame.parity ?? 'none') === 'none' ? 0 : 1) + (frame.stopBits ?? 1);
}

export function rtuCharTimeMs(baudRate: number, bitsPerCharacter = MODBUS_BITS_PER_CHARACTER): number {
  return (bitsPerCharacter * 1000) / baudRate;
}

/** The silence that ends a frame. */
export function rtuFrameGapMs(baudRate: number, bitsPerCharacter = MODBUS_BITS_PER_CHARACTER): number {
  return baudRate > 19200 ? 1.75 : 3.5 * rtuCharTimeMs(baudRate, bitsPerCharacter);
}

/**
 * How long an exchange holds the line: request and reply on the wire, each followed by its
 * inter-frame silence (the one after the reply is kept by the master, before its next request).
 */
export function rtuWireTimeMs(requestBytes: number, replyBytes: number, baudRate: number, bitsPerCharacter = MODBUS_BITS_PER_CHARACTER): number {
  return (requestBytes + replyBytes) * rtuCharTimeMs(baudRate, bitsPerCharacter) + 2 * rtuFrameGapMs(baudRate, bitsPerCharacter);
}

/**
 * When the simulator's answer is due, counted from the moment the request's bytes are all in
 * (a pty delivers them at once): what a master sees on a real line from writing the request to
 * the reply's last byte arriving. The request on the wire, the silence that tells the meter the
 * request ended, the reply on the wire. Not the silence after the reply: that is the master's to
 * keep before its next request, and counting it here too would charge it twice.
 */
export function rtuReplyDueMs(requestBytes: number, replyBytes: number, baudRate: number, bitsPerCharacter = MODBUS_BITS_PER_CHARACTER): number {
  return (requestBytes + replyBytes) * rtuCharTimeMs(baudRate, bitsPerCharacter) + rtuFrameGapMs(baudRate, bitsPerCharacter);
}
