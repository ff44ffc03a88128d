// Shared helpers of the codec tests (no tests of its own). Named *.test.ts only because
// that is the file pattern this piece owns; mocha loads it harmlessly.
import { strict as assert } from 'node:assert';
import type { FieldDef } from '../../src/registers/types';
import { CodecError, encodeField } from '../../src/codec';

/** A minimal FieldDef for codec tests; override what the test is about. */
export function makeField(overrides: Partial<FieldDef> & Pick<FieldDef, 'key'>): FieldDef {
  return {
    address: 50000,
    words: 1,
    label: overrides.key,
    tableText: overrides.key,
    unit: '',
    type: 'U16',
    writable: true,
    reserved: false,
    ...overrides,
  };
}

/** encodeField plus the invariants every encoding must keep: length and word range. */
export function encodeChecked(field: FieldDef, value: unknown): number[] {
  const words = encodeField(field, value);
  assert.equal(words.length, field.words, `${field.key}: encoded ${words.length} words, field has ${field.words}`);
  for (const word of words) {
    assert.ok(Number.isInteger(word) && word >= 0 && word <= 0xffff, `${field.key}: word ${word} is not 0..65535`);
  }
  return words;
}

/** Asserts `action` throws a CodecError naming `key` whose message matches every pattern. */
export function assertCodecError(action: () => unknown, key: string, ...patterns: RegExp[]): CodecError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CodecError, `expected a CodecError, got ${String(caught)}`);
  assert.equal(caught.key, key);
  assert.ok(caught.message.includes(key), `message "${caught.message}" does not name ${key}`);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}
