import { decodeField, integerRange, scalerFor } from '../codec';
import type { ReadRequest } from '../planner';
import type { FieldDef, FieldValue } from '../registers';

export interface DecodedValues {
  payload: Record<string, FieldValue>;
  /** Unit per key; built once per read plan, shared by every reading of that plan and frozen. */
  units: Readonly<Record<string, string>>;
}

/** One field of a plan: where its words sit in which reply, and how they become its value. */
interface PlannedField {
  readonly key: string;
  readonly reply: number;
  readonly offset: number;
  /** Reads the value straight from the reply words; undefined when the words are not plain register words. */
  readonly read: (words: readonly number[], offset: number) => FieldValue | undefined;
  readonly field: FieldDef;
}

/** What decoding a plan needs, worked out once: the fields in payload order, and the units. */
interface PlanDecoder {
  readonly fields: readonly PlannedField[];
  readonly units: Readonly<Record<string, string>>;
}

/** A plan is an array the device keeps (cachedPlan): its decoder lives as long as it does. */
const decoders = new WeakMap<readonly ReadRequest[], PlanDecoder>();

/**
 * A reader for the fields most of a poll is made of (integers of one or two words, scaled,
 * enums and flags), without copying their words; undefined for the rest (strings, arrays,
 * bit sets, split counters), which go through decodeField. A reader returns undefined for
 * words that are not register words, so decodeField can say what is wrong with them.
 */
function fastReader(field: FieldDef): PlannedField['read'] | undefined {
  const range = integerRange(field.type);
  if (!range || field.bits || field.split10000 || field.numericCodes) return undefined;
  const twoWords = range.max > 0xffff;
  if (field.words !== (twoWords ? 2 : 1)) return undefined; // decodeField names the mismatch
  const convert = converter(field);
  if (twoWords) {
    const signed = range.min < 0;
    return (words, at) => {
      const high = words[at];
      const low = words[at + 1];
      if ((high & 0xffff) !== high || (low & 0xffff) !== low) return undefined;
      const value = high * 0x10000 + low;
      return convert(signed && value >= 0x80000000 ? value - 0x100000000 : value);
    };
  }
  if (range.min < 0) {
    return (words, at) => {
      const word = words[at];
      if ((word & 0xffff) !== word) return undefined;
      return convert(word >= 0x8000 ? word - 0x10000 : word);
    };
  }
  return (words, at) => {
    const word = words[at];
    return (word & 0xffff) !== word ? undefined : convert(word);
  };
}

/** Raw integer -> the field's value: a flag, an enum name (an unknown code stays a number, as in decodeField), or the scaled number. */
function converter(field: FieldDef): (raw: number) => FieldValue {
  if (field.flag) return (raw) => raw !== 0;
  const names = field.enumValues;
  if (names) return (raw) => (Object.prototype.hasOwnProperty.call(names, raw) ? names[raw] : raw);
  return scalerFor(field.scale ?? 1, field.key);
}

function slowReader(field: FieldDef): PlannedField['read'] {
  return (words, at) => decodeField(field, words.slice(at, at + field.words));
}

function compile(requests: readonly ReadRequest[]): PlanDecoder {
  const fields: PlannedField[] = [];
  const units: Record<string, string> = {};
  requests.forEach((request, reply) => {
    for (const field of request.fields) {
      fields.push({ key: field.key, reply, offset: field.address - request.address, read: fastReader(field) ?? slowReader(field), field });
      units[field.key] = field.unit;
    }
  });
  return { fields, units: Object.freeze(units) };
}

/**
 * Turns the reply words of planned reads into the flat payload and units map of the
 * message contract. `replies[i]` answers `requests[i]`. The plan is compiled once (field
 * readers, key order, units); a poll then allocates the payload and its values only.
 */
export function decodeReplies(requests: readonly ReadRequest[], replies: readonly (readonly number[])[]): DecodedValues {
  let decoder = decoders.get(requests);
  if (!decoder) {
    decoder = compile(requests);
    decoders.set(requests, decoder);
  }
  for (let i = 0; i < requests.length; i++) {
    const words = replies[i];
    const request = requests[i];
    if (!words || words.length < request.count) {
      throw new Error(`reply ${i} for ${request.block.id} at ${request.address} has ${words?.length ?? 0} words, expected ${request.count}`);
    }
  }
  // Keys assigned in the same order every poll: every payload of a plan gets one hidden class
  // (a copied template object is slower: V8 copies a 64-key object as a dictionary).
  const payload: Record<string, FieldValue> = {};
  for (const planned of decoder.fields) {
    const words = replies[planned.reply];
    // Not plain words (a link handing back junk): decodeField says what is wrong.
    payload[planned.key] = planned.read(words, planned.offset) ?? decodeField(planned.field, words.slice(planned.offset, planned.offset + planned.field.words));
  }
  return { payload, units: decoder.units };
}
