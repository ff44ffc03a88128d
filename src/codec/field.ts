/**
 * Field-level codec: register words <-> the user value of one FieldDef (scaled number,
 * enum name, flag, bit object, string...). Encoding validates everything a user could
 * get wrong and names the field key in every error.
 *
 * Precedence when a definition carries several interpretations: split10000, then
 * flag, then bits, then enumValues, then scale. scale only applies to numbers (plain
 * integers, split10000 counters and array elements); it is ignored elsewhere.
 */
import type { FieldDef, FieldValue } from '../registers/types';
import { CodecError, describeTypedValue, describeValue, type CodecReason } from './errors';
import {
  arrayElementWords,
  decodeRawLabeled,
  encodeRawLabeled,
  integerRange,
  isArrayType,
} from './raw';
import { checkScale, scaleToValue, valueToRaw } from './scale';

/** The largest split10000 counter: high word 65535, low part 9999. */
const SPLIT10000_MAX = 0xffff * 10000 + 9999;

/** A CodecError naming the field; `reason` (without the key) for what a user can get wrong, none for a register map's own mistake. */
function fieldError(field: FieldDef, message: string, reason?: CodecReason): never {
  throw new CodecError(`${field.key}: ${message}`, field.key, reason === undefined ? undefined : { ...reason, key: field.key });
}

/** A value's reason, or for an array's element (`element` its index) the element's reason inside an arrayElement one. */
function valueReason(element: number | undefined, reason: CodecReason): CodecReason {
  return element === undefined ? reason : { code: 'arrayElement', index: String(element), problem: reason };
}

function fieldScale(field: FieldDef): number {
  const scale = field.scale ?? 1;
  checkScale(scale, field.key);
  return scale;
}

function unitSuffix(field: FieldDef): string {
  return field.unit ? ` ${field.unit}` : '';
}

