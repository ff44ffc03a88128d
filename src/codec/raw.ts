/**
 * Register words <-> raw values (integers, strings, arrays) for every data type of the
 * register table, before any scaling or enum/flag/bit interpretation.
 * Wire format: 32- and 64-bit values most significant word first (S32 two's complement);
 * STRING_16 one ASCII character per register (high byte 0), STRING_NORM two per register,
 * high byte first; trailing NULs and spaces are padding.
 */
import type { DataType } from '../registers/types';
import { CodecError, describeTypedValue, describeValue } from './errors';

export type RawValue = number | string | number[];

const WORD_MAX = 0xffff;
const WORD_SPAN = 0x10000;

interface IntegerSpec {
  readonly words: 1 | 2;
  readonly min: number;
  readonly max: number;
}

/**
 * Single-value integer types. U8 / U8_HEX deliberately span the whole register:
 * the table marks values such as the alarm time 1..999 as "U8", so the "8" is not a
 * real bound (device notes). The field's min/max carries the documented range.
 */
const INTEGER_TYPES: Readonly<Partial<Record<DataType, IntegerSpec>>> = {
  U8: { words: 1, min: 0, max: WORD_MAX },
  U8_HEX: { words: 1, min: 0, max: WORD_MAX },
  U16: { words: 1, min: 0, max: WORD_MAX },
  U16_HEX: { words: 1, min: 0, max: WORD_MAX },
  S16: { words: 1, min: -0x8000, max: 0x7fff },
  U32: { words: 2, min: 0, max: 0xffffffff },
  S32: { words: 2, min: -0x80000000, max: 0x7fffffff },
};

const KNOWN_TYPES: ReadonlySet<string> = new Set<DataType>([
  'U8', 'U8_HEX', 'U16', 'U16_HEX', 'S16', 'U32', 'S32', 'U64_HEX',
  'STRING_16', 'STRING_NORM', 'DATETIME_3', 'U16[]', 'U32[]',
]);

/** Raw integer range of a single-value integer type, or undefined for other types. */
export function integerRange(type: DataType): { min: number; max: number } | undefined {
  const spec = INTEGER_TYPES[type];
  return spec && { min: spec.min, max: spec.max };
}

export function isArrayType(type: DataType): type is 'U16[]' | 'U32[]' {
  return type === 'U16[]' || type === 'U32[]';
}

/** Words per array element (U16[] 1, U32[] 2). */
export function arrayElementWords(type: 'U16[]' | 'U32[]'): number {
  return type === 'U32[]' ? 2 : 1;
}

/** Word count the type always takes, or undefined when the field decides (strings, arrays). */
export function fixedWordCount(type: DataType): number | undefined {
  const spec = INTEGER_TYPES[type];
  if (spec) return spec.words;
  if (type === 'U64_HEX') return 4;
  if (type === 'DATETIME_3') return 3;
  return undefined;
}

function checkType(type: DataType, label: string): void {
  if (!KNOWN_TYPES.has(type)) {
    throw new CodecError(
      `${label}: unknown data type ${describeValue(type)}; expected one of ${[...KNOWN_TYPES].join(', ')}`,
      label === type ? undefined : label,
    );
  }
}

/** Throws unless `label` names a field key (vs. a bare data type in decodeRaw/encodeRaw). */
function fail(label: string, keyed: boolean, message: string): never {
  throw new CodecError(`${label}: ${message}`, keyed ? label : undefined);
}

function checkWordCount(type: DataType, count: number, label: string, keyed: boolean): void {
  const fixed = fixedWordCount(type);
  if (fixed !== undefined && count !== fixed) {
    fail(label, keyed, `${type} takes ${fixed} words, got ${count}`);
  }
  if (type === 'U32[]' && count % 2 !== 0) {
    fail(label, keyed, `U32[] takes an even number of words (2 per element), got ${count}`);
  }
}

function checkWords(words: readonly number[], label: string, keyed: boolean): void {
  if (!Array.isArray(words)) fail(label, keyed, `expected an array of register words, got ${describeTypedValue(words)}`);
  words.forEach((word, index) => {
    if (!Number.isInteger(word) || word < 0 || word > WORD_MAX) {
      fail(label, keyed, `word ${index} is ${describeValue(word)}; a register word is an integer 0..65535`);
    }
  });
}

// ---------------------------------------------------------------- decoding

function toSigned(value: number, bits: 16 | 32): number {
  const span = 2 ** bits;
  return value >= span / 2 ? value - span : value;
}

