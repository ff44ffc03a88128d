/**
 * Pure codec between Modbus register words and user values, for every data type of
 * the DIRIS register table. No I/O, no state.
 */
export { CodecError } from './errors';
export { decodeRaw, encodeRaw, integerRange } from './raw';
export type { RawValue } from './raw';
export { decodeField, encodeField } from './field';
export { scaleToValue, scalerFor } from './scale';
