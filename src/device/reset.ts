import { DeviceError } from './errors';
import type { ResetName } from './types';

/** Reset names and their bits in the reset command (1024); "energies" is all five partial energy counters. */
export const RESET_MASKS: Readonly<Record<ResetName, number>> = {
  maxCurrents: 0x0001,
  maxPowers: 0x0002,
  hourMeter: 0x0040,
  activeEnergyPos: 0x0080,
  reactiveEnergyPos: 0x0100,
  apparentEnergy: 0x0200,
  activeEnergyNeg: 0x0400,
  reactiveEnergyNeg: 0x0800,
  energies: 0x0f80,
  all: 0x1000,
};

export const RESET_NAMES = Object.keys(RESET_MASKS) as ResetName[];

/** Other spellings users reach for, mapped to the names above. */
const ALIASES: Readonly<Record<string, ResetName>> = { maxAvgCurrents: 'maxCurrents', maxAvgPowers: 'maxPowers' };

/** The single-bit names, to report what a mask resets. */
const SINGLE_BITS = RESET_NAMES.filter((n) => n !== 'energies');

export function resetNamesOf(mask: number): ResetName[] {
  return SINGLE_BITS.filter((n) => (mask & RESET_MASKS[n]) !== 0);
}

/**
 * Turns names or a bit mask into the mask to write, refusing (and naming) anything the
 * node's configuration does not allow. `allowed` lists the permitted names; a permitted
 * "energies" permits each energy counter.
 */
export function resolveResetMask(what: unknown, allowed: readonly string[], context: { unitId: number; meter: string }): number {
  const allowedMask = allowed.reduce((mask, name) => mask | (RESET_MASKS[(ALIASES[name] ?? name) as ResetName] ?? 0), 0);
  const problems: string[] = [];
  let mask = 0;
  if (typeof what === 'number') {
    if (!Number.isInteger(what) || what <= 0 || what > 0xffff) problems.push(`mask ${what} is not an integer 1..0xFFFF`);
    else {
      const known = SINGLE_BITS.reduce((m, n) => m | RESET_MASKS[n], 0);
      if ((what & ~known) !== 0) problems.push(`mask 0x${what.toString(16)} sets undefined bits 0x${(what & ~known).toString(16)}`);
      mask = what & known;
    }
  } else {
    const names = typeof what === 'string' ? [what] : what;
    if (!Array.isArray(names) || names.length === 0) {
      problems.push(`say what to reset: a name, an array of names or a bit mask (names: ${RESET_NAMES.join(', ')})`);
    } else {
      for (const raw of names) {
        const name = typeof raw === 'string' && Object.hasOwn(ALIASES, raw) ? ALIASES[raw] : raw;
        // Own names only: "toString" or "__proto__" are no resets.
        if (typeof name !== 'string' || !Object.hasOwn(RESET_MASKS, name)) problems.push(`unknown reset ${describeEntry(raw)} (valid: ${RESET_NAMES.join(', ')})`);
        else mask |= RESET_MASKS[name as ResetName];
      }
    }
  }
  if (problems.length === 0) {
    const refused = mask & ~allowedMask;
    if (refused !== 0) {
      const allowedNames = resetNamesOf(allowedMask);
      problems.push(`not allowed by this node: ${resetNamesOf(refused).join(', ')} (allowed: ${allowedNames.length ? allowedNames.join(', ') : 'none'})`);
    }
  }
  if (problems.length > 0) {
    throw new DeviceError('input', `${context.meter}: reset refused, nothing sent: ${problems.join('; ')}`, { unitId: context.unitId, block: 'reset (1024)', problems });
  }
  return mask;
}

/** An array entry in words, even one that cannot be made into a string (Object.create(null), a throwing toString). */
function describeEntry(raw: unknown): string {
  switch (typeof raw) {
    case 'string':
      return JSON.stringify(raw);
    case 'bigint':
      return `${raw}n`;
    case 'symbol':
      return raw.toString();
    case 'function':
      return '(a function)';
    case 'object':
      if (raw === null) return 'null';
      try {
        return JSON.stringify(raw).slice(0, 60);
      } catch {
        return Array.isArray(raw) ? '(an array)' : '(an object)';
      }
    default:
      return String(raw as number | boolean | undefined);
  }
}
