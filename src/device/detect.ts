/**
 * Which model answers at a unit id: read the identification block (signature, product
 * order id, product name, extended name) on first contact and pick the profile. The
 * result is kept per unit id per link (every node on the link shares it) until the
 * device forgets it: after a restart command or an exception 2 on a planned read.
 */
import { PROFILES, getProfile, isModelId, profileForName, type FieldValue, type MeterProfile, type ModelId } from '../registers';
import type { RegisterLink } from './types';

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

export { getProfile };