function hasOwn(record: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

function checkWordCount(field: FieldDef, words: readonly number[]): void {
  if (!Array.isArray(words)) fieldError(field, `expected an array of register words, got ${describeTypedValue(words)}`);
  if (words.length !== field.words) fieldError(field, `expected ${field.words} words, got ${words.length}`);
}

function requireNumericRaw(field: FieldDef, what: string): void {
  if (!integerRange(field.type)) {
    fieldError(field, `field definition error: ${what} needs an integer data type, not ${field.type}`);
  }
}

// ---------------------------------------------------------------- decoding

function decodeBits(bits: Readonly<Record<number, string>>, raw: number): Record<string, boolean> {
  const result: Record<string, boolean> = {};
  for (const [bit, name] of Object.entries(bits)) {
    // Division instead of >>> keeps bit 31 of a U32 correct.
    result[name] = Math.floor(raw / 2 ** Number(bit)) % 2 === 1;
  }
  return result;
}

function decodeNumber(field: FieldDef, raw: number): FieldValue {
  if (field.flag) return raw !== 0;
  if (field.bits) return decodeBits(field.bits, raw);
  if (field.enumValues) {
    // An unknown code comes out as the number so no information is lost.
    return hasOwn(field.enumValues, raw) ? field.enumValues[raw] : raw;
  }
  if (field.numericCodes) return hasOwn(field.numericCodes, raw) ? field.numericCodes[raw] : raw;
  return scaleToValue(raw, fieldScale(field));
}

/** Register words -> the field's user value. */
export function decodeField(field: FieldDef, words: readonly number[]): FieldValue {
  checkWordCount(field, words);
  if (field.split10000) {
    if (field.words !== 2) fieldError(field, `field definition error: split10000 needs 2 words, not ${field.words}`);
    const [low, high] = decodeRawLabeled('U16[]', words, field.key, true) as number[];
    return scaleToValue(high * 10000 + low, fieldScale(field));
  }
  if (field.flag || field.bits || field.enumValues) {
    requireNumericRaw(field, field.flag ? 'flag' : field.bits ? 'bits' : 'enumValues');
  }
  const raw = decodeRawLabeled(field.type, words, field.key, true);
  if (typeof raw === 'number') return decodeNumber(field, raw);
  if (isArrayType(field.type) && Array.isArray(raw)) {
    const scale = fieldScale(field);
    return raw.map((element) => scaleToValue(element, scale));
  }
  return raw; // strings, U64_HEX, DATETIME_3 (string or raw-word fallback)
}

// ---------------------------------------------------------------- encoding

/**
 * A user number -> raw count: type, finiteness, scale multiple and range checks.
 * `element`: the index of an array's element (its messages say "element 2: ").
 */
function numberToRaw(field: FieldDef, value: unknown, typeMin: number, typeMax: number, element?: number): number {
  const where = element === undefined ? '' : `element ${element}: `;
  if (typeof value !== 'number') fieldError(field, `${where}expected a number, got ${describeTypedValue(value)}`, valueReason(element, { code: 'expectedNumber', got: describeTypedValue(value) }));
  if (!Number.isFinite(value)) fieldError(field, `${where}${describeValue(value)} is not a finite number`, valueReason(element, { code: 'notFinite', value: describeValue(value) }));
  const scale = fieldScale(field);
  const unit = unitSuffix(field);
  const raw = valueToRaw(value, scale);
  if (raw === undefined) fieldError(field, `${where}${describeValue(value)} is not a multiple of ${scale}${unit}`, valueReason(element, { code: 'notMultiple', value: describeValue(value), step: `${scale}${unit}` }));
  const min = Math.max(typeMin, field.min ?? -Infinity);
  const max = Math.min(typeMax, field.max ?? Infinity);
  if (raw < min || raw > max) {
    fieldError(
      field,
      `${where}${describeValue(value)}${unit} is out of range ${scaleToValue(min, scale)}..${scaleToValue(max, scale)}${unit}`,
      valueReason(element, { code: 'valueOutOfRange', value: `${describeValue(value)}${unit}`, min: String(scaleToValue(min, scale)), max: `${scaleToValue(max, scale)}${unit}` }),
    );
  }
  return raw;
}

function encodeFlag(field: FieldDef, value: unknown): number {
  if (value === true || value === 1) return 1;
  if (value === false || value === 0) return 0;
  return fieldError(field, `expected true/false (or 1/0), got ${describeTypedValue(value)}`, { code: 'expectedFlag', got: describeTypedValue(value) });
}

function describeBits(bits: Readonly<Record<number, string>>): string {
  return Object.entries(bits).map(([bit, name]) => `${name} (bit ${bit})`).join(', ');
}

function encodeBits(field: FieldDef, bits: Readonly<Record<number, string>>, value: unknown): number {
  const range = integerRange(field.type) ?? { min: 0, max: 0xffff };
  const namedMask = Object.keys(bits).reduce((mask, bit) => mask + 2 ** Number(bit), 0);
  if (typeof value === 'number') {
    const raw = numberToRaw(field, value, Math.max(0, range.min), range.max);
    // Unnamed bits would be dropped by decoding and may mean anything to the meter.
    const unnamed = raw - bitwiseAnd(raw, namedMask);
    if (unnamed !== 0) {
      const mask = `0x${unnamed.toString(16).toUpperCase()}`;
      fieldError(field, `${describeValue(value)} sets bits that are not defined (${mask}); allowed: ${describeBits(bits)}`, {
        code: 'undefinedBits',
        value: describeValue(value),
        mask,
        allowed: describeBits(bits),
      });
    }
    return raw;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const names = Object.values(bits).join(', ');
    return fieldError(field, `expected an object of booleans { ${names} } or a number, got ${describeTypedValue(value)}`, { code: 'expectedBits', names, got: describeTypedValue(value) });
  }
  const bitByName = new Map(Object.entries(bits).map(([bit, name]) => [name, Number(bit)]));
  let raw = 0;
  for (const [name, on] of Object.entries(value)) {
    const bit = bitByName.get(name);
    if (bit === undefined) {
      const allowed = [...bitByName.keys()].join(', ');
      fieldError(field, `unknown bit ${describeValue(name)}; allowed: ${allowed}`, { code: 'unknownBit', bit: describeValue(name), allowed });
    }
    if (typeof on !== 'boolean') {
      fieldError(field, `bit ${describeValue(name)} must be true or false, got ${describeTypedValue(on)}`, { code: 'bitNotBoolean', bit: describeValue(name), got: describeTypedValue(on) });
    }
    // Names absent from the object stay 0.
    if (on) raw += 2 ** bit;
  }
  return raw;
}

/** a & b for non-negative integers up to 2^32 (JS & is signed 32-bit). */
function bitwiseAnd(a: number, b: number): number {
  return Number(BigInt(a) & BigInt(b));
}

/** Enum names compare case-insensitively and ignoring spaces: "4 nbl" matches "4NBL". */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '');
}

