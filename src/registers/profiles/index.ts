/**
 * Meter profiles: each Socomec model's own register table, and lookups inside one profile.
 * Nothing outside a profile is ever read with its layout.
 */
import type { BlockDef, FieldDef } from '../types';
import { PROFILES } from './models';
import type { MeterProfile, ModelId } from './types';

export * from './types';
export { PROFILES, DIRIS_A10, DIRIS_A14, DIRIS_A20, COUNTIS_E14, COUNTIS_E23, COUNTIS_E34 } from './models';
export { derive, type BlockChanges } from './derive';

export const MODEL_IDS: readonly ModelId[] = PROFILES.map((p) => p.id);

/** The profile of a model id ("A10", "E34"); throws naming the known ones. */
export function getProfile(id: string): MeterProfile {
  const found = PROFILES.find((p) => p.id === id);
  if (!found) throw new Error(`unknown meter model "${id}" (known: ${MODEL_IDS.join(', ')})`);
  return found;
}

export function isModelId(id: unknown): id is ModelId {
  return typeof id === 'string' && (MODEL_IDS as readonly string[]).includes(id);
}

/** "DIRIS A-10" -> "dirisa10": names compare without case, spaces, hyphens or underscores. */
export function normalizeModelName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** The profile a product or extended name belongs to (longest matching name wins), if any. */
export function profileForName(...names: readonly string[]): MeterProfile | undefined {
  let best: { profile: MeterProfile; length: number } | undefined;
  for (const raw of names) {
    const name = normalizeModelName(raw);
    if (name === '') continue;
    for (const profile of PROFILES) {
      for (const candidate of profile.names) {
        if (name.startsWith(candidate) && (!best || candidate.length > best.length)) best = { profile, length: candidate.length };
      }
    }
  }
  return best?.profile;
}

export function profileBlock(profile: MeterProfile, id: string): BlockDef | undefined {
  return profile.blocks.find((b) => b.id === id);
}

/** The block of a profile by id; throws naming the model when it has none. */
export function requireProfileBlock(profile: MeterProfile, id: string): BlockDef {
  const found = profileBlock(profile, id);
  if (!found) throw new Error(`${profile.name} has no block "${id}"`);
  return found;
}

export function profileBlockAt(profile: MeterProfile, address: number): BlockDef | undefined {
  return profile.blocks.find((b) => address >= b.start && address < b.start + b.size);
}

export function profileField(profile: MeterProfile, blockId: string, key: string): FieldDef | undefined {
  return profileBlock(profile, blockId)?.fields.find((f) => f.key === key);
}
