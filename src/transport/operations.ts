import { BROADCAST_UNIT_ID, MAX_READ_REGISTERS, MAX_REGISTER_ADDRESS, MAX_UNIT_ID, MAX_WRITE_REGISTERS } from '../modbus/limits';
import { LinkError } from './errors';

/** One Modbus request, as the link sends it. */
export type ModbusOperation =
  | { readonly fn: 3; readonly unitId: number; readonly address: number; readonly count: number }
  | { readonly fn: 6; readonly unitId: number; readonly address: number; readonly value: number }
  | { readonly fn: 16; readonly unitId: number; readonly address: number; readonly values: readonly number[] };


function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

export function checkUnitId(unitId: unknown, broadcastAllowed: boolean): number {
  if (!isIntegerIn(unitId, 0, MAX_UNIT_ID)) {
    throw new LinkError('input', `unitId must be an integer 0..${MAX_UNIT_ID}, got ${shown(unitId)}`);
  }
  if (unitId === BROADCAST_UNIT_ID && !broadcastAllowed) {
    throw new LinkError('input', 'unitId 0 is broadcast: it can only be written, never read');
  }
  return unitId;
}

function checkAddress(address: unknown): number {
  if (!isIntegerIn(address, 0, MAX_REGISTER_ADDRESS)) {
    throw new LinkError('input', `address must be an integer 0..${MAX_REGISTER_ADDRESS}, got ${shown(address)}`);
  }
  return address;
}

function checkSpan(address: number, count: number): void {
  if (address + count > MAX_REGISTER_ADDRESS + 1) {
    throw new LinkError('input', `address ${address} + count ${count} runs past register ${MAX_REGISTER_ADDRESS}`);
  }
}

function checkValue(value: unknown, where: string): number {
  if (!isIntegerIn(value, 0, 65535)) {
    throw new LinkError('input', `${where} must be an integer 0..65535, got ${shown(value)}`);
  }
  return value;
}

export function readOperation(unitId: unknown, address: unknown, count: unknown): ModbusOperation {
  const unit = checkUnitId(unitId, false);
  const start = checkAddress(address);
  if (!isIntegerIn(count, 1, MAX_READ_REGISTERS)) {
    throw new LinkError('input', `count must be an integer 1..${MAX_READ_REGISTERS}, got ${shown(count)}`);
  }
  checkSpan(start, count);
  return { fn: 3, unitId: unit, address: start, count };
}

export function writeOneOperation(unitId: unknown, address: unknown, value: unknown): ModbusOperation {
  const unit = checkUnitId(unitId, true);
  const start = checkAddress(address);
  return { fn: 6, unitId: unit, address: start, value: checkValue(value, 'value') };
}

export function writeManyOperation(unitId: unknown, address: unknown, values: unknown): ModbusOperation {
  const unit = checkUnitId(unitId, true);
  const start = checkAddress(address);
  if (!Array.isArray(values) || values.length < 1 || values.length > MAX_WRITE_REGISTERS) {
    const got = Array.isArray(values) ? `${values.length} values` : shown(values);
    throw new LinkError('input', `values must be an array of 1..${MAX_WRITE_REGISTERS} registers, got ${got}`);
  }
  const checked = values.map((value: unknown, index) => checkValue(value, `values[${index}]`));
  checkSpan(start, checked.length);
  return { fn: 16, unitId: unit, address: start, values: checked };
}

/** The register count an operation touches. */
export function operationCount(op: ModbusOperation): number {
  return op.fn === 3 ? op.count : op.fn === 6 ? 1 : op.values.length;
}
