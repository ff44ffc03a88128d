/**
 * Several meters behind one server (an RS-485 line or a gateway): unit id -> meter.
 * A meter that restarts answers nothing, as if it were off the line for a moment.
 */
import { BROADCAST_UNIT_ID, MAX_UNIT_ID } from '../../modbus/limits';
import type { ModelId } from '../../registers';
import type { ModbusUnit, UnitLookup } from '../protocol';
import { DirisMeter, type DirisMeterOptions } from './meter';


export class DirisBus {
  readonly meters = new Map<number, DirisMeter>();

  /**
   * One meter per unit id (1..247). Each meter's seed is `seed + unitId`, so the meters
   * differ from each other and each is reproducible. `models` gives a unit id its own
   * model (a mixed line: `{ 6: 'A10', 7: 'E34' }`); the others are `options.model`.
   */
  constructor(unitIds: readonly number[] = [5], options: DirisMeterOptions = {}, models: Readonly<Record<number, ModelId>> = {}) {
    for (const unitId of unitIds) {
      if (!Number.isInteger(unitId) || unitId < 1 || unitId > MAX_UNIT_ID) throw new Error(`unit id must be 1..${MAX_UNIT_ID}, got ${unitId}`);
      if (this.meters.has(unitId)) throw new Error(`unit id ${unitId} is listed twice`);
      this.meters.set(unitId, new DirisMeter({ ...options, model: models[unitId] ?? options.model, seed: (options.seed ?? 1) + unitId }));
    }
  }

  /** The server's unit lookup. */
  readonly lookup: UnitLookup = (unitId) => {
    if (unitId === BROADCAST_UNIT_ID) return this.broadcastUnit;
    const meter = this.meters.get(unitId);
    return meter && !meter.isRestarting() ? meter : undefined;
  };

  private readonly broadcastUnit: ModbusUnit = {
    readHoldingRegisters: () => [],
    writeRegisters: (address, values, fn) => {
      for (const meter of this.meters.values()) {
        if (meter.isRestarting()) continue;
        try {
          meter.writeRegisters(address, values, fn);
        } catch {
          // Nobody answers a broadcast, so a refused write is simply not performed.
        }
      }
    },
  };
}
