/**
 * The meter's settings memory, shared by every settings block of the map.
 *
 * - The user settings (commonSettings 57344, applicationSettings 36352, legacySettings 512)
 *   are one state keyed by field key: network type and CT ratio written in one block read
 *   back from the other two.
 * - Every other settings word (reserved words inside those blocks, the industrialization
 *   block, block 0) is kept per address. Reserved words inside a settings block accept any
 *   value and read back what was written (so a client can write a whole block back).
 * - Written values are active at once but "pending": `store()` (command 0xA1) keeps them,
 *   `revertToStored()` (a restart without store) drops them, `loadFactoryDefaults()`
 *   (0xC3) restores the user settings' defaults.
 */
import { decodeRaw, encodeRaw } from '../../codec';
import { DIRIS_A20, profileBlock, type BlockDef, type FieldDef, type MeterProfile } from '../../registers';
import { ModbusException } from '../protocol';

/** Blocks whose named fields are one shared state. */
export const USER_SETTINGS_BLOCKS = ['commonSettings', 'applicationSettings', 'legacySettings'] as const;

/** Defaults of the user settings, raw (what 0xC3 restores). */
export const SETTING_DEFAULTS: Readonly<Record<string, number>> = {
  networkType: 5, // 4NBL: three phases and neutral, as the model simulates
  ctSecondary: 5,
  ctPrimary: 100,
  syncCurrentAvgMax: 15,
  syncPowerAvgMax: 15,
  pulseOutputAllocation: 0,
  pulseOutputValue: 1,
  pulseOutputDuration: 1,
  hourMeterAllocation: 1,
  hourMeterThreshold: 0,
  alarmType: 1,
  alarmDelay: 1,
  alarmUpperThreshold: 65535,
  alarmLowerThreshold: 0,
  alarmHysteresis: 2,
  relayState: 0,
  reactivePowerCalculation: 0,
  syncTopSeconds: 900, // A-14, Countis E34/E44 (57355)
};

interface SettingsImage {
  values: Map<string, number>;
  words: Map<number, number>;
}

const cloneImage = (image: SettingsImage): SettingsImage => ({ values: new Map(image.values), words: new Map(image.words) });

function isUserSettingsBlock(block: BlockDef): boolean {
  return (USER_SETTINGS_BLOCKS as readonly string[]).includes(block.id);
}

/** A named field kept in the shared state (rather than per address). */
function isSharedField(block: BlockDef, field: FieldDef): boolean {
  return isUserSettingsBlock(block) && !field.reserved;
}

/** A model that codes a number (the A-10's CT secondary 0 = 1 A): the stored value is the number. */
function storedValue(field: FieldDef, raw: number): number {
  return field.numericCodes?.[raw] ?? raw;
}

function rawOfStored(field: FieldDef, value: number): number {
  const codes = field.numericCodes;
  if (!codes) return value;
  const code = Object.keys(codes).find((c) => codes[Number(c)] === value);
  return code === undefined ? value : Number(code);
}

/** Why a raw value is refused by a field's definition, or undefined when it is fine. */
function refusal(field: FieldDef, raw: number): string | undefined {
  if (field.numericCodes && !Object.prototype.hasOwnProperty.call(field.numericCodes, raw)) {
    return `${raw} is not one of ${Object.keys(field.numericCodes).join(', ')}`;
  }
  if (field.enumValues && !Object.prototype.hasOwnProperty.call(field.enumValues, raw)) {
    return `${raw} is not one of ${Object.keys(field.enumValues).join(', ')}`;
  }
  if (field.allowedValues && !field.allowedValues.includes(raw)) return `${raw} is not one of ${field.allowedValues.join(', ')}`;
  if (field.min !== undefined && raw < field.min) return `${raw} is below ${field.min}`;
  if (field.max !== undefined && raw > field.max) return `${raw} is above ${field.max}`;
  return undefined;
}

export class SettingsStore {
  private active: SettingsImage;
  private stored: SettingsImage;
  private readonly defaults: SettingsImage;

