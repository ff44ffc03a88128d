import { CodecError, encodeField } from '../codec';
import { DIRIS_A20, profileBlock, visibleFields, type BlockDef, type FieldDef, type MeterProfile } from '../registers';
import { DeviceError } from './errors';
import { SETTINGS_BLOCKS, type SettingsBlockId } from './types';

export interface SettingsField {
  key: string;
  label: string;
  unit: string;
  address: number;
  writable: boolean;
  enumValues?: Readonly<Record<number, string>>;
  allowedValues?: readonly number[];
  min?: number;
  max?: number;
  scale?: number;
  note?: string;
}

/** The settings a block offers, for editor choices, help text and docs. */
export function settingsFieldList(blockId: SettingsBlockId = 'applicationSettings', profile: MeterProfile = DIRIS_A20): SettingsField[] {
  return visibleFields(settingsBlock(blockId, profile)).map((f) => ({
    key: f.key,
    label: f.label,
    unit: f.unit,
    address: f.address,
    writable: f.writable,
    enumValues: f.enumValues,
    allowedValues: f.allowedValues ?? (f.numericCodes ? Object.values(f.numericCodes) : undefined),
    min: f.min,
    max: f.max,
    scale: f.scale,
    note: f.note,
  }));
}

/** The settings blocks a model has. */
export function settingsBlocksOf(profile: MeterProfile): SettingsBlockId[] {
  return SETTINGS_BLOCKS.filter((id) => profileBlock(profile, id) !== undefined);
}

export function settingsBlock(blockId: string, profile: MeterProfile = DIRIS_A20): BlockDef {
  if (!SETTINGS_BLOCKS.includes(blockId as SettingsBlockId)) {
    throw new DeviceError('input', `unknown settings block "${blockId}" (valid: ${SETTINGS_BLOCKS.join(', ')})`, { problems: [`unknown settings block "${blockId}"`] });
  }
  const block = profileBlock(profile, blockId);
  if (!block) {
    const offered = settingsBlocksOf(profile);
    const problem = `the ${profile.name} has no ${blockId} block (its settings blocks: ${offered.length > 0 ? offered.join(', ') : 'none'})`;
    throw new DeviceError('input', problem, { problems: [problem] });
  }
  return block;
}

export interface PlannedWrite {
  field: FieldDef;
  words: number[];
  value: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Checks a whole settings payload before anything is written: every unknown key, wrong
 * type, out-of-range value, reserved or read-only field is collected, and one DeviceError
 * lists them all. Returns the encoded writes when everything is valid.
 */
export function validateSettings(
  blockId: SettingsBlockId,
  settings: unknown,
  options: { allowFactoryBlocks?: boolean; unitId: number; meter: string; profile?: MeterProfile },
): PlannedWrite[] {
  const block = settingsBlock(blockId, options.profile);
  const problems: string[] = [];
  if (block.factoryOnly && !options.allowFactoryBlocks) {
    problems.push(`block ${block.id} (${block.start}) is factory/calibration data: enable "allow factory and calibration blocks" to write it`);
  }
  if (!isPlainObject(settings)) {
    problems.push(`settings must be an object of { key: value }, got ${Array.isArray(settings) ? 'an array' : typeof settings}`);
  }
  const writes: PlannedWrite[] = [];
  if (isPlainObject(settings)) {
    const byKey = new Map(block.fields.map((f) => [f.key, f]));
    for (const [key, value] of Object.entries(settings)) {
      const field = byKey.get(key);
      if (!field) {
        problems.push(`unknown setting "${key}" (valid: ${visibleFields(block).filter((f) => f.writable).map((f) => f.key).join(', ')})`);
      } else if (field.reserved) {
        problems.push(`"${key}" is a reserved word and cannot be written`);
      } else if (!field.writable) {
        problems.push(`"${key}" is read-only`);
      } else {
        try {
          writes.push({ field, words: encodeField(field, value), value });
        } catch (err) {
          if (!(err instanceof CodecError)) throw err;
          problems.push(err.message);
        }
      }
    }
  }
  if (problems.length > 0) {
    throw new DeviceError('input', `${options.meter}: settings refused, nothing written (${block.id} ${block.start}): ${problems.join('; ')}`, {
      unitId: options.unitId,
      block: `${block.id} (${block.start})`,
      problems,
    });
  }
  return writes;
}
