import { CodecError, encodeField } from '../codec';
import { DIRIS_A20, profileBlock, visibleFields, type BlockDef, type FieldDef, type FieldValue, type MeterProfile } from '../registers';
import { textReason, wordReason, type ErrorReason } from '../transport/reasons';
import { DeviceError } from './errors';
import { englishPhrase } from './reasons';
import { quantityName, withQuantityScale } from './quantity-scale';
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
  /** The setting whose quantity gives this one its scale and unit (alarm thresholds: alarmType). */
  quantityField?: string;
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
    quantityField: f.quantityField,
  }));
}

/** The settings blocks a model has. */
export function settingsBlocksOf(profile: MeterProfile): SettingsBlockId[] {
  return SETTINGS_BLOCKS.filter((id) => profileBlock(profile, id) !== undefined);
}

export function settingsBlock(blockId: string, profile: MeterProfile = DIRIS_A20): BlockDef {
  if (!SETTINGS_BLOCKS.includes(blockId as SettingsBlockId)) {
    throw new DeviceError('input', { code: 'unknownSettingsBlock', block: blockId, valid: SETTINGS_BLOCKS }, { problems: [`unknown settings block "${blockId}"`] });
  }
  const block = profileBlock(profile, blockId);
  if (!block) {
    const offered = settingsBlocksOf(profile);
    const problem: ErrorReason = { code: 'modelNoSettingsBlock', model: profile.name, block: blockId, offered: offered.length > 0 ? offered : { code: 'none' } };
    throw new DeviceError('input', problem, { problems: [wordReason(problem, englishPhrase)] });
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
  options: {
    allowFactoryBlocks?: boolean;
    unitId: number;
    meter: string;
    profile?: MeterProfile;
    /** The meter's current settings of the block, for fields whose unit follows another setting (alarm thresholds). */
    current?: Readonly<Record<string, FieldValue>>;
  },
): PlannedWrite[] {
  const block = settingsBlock(blockId, options.profile);
  const problems: ErrorReason[] = [];
  if (block.factoryOnly && !options.allowFactoryBlocks) {
    problems.push({ code: 'factoryBlock', block: block.id, start: block.start });
  }
  if (!isPlainObject(settings)) {
    problems.push(Array.isArray(settings) ? { code: 'settingsArray' } : { code: 'settingsNotObject', got: typeof settings });
  }
  const writes: PlannedWrite[] = [];
  if (isPlainObject(settings)) {
    const byKey = new Map(block.fields.map((f) => [f.key, f]));
    for (const [key, value] of Object.entries(settings)) {
      const field = byKey.get(key);
      if (!field) {
        problems.push({ code: 'unknownSetting', key, valid: visibleFields(block).filter((f) => f.writable).map((f) => f.key) });
      } else if (field.reserved) {
        problems.push({ code: 'reservedSetting', key });
      } else if (!field.writable) {
        problems.push({ code: 'readOnlySetting', key });
      } else {
        try {
          const effective = field.quantityField === undefined ? field : quantityScaled(field, byKey.get(field.quantityField), settings, options.current, problems);
          if (effective) writes.push({ field: effective, words: encodeField(effective, value), value });
        } catch (err) {
          if (!(err instanceof CodecError)) throw err;
          problems.push(err.reason ?? textReason(err.message));
        }
      }
    }
  }
  if (problems.length > 0) {
    throw new DeviceError('input', { code: 'settingsRefused', block: block.id, start: block.start, problems }, {
      meter: options.meter,
      unitId: options.unitId,
      block: `${block.id} (${block.start})`,
    });
  }
  return writes;
}

/**
 * The field with the scale and unit of the quantity its quantity field names, taken from
 * the payload (when it changes too) or else from the meter's current settings; undefined
 * (with a problem noted) when neither tells it.
 */
function quantityScaled(
  field: FieldDef,
  quantityField: FieldDef | undefined,
  settings: Record<string, unknown>,
  current: Readonly<Record<string, FieldValue>> | undefined,
  problems: ErrorReason[],
): FieldDef | undefined {
  if (!quantityField) return field;
  const given = settings[quantityField.key];
  // A wrong quantity in the payload is reported on its own key.
  if (given !== undefined && quantityName(quantityField, given) === undefined) return undefined;
  const name = quantityName(quantityField, given ?? current?.[quantityField.key]);
  if (name === undefined) {
    problems.push(
      current === undefined
        ? { code: 'quantityNeeded', key: field.key, quantity: quantityField.key }
        : { code: 'quantityUnknown', key: field.key, quantity: quantityField.key, current: JSON.stringify(current[quantityField.key]) ?? String(current[quantityField.key]) },
    );
    return undefined;
  }
  return withQuantityScale(field, name);
}

/** Keys of the payload whose unit follows a setting the payload does not give (so the meter's must be read first). */
export function keysNeedingCurrentSettings(blockId: SettingsBlockId, settings: unknown, profile?: MeterProfile): string[] {
  if (!isPlainObject(settings)) return [];
  const block = settingsBlock(blockId, profile);
  return block.fields.filter((f) => f.quantityField !== undefined && f.key in settings && !(f.quantityField in settings)).map((f) => f.key);
}
