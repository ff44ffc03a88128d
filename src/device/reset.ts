import { DIRIS_A20, PROFILES, type MeterProfile, type ResetTarget } from '../registers';
import type { ErrorReason } from '../transport/reasons';
import { DeviceError } from './errors';
import type { ResetName } from './types';

/** The A-20's reset names and their bits in the reset command (1024); "energies" is all five partial energy counters. */
export const RESET_MASKS: Readonly<Record<ResetName, number>> = Object.fromEntries(
  Object.entries(DIRIS_A20.resets).map(([name, targets]) => [name, targets[0].mask]),
) as Record<ResetName, number>;

export const RESET_NAMES = Object.keys(RESET_MASKS) as ResetName[];

/** Other spellings users reach for, mapped to the names above. */
const ALIASES: Readonly<Record<string, string>> = { maxAvgCurrents: 'maxCurrents', maxAvgPowers: 'maxPowers' };

/** Every reset name some model has, to tell "this model lacks it" from "no such reset". */
const ANY_MODEL_RESETS = new Set(PROFILES.flatMap((p) => Object.keys(p.resets)));

/** Names that stand for several others: reported as the single ones they reset. */
const GROUP_NAMES = new Set(['energies']);

/** Register -> bits, merged. */
type Masks = Map<number, number>;

function add(masks: Masks, targets: readonly ResetTarget[]): void {
  for (const t of targets) masks.set(t.address, (masks.get(t.address) ?? 0) | t.mask);
}

function covers(outer: Masks, targets: readonly ResetTarget[]): boolean {
  return targets.every((t) => ((outer.get(t.address) ?? 0) & t.mask) === t.mask);
}

/** The single resets a set of register bits performs, by name, in the model's order. */
function namesOf(profile: MeterProfile, masks: Masks): string[] {
  return Object.entries(profile.resets)
    .filter(([name, targets]) => !GROUP_NAMES.has(name) && covers(masks, targets))
    .map(([name]) => name);
}

export function resetNamesOf(mask: number, profile: MeterProfile = DIRIS_A20): string[] {
  const address = Object.values(profile.resets)[0]?.[0]?.address ?? 0;
  return namesOf(profile, new Map([[address, mask]]));
}

export interface ResolvedReset {
  /** What to write: one value per reset register, in address order. */
  targets: ResetTarget[];
  /** The single resets performed, by name. */
  names: string[];
}

/**
 * Turns names (or, on models with one reset register, a bit mask) into the registers and
 * bits to write, refusing (and naming) anything the model lacks or the node's
 * configuration does not allow. `allowed` lists the permitted names; a permitted
 * "energies" permits each energy counter.
 */
export function resolveResets(what: unknown, allowed: readonly string[], context: { unitId: number; meter: string; profile?: MeterProfile }): ResolvedReset {
  const profile = context.profile ?? DIRIS_A20;
  const known = Object.keys(profile.resets);
  const addresses = [...new Set(Object.values(profile.resets).flatMap((targets) => targets.map((t) => t.address)))].sort((a, b) => a - b);
  const allowedMasks: Masks = new Map();
  for (const name of allowed) add(allowedMasks, profile.resets[ALIASES[name] ?? name] ?? []);
  const problems: ErrorReason[] = [];
  const requested: Masks = new Map();
  if (typeof what === 'number') {
    if (addresses.length !== 1) problems.push({ code: 'resetNeedsNames', model: profile.name, count: addresses.length, names: known });
    else if (!Number.isInteger(what) || what <= 0 || what > 0xffff) problems.push({ code: 'badResetMask', mask: what });
    else {
      const defined = Object.values(profile.resets).reduce((m, targets) => m | targets[0].mask, 0);
      if ((what & ~defined) !== 0) problems.push({ code: 'undefinedResetBits', mask: `0x${what.toString(16)}`, bits: `0x${(what & ~defined).toString(16)}` });
      requested.set(addresses[0], what & defined);
    }
  } else {
    const names = typeof what === 'string' ? [what] : what;
    if (!Array.isArray(names) || names.length === 0) {
      problems.push({ code: 'sayWhatToReset', names: known });
    } else {
      for (const raw of names) {
        const name = typeof raw === 'string' && Object.hasOwn(ALIASES, raw) ? ALIASES[raw] : raw;
        // Own names only: "toString" or "__proto__" are no resets.
        const targets = typeof name === 'string' && Object.hasOwn(profile.resets, name) ? profile.resets[name] : undefined;
        if (targets) add(requested, targets);
        else if (typeof name === 'string' && ANY_MODEL_RESETS.has(name)) problems.push({ code: 'modelNoReset', model: profile.name, name, names: known });
        else problems.push({ code: 'unknownReset', name: describeEntry(raw), names: known });
      }
    }
  }
  if (problems.length === 0) {
    const refused: Masks = new Map();
    for (const [address, mask] of requested) {
      const extra = mask & ~(allowedMasks.get(address) ?? 0);
      if (extra !== 0) refused.set(address, extra);
    }
    if (refused.size > 0) {
      const refusedNames = Object.entries(profile.resets)
        .filter(([name, targets]) => !GROUP_NAMES.has(name) && targets.some((t) => ((refused.get(t.address) ?? 0) & t.mask) !== 0))
        .map(([name]) => name);
      const allowedNames = namesOf(profile, allowedMasks);
      problems.push({ code: 'resetNotAllowed', names: refusedNames, allowed: allowedNames.length ? allowedNames : { code: 'none' } });
    }
  }
  if (problems.length > 0) {
    const where = addresses.length === 1 ? `reset (${addresses[0]})` : `reset (${addresses.join(', ')})`;
    throw new DeviceError('input', { code: 'resetRefused', problems }, { meter: context.meter, unitId: context.unitId, block: where });
  }
  const targets = [...requested].filter(([, mask]) => mask !== 0).sort(([a], [b]) => a - b).map(([address, mask]) => ({ address, mask }));
  return { targets, names: namesOf(profile, requested) };
}

/** The A-20 form: the one bit mask for register 1024. */
export function resolveResetMask(what: unknown, allowed: readonly string[], context: { unitId: number; meter: string }): number {
  return resolveResets(what, allowed, context).targets[0]?.mask ?? 0;
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
