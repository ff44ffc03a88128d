/**
 * Which model answers at a unit id: read the identification block (signature, product
 * order id, product name, extended name) on first contact and pick the profile. The
 * result is kept per unit id per link (every node on the link shares it) until the
 * device forgets it: after a restart command or an exception 2 on a planned read.
 */
import { DIRIS_A20, PROFILES, getProfile, isModelId, profileBlock, profileForName, type FieldValue, type MeterProfile, type ModelId } from '../registers';
import type { Identity, RegisterLink } from './types';

/** What a node asks for: detect the model ("auto", the default) or use this one. */
export type ModelChoice = 'auto' | ModelId;
export const MODEL_CHOICES: readonly ModelChoice[] = ['auto', ...PROFILES.map((p) => p.id)];

export function isModelChoice(value: unknown): value is ModelChoice {
  return value === 'auto' || isModelId(value);
}

/** The outcome of reading a meter's identification. */
export interface Detection {
  /** The profile, or undefined for a Socomec product this package has no table for. */
  profile?: MeterProfile;
  /** "DIRIS B30" / extended name, for messages. */
  product: string;
  family: FieldValue;
}

const detections = new WeakMap<object, Map<number, Detection>>();
const pending = new WeakMap<object, Map<number, Promise<Detection>>>();

/** An identification read already under way for this unit id on this link. */
export function pendingDetection(link: RegisterLink, unitId: number): Promise<Detection> | undefined {
  return pending.get(link)?.get(unitId);
}

/** Shares `detecting` with whoever asks meanwhile; forgotten once it settles. */
export function trackDetection(link: RegisterLink, unitId: number, detecting: Promise<Detection>): Promise<Detection> {
  let perUnit = pending.get(link);
  if (!perUnit) {
    perUnit = new Map();
    pending.set(link, perUnit);
  }
  perUnit.set(unitId, detecting);
  const done = (): void => {
    if (perUnit.get(unitId) === detecting) perUnit.delete(unitId);
  };
  detecting.then(done, done);
  return detecting;
}

export function rememberedDetection(link: RegisterLink, unitId: number): Detection | undefined {
  return detections.get(link)?.get(unitId);
}

export function rememberDetection(link: RegisterLink, unitId: number, detection: Detection): void {
  let perUnit = detections.get(link);
  if (!perUnit) {
    perUnit = new Map();
    detections.set(link, perUnit);
  }
  perUnit.set(unitId, detection);
}

export function forgetDetection(link: RegisterLink, unitId: number): void {
  detections.get(link)?.delete(unitId);
}

const text = (value: FieldValue | undefined): string => (typeof value === 'string' ? value.trim() : '');

/** The profile the identification names (extended name first, then product name), if any. */
export function detectFromIdentification(identification: Record<string, FieldValue>): Detection {
  const extended = text(identification.extendedName);
  const product = text(identification.productName);
  const profile = profileForName(extended, product);
  return { profile, product: [product, extended].filter((n, i, all) => n !== '' && all.indexOf(n) === i).join(' / ') || 'unnamed product', family: identification.family ?? null };
}

/** Identity keys and the identification / options / customization fields they come from. */
const IDENTITY_SOURCES: readonly [keyof Identity, string, readonly string[]][] = [
  ['customizationLoaded', 'identification', ['customizationLoaded']],
  ['buildDate', 'identification', ['buildDate']],
  ['baseVersion', 'identification', ['baseVersionMajor', 'baseVersionMinor', 'baseVersionRevision']],
  ['customizationVersion', 'identification', ['customizationVersionMajor', 'customizationVersionMinor']],
  ['customizationVlo', 'identification', ['customizationVlo']],
  ['baseVlo', 'identification', ['baseVlo']],
  ['options', 'options', ['optionCode']],
  ['optionSlots', 'options', ['optionSlot1', 'optionSlot2']],
  ['retrofitActivated', 'customization', ['retrofitActivated']],
];

/**
 * The identity without what the model's table does not have (a Countis has no build date,
 * an A-14 no options block): absent, never a made-up 0 or "". The product version keeps
 * the parts the table has ("1.2" when revision and build are reserved).
 */
export function withoutMissingIdentity(identity: Identity, profile: MeterProfile | undefined): Identity {
  if (!profile || profile === DIRIS_A20) return identity;
  const has = (blockId: string, key: string): boolean => profileBlock(profile, blockId)?.fields.some((f) => f.key === key && !f.reserved) ?? false;
  const result: Partial<Identity> = { ...identity };
  for (const [identityKey, blockId, sources] of IDENTITY_SOURCES) {
    if (!sources.every((key) => has(blockId, key))) delete result[identityKey];
  }
  if (!has('identification', 'productVersionRevision')) result.productVersion = identity.productVersion.split('.').slice(0, 2).join('.');
  return result as Identity;
}

export { getProfile };
