/**
 * The one error type of the codec. Its message always starts with the field key
 * (or the data type when no field is involved) so a user can tell which input was
 * wrong, then names the offending value and what would have been accepted.
 */
export class CodecError extends Error {
  readonly key?: string;
  /** For a value a user gave wrongly (out of range, not a multiple, not one of, not a number, bits, an array's element): a stable code and its parameters, so a caller can word them in its own language. A field definition the register map got wrong has none. */
  readonly reason?: CodecReason;

  constructor(message: string, key?: string, reason?: CodecReason) {
    super(message);
    this.name = 'CodecError';
    if (key !== undefined) this.key = key;
    if (reason !== undefined) this.reason = reason;
  }
}

/** A codec problem as data (the same shape as the transport's and device's reasons; their phrases are the device's). */
export interface CodecReason {
  readonly code:
    | 'valueOutOfRange'
    | 'notMultiple'
    | 'notOneOf'
    | 'expectedNumber'
    | 'notFinite'
    | 'notAllowed'
    | 'expectedFlag'
    | 'expectedBits'
    | 'unknownBit'
    | 'bitNotBoolean'
    | 'undefinedBits'
    | 'expectedArray'
    | 'arrayLength'
    | 'arrayElement';
  /** The field; absent for an array element's own problem (its arrayElement reason names the field). */
  readonly key?: string;
  readonly [param: string]: string | CodecReason | undefined;
}

/** A short, unambiguous rendering of any input for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined || value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What a value is, for "expected X, got Y" messages: `string "230"`, `boolean true`. */
export function describeTypedValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return `${kind} ${describeValue(value)}`;
}