function bytesToString(bytes: number[]): string {
  let end = bytes.length;
  // Trailing NULs are padding; trailing spaces are how some firmwares pad instead.
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end -= 1;
  return String.fromCharCode(...bytes.slice(0, end));
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids DST surprises.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function isValidDateTime(p: DateTimeParts): boolean {
  return (
    p.year >= 2000 && p.year <= 2255 &&
    p.month >= 1 && p.month <= 12 &&
    p.day >= 1 && p.day <= daysInMonth(p.year, p.month) &&
    p.hour < 24 && p.minute < 60 && p.second < 60
  );
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function formatDateTime(p: DateTimeParts): string {
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}`;
}

export function decodeRawLabeled(type: DataType, words: readonly number[], label: string, keyed: boolean): RawValue {
  checkType(type, label);
  checkWords(words, label, keyed);
  checkWordCount(type, words.length, label, keyed);
  switch (type) {
    case 'U8':
    case 'U8_HEX':
    case 'U16':
    case 'U16_HEX':
      return words[0];
    case 'S16':
      return toSigned(words[0], 16);
    case 'U32':
      return words[0] * WORD_SPAN + words[1];
    case 'S32':
      return toSigned(words[0] * WORD_SPAN + words[1], 32);
    case 'U64_HEX':
      // A hex string, not a number: a double keeps only 53 of the 64 bits.
      return '0x' + words.map((w) => w.toString(16).toUpperCase().padStart(4, '0')).join('');
    case 'STRING_16':
      return bytesToString(words.map((w) => w & 0xff));
    case 'STRING_NORM':
      return bytesToString(words.flatMap((w) => [w >> 8, w & 0xff]));
    case 'DATETIME_3': {
      const parts: DateTimeParts = {
        year: 2000 + (words[0] >> 8),
        month: words[0] & 0xff,
        day: words[1] >> 8,
        hour: words[1] & 0xff,
        minute: words[2] >> 8,
        second: words[2] & 0xff,
      };
      // No authoritative layout is published: keep the raw words when the guess fails.
      return isValidDateTime(parts) ? formatDateTime(parts) : [...words];
    }
    case 'U16[]':
      return [...words];
    case 'U32[]': {
      const values: number[] = [];
      for (let i = 0; i < words.length; i += 2) values.push(words[i] * WORD_SPAN + words[i + 1]);
      return values;
    }
  }
}

/** Register words -> raw value: integer, string (strings, U64_HEX, DATETIME_3) or array. */
export function decodeRaw(type: DataType, words: readonly number[]): RawValue {
  return decodeRawLabeled(type, words, String(type), false);
}

// ---------------------------------------------------------------- encoding

function checkInteger(value: unknown, min: number, max: number, label: string, keyed: boolean, what = ''): number {
  if (typeof value !== 'number') fail(label, keyed, `${what}expected an integer ${min}..${max}, got ${describeTypedValue(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(label, keyed, `${what}${describeValue(value)} is not an integer in ${min}..${max}`);
  }
  return value === 0 ? 0 : value;
}

function splitU32(value: number): [number, number] {
  return [Math.floor(value / WORD_SPAN), value % WORD_SPAN];
}

const U64_MAX = (1n << 64n) - 1n;

function parseU64(raw: unknown, label: string, keyed: boolean): bigint {
  if (typeof raw === 'bigint') {
    if (raw < 0n || raw > U64_MAX) fail(label, keyed, `${describeValue(raw)} is outside 0..2^64-1`);
    return raw;
  }
  if (typeof raw === 'number') {
    // Above 2^53 a number has already lost bits: insist on the string or bigint form.
    if (!Number.isSafeInteger(raw) || raw < 0) {
      fail(label, keyed, `${describeValue(raw)} is not a safe non-negative integer; use a hex string like "0x00000000000000FF" or a bigint`);
    }
    return BigInt(raw);
  }
  if (typeof raw === 'string') {
    if (!/^0x[0-9a-f]{1,16}$/i.test(raw)) {
      fail(label, keyed, `${describeValue(raw)} is not a hex string of 1..16 digits like "0x00000000000000FF"`);
    }
    return BigInt(raw);
  }
  return fail(label, keyed, `expected a hex string like "0x00000000000000FF", a bigint or a safe integer, got ${describeTypedValue(raw)}`);
}

function stringToBytes(raw: unknown, capacity: number, label: string, keyed: boolean): number[] {
  if (typeof raw !== 'string') fail(label, keyed, `expected a string, got ${describeTypedValue(raw)}`);
  if (raw.length > capacity) {
    fail(label, keyed, `${describeValue(raw)} has ${raw.length} characters; at most ${capacity} fit`);
  }
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const code = raw.charCodeAt(i);
    // NUL is the padding, so it cannot be part of the text.
    if (code < 1 || code > 0x7f) {
      fail(label, keyed, `${describeValue(raw)} has character ${describeValue(raw[i])} at position ${i}; only ASCII 0x01..0x7F is allowed`);
    }
    bytes.push(code);
  }
  while (bytes.length < capacity) bytes.push(0);
  return bytes;
}

const DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/;

function encodeDateTime(raw: unknown, label: string, keyed: boolean): number[] {
  if (Array.isArray(raw)) {
    // The raw-words fallback of decoding, written back unchanged.
    if (raw.length !== 3) fail(label, keyed, `DATETIME_3 raw words must be 3, got ${raw.length}`);
    return raw.map((w, i) => checkInteger(w, 0, WORD_MAX, label, keyed, `word ${i}: `));
  }
  if (typeof raw !== 'string') {
    fail(label, keyed, `expected "YYYY-MM-DDTHH:MM:SS" or 3 raw words, got ${describeTypedValue(raw)}`);
  }
  const match = DATETIME_PATTERN.exec(raw);
  const numbers = match ? match.slice(1).map(Number) : [];
  const parts: DateTimeParts = {
    year: numbers[0], month: numbers[1], day: numbers[2],
    hour: numbers[3], minute: numbers[4], second: numbers[5],
  };
  if (!match || !isValidDateTime(parts)) {
    fail(label, keyed, `${describeValue(raw)} is not a valid date "YYYY-MM-DDTHH:MM:SS" with year 2000..2255`);
  }
  return [
    ((parts.year - 2000) << 8) | parts.month,
    (parts.day << 8) | parts.hour,
    (parts.minute << 8) | parts.second,
  ];
}

function encodeArray(type: 'U16[]' | 'U32[]', raw: unknown, wordCount: number, label: string, keyed: boolean): number[] {
  const elementWords = arrayElementWords(type);
  const length = wordCount / elementWords;
  if (!Array.isArray(raw)) fail(label, keyed, `expected an array of ${length} integers, got ${describeTypedValue(raw)}`);
  if (raw.length !== length) fail(label, keyed, `expected an array of ${length} elements, got ${raw.length}`);
  const max = type === 'U32[]' ? 0xffffffff : WORD_MAX;
  return raw.flatMap((element, i) => {
    const value = checkInteger(element, 0, max, label, keyed, `element ${i}: `);
    return type === 'U32[]' ? splitU32(value) : [value];
  });
}

export function encodeRawLabeled(
  type: DataType,
  raw: unknown,
  wordCount: number,
  label: string,
  keyed: boolean,
): number[] {
  checkType(type, label);
  if (!Number.isInteger(wordCount) || wordCount < 0) {
    fail(label, keyed, `word count ${describeValue(wordCount)} must be a non-negative integer`);
  }
  checkWordCount(type, wordCount, label, keyed);
  const spec = INTEGER_TYPES[type];
  if (spec) {
    const value = checkInteger(raw, spec.min, spec.max, label, keyed);
    if (spec.words === 1) return [value < 0 ? value + WORD_SPAN : value];
    return splitU32(value < 0 ? value + 2 ** 32 : value);
  }
  switch (type) {
    case 'U64_HEX': {
      const value = parseU64(raw, label, keyed);
      return [48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
    }
    case 'STRING_16':
      return stringToBytes(raw, wordCount, label, keyed);
    case 'STRING_NORM': {
      const bytes = stringToBytes(raw, wordCount * 2, label, keyed);
      return Array.from({ length: wordCount }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
    }
    case 'DATETIME_3':
      return encodeDateTime(raw, label, keyed);
    case 'U16[]':
    case 'U32[]':
      return encodeArray(type, raw, wordCount, label, keyed);
    default:
      // Unreachable: every integer type was handled through INTEGER_TYPES above.
      return fail(label, keyed, `cannot encode data type ${type}`);
  }
}

/**
 * Raw value -> exactly `wordCount` register words (each an integer 0..65535).
 * U64_HEX also accepts a bigint.
 */
export function encodeRaw(type: DataType, raw: RawValue | bigint, wordCount: number): number[] {
  return encodeRawLabeled(type, raw, wordCount, String(type), false);
}
