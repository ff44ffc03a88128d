/** Fault settings: defaults, validation, and the exception injection they drive. */
import { ModbusException, type FaultSettings, type ModbusUnit, type WriteRefusal } from './types';

function checkUnitIdSet(name: string, value: unknown): Set<number> {
  if (!(value instanceof Set)) throw new Error(`faults.${name} must be a Set of unit ids, got ${typeof value}`);
  return value as Set<number>;
}

/**
 * Complete fault settings from a partial set. The Set and Map given are used as they are
 * (not copied), so a caller holding them can keep editing them live.
 */
export function createFaultSettings(initial: Partial<FaultSettings> = {}): FaultSettings {
  const latencyMs = initial.latencyMs ?? 0;
  if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new Error(`faults.latencyMs must be a finite number >= 0, got ${String(latencyMs)}`);
  }
  const exceptionAt = initial.exceptionAt ?? new Map<number, number>();
  if (!(exceptionAt instanceof Map)) {
    throw new Error(`faults.exceptionAt must be a Map of register address to exception code, got ${typeof exceptionAt}`);
  }
  const settings: FaultSettings = {
    latencyMs,
    silentUnits: checkUnitIdSet('silentUnits', initial.silentUnits ?? new Set<number>()),
    garbledUnits: checkUnitIdSet('garbledUnits', initial.garbledUnits ?? new Set<number>()),
    exceptionAt,
  };
  if (initial.refuseWrite !== undefined) settings.refuseWrite = checkWriteRefusal(initial.refuseWrite);
  return settings;
}

/** A valid WriteRefusal, or an Error naming what is wrong with it. */
export function checkWriteRefusal(value: unknown): WriteRefusal {
  const refusal = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof WriteRefusal, unknown>>;
  const positive = (name: string, v: unknown, max: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw new Error(`faults.refuseWrite.${name} must be an integer 1..${max}, got ${String(v)}`);
    }
  };
  positive('nth', refusal.nth, Number.MAX_SAFE_INTEGER);
  positive('code', refusal.code, 255);
  if (refusal.count !== undefined) positive('count', refusal.count, Number.MAX_SAFE_INTEGER);
  return value as WriteRefusal;
}

/**
 * Counts write requests for `FaultSettings.refuseWrite`. The count starts again whenever a
 * new refusal object is set, so a test can say "refuse the 2nd write from now" live.
 */
export class WriteRefusalCounter {
  private counting?: WriteRefusal;
  private seen = 0;

  /** Call once per write request; the exception code to answer instead, if this one is refused. */
  refusalFor(refusal: WriteRefusal | undefined): number | undefined {
    if (refusal === undefined) {
      this.counting = undefined;
      return undefined;
    }
    if (refusal !== this.counting) {
      checkWriteRefusal(refusal);
      this.counting = refusal;
      this.seen = 0;
    }
    this.seen++;
    const last = refusal.nth + (refusal.count ?? 1) - 1;
    return this.seen >= refusal.nth && this.seen <= last ? refusal.code : undefined;
  }
}

/** The exception code configured for the lowest faulty address in [address, address + count), if any. */
export function injectedExceptionFor(
  exceptionAt: ReadonlyMap<number, number>,
  address: number,
  count: number,
): number | undefined {
  let found: { address: number; code: number } | undefined;
  for (const [faultAddress, code] of exceptionAt) {
    const touched = faultAddress >= address && faultAddress < address + count;
    if (touched && (found === undefined || faultAddress < found.address)) found = { address: faultAddress, code };
  }
  return found?.code;
}

/** `unit`, except that any access touching an address in `exceptionAt` (read live) throws that exception. */
export function withInjectedExceptions(unit: ModbusUnit, exceptionAt: ReadonlyMap<number, number>): ModbusUnit {
  const check = (address: number, count: number): void => {
    const code = injectedExceptionFor(exceptionAt, address, count);
    if (code !== undefined) throw new ModbusException(code, `injected exception ${code} at register ${address}`);
  };
  return {
    readHoldingRegisters(address, count) {
      check(address, count);
      return unit.readHoldingRegisters(address, count);
    },
    writeRegisters(address, values, fn) {
      check(address, values.length);
      unit.writeRegisters(address, values, fn);
    },
  };
}
