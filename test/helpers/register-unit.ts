/**
 * A plain ModbusUnit for testing the generic protocol layer: a 65536-word register array
 * where only the configured ranges exist; anything outside them answers exception 2.
 */
import { ModbusException, type ModbusUnit } from '../../src/simulator/protocol';

export interface RegisterRange {
  /** First address of the range. */
  start: number;
  /** Number of registers. */
  count: number;
}

export class RegisterUnit implements ModbusUnit {
  readonly registers = new Uint16Array(0x10000);
  /** Every write performed, in order (function code, address, values). */
  readonly writes: Array<{ fn: 6 | 16; address: number; values: number[] }> = [];

  constructor(readonly validRanges: RegisterRange[]) {
    for (const range of validRanges) {
      if (!Number.isInteger(range.start) || !Number.isInteger(range.count) || range.count < 1 || range.start < 0 || range.start + range.count > 0x10000) {
        throw new Error(`invalid register range start=${range.start} count=${range.count}`);
      }
    }
  }

  /** Fill registers from `address` (test setup). */
  set(address: number, values: number[]): this {
    values.forEach((value, i) => (this.registers[address + i] = value));
    return this;
  }

  get(address: number, count: number): number[] {
    return Array.from(this.registers.subarray(address, address + count));
  }

  readHoldingRegisters(address: number, count: number): number[] {
    this.checkRange(address, count);
    return this.get(address, count);
  }

  writeRegisters(address: number, values: number[], fn: 6 | 16): void {
    this.checkRange(address, values.length);
    this.set(address, values);
    this.writes.push({ fn, address, values: [...values] });
  }

  private checkRange(address: number, count: number): void {
    const inside = this.validRanges.some((range) => address >= range.start && address + count <= range.start + range.count);
    if (!inside) throw new ModbusException(2, `registers ${address}..${address + count - 1} are not all defined`);
  }
}

/** The unit to return for unit id 0: a broadcast write reaches every unit given. */
export function broadcastTo(units: ModbusUnit[]): ModbusUnit {
  return {
    readHoldingRegisters() {
      throw new ModbusException(1, 'reads cannot be broadcast');
    },
    writeRegisters(address, values, fn) {
      for (const unit of units) unit.writeRegisters(address, values, fn);
    },
  };
}