function encodeEnum(field: FieldDef, enumValues: Readonly<Record<number, string>>, value: unknown): number {
  const entries = Object.entries(enumValues);
  if (typeof value === 'string') {
    const wanted = normalizeName(value);
    const match = entries.find(([, name]) => normalizeName(name) === wanted);
    if (match) return Number(match[0]);
  } else if (typeof value === 'number' && hasOwn(enumValues, value)) {
    return value;
  }
  const allowed = entries.map(([raw, name]) => `${describeValue(name)} (${raw})`).join(', ');
  return fieldError(field, `${describeTypedValue(value)} is not one of ${allowed}`, { code: 'notOneOf', value: describeTypedValue(value), allowed });
}

function encodeSplit10000(field: FieldDef, value: unknown): number[] {
  if (field.words !== 2) fieldError(field, `field definition error: split10000 needs 2 words, not ${field.words}`);
  const raw = numberToRaw(field, value, 0, SPLIT10000_MAX);
  // Address order: the "<10 000" part first, the ">10 000" part second.
  return [raw % 10000, Math.floor(raw / 10000)];
}

function encodeNumberArray(field: FieldDef, value: unknown): number[] {
  const type = field.type as 'U16[]' | 'U32[]';
  const length = field.words / arrayElementWords(type);
  if (!Array.isArray(value)) {
    fieldError(field, `expected an array of ${length} numbers, got ${describeTypedValue(value)}`, { code: 'expectedArray', length: String(length), got: describeTypedValue(value) });
  }
  if (value.length !== length) {
    fieldError(field, `expected an array of ${length} numbers, got ${value.length}`, { code: 'arrayLength', length: String(length), got: String(value.length) });
  }
  const elementMax = type === 'U32[]' ? 0xffffffff : 0xffff;
  const raws = value.map((element, i) => numberToRaw(field, element, 0, elementMax, i));
  return encodeRawLabeled(type, raws, field.words, field.key, true);
}

/**
 * The field's user value -> exactly `field.words` register words. Validates the type,
 * the enum name, the scale multiple and field.min/max (on the raw value); throws a
 * CodecError naming the field key otherwise. Does not check `writable`: that is the
 * caller's policy, not a property of the value.
 */
export function encodeField(field: FieldDef, value: unknown): number[] {
  if (field.split10000) return encodeSplit10000(field, value);
  const range = integerRange(field.type);
  let raw: unknown = value;
  if (field.flag || field.bits || field.enumValues) {
    requireNumericRaw(field, field.flag ? 'flag' : field.bits ? 'bits' : 'enumValues');
    if (field.flag) raw = encodeFlag(field, value);
    else if (field.bits) raw = encodeBits(field, field.bits, value);
    else if (field.enumValues) raw = encodeEnum(field, field.enumValues, value);
  } else if (field.numericCodes) {
    const codes = field.numericCodes;
    const code = Object.keys(codes).find((c) => codes[Number(c)] === value);
    if (code === undefined) {
      const unit = unitSuffix(field);
      const allowed = `${Object.values(codes).join(', ')}${unit}`;
      fieldError(field, `${describeValue(value)}${unit} is not allowed; allowed: ${allowed}`, { code: 'notAllowed', value: `${describeValue(value)}${unit}`, allowed });
    }
    raw = Number(code);
  } else if (range) {
    raw = numberToRaw(field, value, range.min, range.max);
    if (field.allowedValues && !field.allowedValues.includes(raw as number)) {
      const unit = unitSuffix(field);
      const allowed = `${field.allowedValues.map((v) => scaleToValue(v, fieldScale(field))).join(', ')}${unit}`;
      fieldError(field, `${describeValue(value)}${unit} is not allowed; allowed: ${allowed}`, { code: 'notAllowed', value: `${describeValue(value)}${unit}`, allowed });
    }
  } else if (isArrayType(field.type)) {
    return encodeNumberArray(field, value);
  }
  return encodeRawLabeled(field.type, raw, field.words, field.key, true);
}
