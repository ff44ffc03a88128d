/**
 * Limits of the Modbus protocol itself (Modbus Application Protocol v1.1b3), the one place
 * the transport, the planner, the device layer and the simulator take them from. Some
 * Socomec manuals say 128 registers a read; the protocol's 125 is what every device accepts.
 */

/** Registers one read (function 3) may ask for: a 256-byte PDU holds 125 words. */
export const MAX_READ_REGISTERS = 125;
/** Registers one write (function 16) may carry. */
export const MAX_WRITE_REGISTERS = 123;
/** Unit id 0 addresses every slave on the line; nobody answers it, so it is for writes only. */
export const BROADCAST_UNIT_ID = 0;
/** The highest unit id a slave may have (248..255 are reserved). */
export const MAX_UNIT_ID = 247;
/** Register addresses are 16 bits: 0..65535. */
export const MAX_REGISTER_ADDRESS = 65535;
