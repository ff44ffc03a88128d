/**
 * Modbus PDU handling for one unit: decode a request PDU, ask the unit, encode the answer.
 * Pure: no I/O, no timers; transports add the framing around it.
 */
import { MAX_READ_REGISTERS, MAX_WRITE_REGISTERS } from '../../modbus/limits';
import { ModbusException, type ModbusUnit } from './types';

export const FunctionCode = {
  readHoldingRegisters: 3,
  readInputRegisters: 4,
  writeSingleRegister: 6,
  writeMultipleRegisters: 16,
} as const;

export const ExceptionCode = {
  illegalFunction: 1,
  illegalDataAddress: 2,
  illegalDataValue: 3,
  serverDeviceFailure: 4,
} as const;


/** The register range a request touches, decoded from a well-formed PDU. */
export interface RegisterRequest {
  fn: 3 | 4 | 6 | 16;
  address: number;
  count: number;
  /** Values to write (fn 6 and 16); empty for reads. */
  values: number[];
}

/** An exception answer: the function code with its high bit set, then the exception code. */
export function exceptionPdu(fn: number, code: number): Buffer {
  return Buffer.from([(fn | 0x80) & 0xff, code & 0xff]);
}

/** True for function codes that write (performed on broadcast, unlike reads). */
export function isWriteFunction(fn: number): boolean {
  return fn === FunctionCode.writeSingleRegister || fn === FunctionCode.writeMultipleRegisters;
}

/**
 * Decode a register request. Returns the exception code to answer instead when the PDU is
 * malformed (3), asks for an out-of-limit count (3), runs past address 65535 (2), or uses a
 * function we do not serve (1).
 */
export function decodeRequest(pdu: Buffer): RegisterRequest | { exception: number } {
  const fn = pdu[0];
  switch (fn) {
    case FunctionCode.readHoldingRegisters:
    case FunctionCode.readInputRegisters: {
      if (pdu.length !== 5) return { exception: ExceptionCode.illegalDataValue };
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      if (count < 1 || count > MAX_READ_REGISTERS) return { exception: ExceptionCode.illegalDataValue };
      if (address + count > 0x10000) return { exception: ExceptionCode.illegalDataAddress };
      return { fn, address, count, values: [] };
    }
    case FunctionCode.writeSingleRegister: {
      if (pdu.length !== 5) return { exception: ExceptionCode.illegalDataValue };
      return { fn, address: pdu.readUInt16BE(1), count: 1, values: [pdu.readUInt16BE(3)] };
    }
    case FunctionCode.writeMultipleRegisters: {
      if (pdu.length < 6) return { exception: ExceptionCode.illegalDataValue };
      const address = pdu.readUInt16BE(1);
      const count = pdu.readUInt16BE(3);
      const byteCount = pdu[5];
      const consistent = byteCount === count * 2 && pdu.length === 6 + byteCount;
      if (count < 1 || count > MAX_WRITE_REGISTERS || !consistent) {
        return { exception: ExceptionCode.illegalDataValue };
      }
      if (address + count > 0x10000) return { exception: ExceptionCode.illegalDataAddress };
      const values: number[] = [];
      for (let i = 0; i < count; i++) values.push(pdu.readUInt16BE(6 + 2 * i));
      return { fn, address, count, values };
    }
    default:
      return { exception: ExceptionCode.illegalFunction };
  }
}

function isRegisterWord(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff;
}

/** The exception code a unit's error stands for: its own for ModbusException, 4 otherwise. */
function exceptionCodeOf(err: unknown): number {
  if (err instanceof ModbusException && Number.isInteger(err.code) && err.code >= 1 && err.code <= 0xff) {
    return err.code;
  }
  return ExceptionCode.serverDeviceFailure;
}

function performRequest(unit: ModbusUnit, request: RegisterRequest): Buffer {
  const { fn, address, count, values } = request;
  if (fn === 3 || fn === 4) {
    const words = unit.readHoldingRegisters(address, count);
    // A unit answering the wrong shape is a simulator bug; the client sees a device failure.
    if (!Array.isArray(words) || words.length !== count || !words.every(isRegisterWord)) {
      return exceptionPdu(fn, ExceptionCode.serverDeviceFailure);
    }
    const answer = Buffer.alloc(2 + 2 * count);
    answer[0] = fn;
    answer[1] = 2 * count;
    words.forEach((word, i) => answer.writeUInt16BE(word, 2 + 2 * i));
    return answer;
  }
  unit.writeRegisters(address, values, fn);
  const answer = Buffer.alloc(5);
  answer[0] = fn;
  answer.writeUInt16BE(address, 1);
  // Function 6 echoes the value written, function 16 the number of registers.
  answer.writeUInt16BE(fn === 6 ? values[0] : count, 3);
  return answer;
}

/**
 * Answer one request PDU on behalf of `unit`. Returns the answer PDU (normal or exception),
 * or undefined for an empty PDU (no function code to answer to).
 */
export function handlePdu(unit: ModbusUnit, pdu: Buffer): Buffer | undefined {
  if (pdu.length === 0) return undefined;
  const fn = pdu[0];
  const request = decodeRequest(pdu);
  if ('exception' in request) return exceptionPdu(fn, request.exception);
  try {
    return performRequest(unit, request);
  } catch (err) {
    return exceptionPdu(fn, exceptionCodeOf(err));
  }
}