  /** `initialWords`: per-address words of the factory and industrialization blocks; `profile`: the model's table. */
  constructor(
    initialWords: ReadonlyMap<number, number> = new Map(),
    private readonly profile: MeterProfile = DIRIS_A20,
  ) {
    for (const blockId of USER_SETTINGS_BLOCKS) {
      for (const field of profileBlock(profile, blockId)?.fields ?? []) {
        // A map change that adds a setting must give it a default here.
        if (!field.reserved && SETTING_DEFAULTS[field.key] === undefined) {
          throw new Error(`simulator: no default for setting "${field.key}" of block ${blockId}`);
        }
      }
    }
    this.defaults = { values: new Map(Object.entries(SETTING_DEFAULTS)), words: new Map(initialWords) };
    this.active = cloneImage(this.defaults);
    this.stored = cloneImage(this.defaults);
  }

  /** The active raw value of a user setting (e.g. "ctPrimary"). */
  get(key: string): number {
    const value = this.active.values.get(key);
    if (value === undefined) throw new Error(`simulator: unknown setting "${key}"`);
    return value;
  }

  /** True when written values differ from what was last stored. */
  hasPendingChanges(): boolean {
    const same = <K>(a: Map<K, number>, b: Map<K, number>): boolean =>
      a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    return !same(this.active.values, this.stored.values) || !same(this.active.words, this.stored.words);
  }

  /** Every word of a settings block, as a read shows it. */
  readBlock(block: BlockDef): number[] {
    const words = new Array<number>(block.size).fill(0);
    for (let offset = 0; offset < block.size; offset++) words[offset] = this.active.words.get(block.start + offset) ?? 0;
    for (const field of block.fields) {
      if (!isSharedField(block, field)) continue;
      const encoded = encodeRaw(field.type, rawOfStored(field, this.get(field.key)), field.words);
      encoded.forEach((word, i) => (words[field.address - block.start + i] = word));
    }
    return words;
  }

  /**
   * Write `values` from `address` inside `block` (the caller checked the range and the
   * access rights). All or nothing: a value a field refuses answers exception 3 and
   * changes nothing.
   */
  write(block: BlockDef, address: number, values: readonly number[]): void {
    const offset = address - block.start;
    const merged = this.readBlock(block);
    values.forEach((value, i) => (merged[offset + i] = value));
    const end = address + values.length;
    const sharedChanges = new Map<string, number>();
    for (const field of block.fields) {
      const overlaps = field.address < end && field.address + field.words > address;
      if (!overlaps || field.reserved) continue;
      const raw = decodeRaw(field.type, merged.slice(field.address - block.start, field.address - block.start + field.words));
      if (typeof raw === 'number') {
        const why = refusal(field, raw);
        if (why !== undefined) throw new ModbusException(3, `${block.id}.${field.key}: ${why}`);
        if (isSharedField(block, field)) sharedChanges.set(field.key, storedValue(field, raw));
      }
    }
    for (const [key, raw] of sharedChanges) this.active.values.set(key, raw);
    for (let a = address; a < end; a++) {
      const field = block.fields.find((f) => a >= f.address && a < f.address + f.words);
      if (!field || !isSharedField(block, field)) this.active.words.set(a, merged[a - block.start]);
    }
  }

  /** Command 0xA1: keep what was written. */
  store(): void {
    this.stored = cloneImage(this.active);
  }

  /** A restart: unstored writes are lost. */
  revertToStored(): void {
    this.active = cloneImage(this.stored);
  }

  /**
   * Command 0xC3: the user settings (and the reserved words of their blocks) go back to
   * the defaults, stored. Factory and industrialization words are factory data: untouched.
   */
  loadFactoryDefaults(): void {
    const userAddresses = USER_SETTINGS_BLOCKS.flatMap((id) => profileBlock(this.profile, id) ?? []);
    const isUserAddress = (a: number): boolean => userAddresses.some((b) => a >= b.start && a < b.start + b.size);
    for (const image of [this.active, this.stored]) {
      image.values = new Map(this.defaults.values);
      for (const a of [...image.words.keys()]) if (isUserAddress(a)) image.words.delete(a);
    }
  }
}
