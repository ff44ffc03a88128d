/** The generic Modbus slave layer of the simulator: PDU handling, framing, and the three server kinds. */
export * from './types';
export { crc16, crc16Step, appendCrc, hasValidCrc } from '../../modbus/crc';
export {
  handlePdu,
  decodeRequest,
  exceptionPdu,
  isWriteFunction,
  FunctionCode,
  ExceptionCode,
  type RegisterRequest,
} from './pdu';
export { createFaultSettings, injectedExceptionFor, withInjectedExceptions } from './faults';
export { BROADCAST_UNIT_ID, MAX_READ_REGISTERS, MAX_WRITE_REGISTERS } from '../../modbus/limits';
export { MbapDecoder, encodeMbapFrame, MBAP_HEADER_BYTES, type MbapRequest } from './mbap';
export { RtuFrameDecoder, encodeRtuFrame, MAX_RTU_FRAME_BYTES, type RtuRequestFrame } from './rtu-framing';
export { frameBitsPerCharacter, MODBUS_BITS_PER_CHARACTER, rtuCharTimeMs, rtuFrameGapMs, rtuReplyDueMs, rtuWireTimeMs } from './wire-timing';
export type { TcpServerOptions } from './socket-server';
export { startTcpServer } from './tcp-server';
export { startRtuOverTcpServer, type RtuOverTcpServerOptions } from './rtu-over-tcp-server';
export { startRtuSerialServer, type RtuSerialServerOptions } from './serial-server';
