import { CodecError, describeValue } from './errors';

/**
 * Number of decimals a scale factor carries: 0.01 -> 2, 0.001 -> 3, 0.5 -> 1, 10 -> 0.
 * Read from the shortest decimal form of the number, so 0.01 counts as 2 even though
 * its binary value is not exactly one hundredth.
 */
export function scaleDecimals(scale: number): number {
  const text = String(scale);
  const [mantissa, exponentText] = text.split('e');
  const dot = mantissa.indexOf('.');
  const fractionDigits = dot < 0 ? 0 : mantissa.length - dot - 1;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  return Math.max(0, fractionDigits - exponent);
}

export function checkScale(scale: number, label: string): void {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new CodecError(`${label}: scale ${describeValue(scale)} must be a finite number > 0`, label);
  }
}

/**
 * The scale written as integer / 10^decimals (0.01 -> 1 / 100, 0.5 -> 5 / 10, 10 -> 10 / 1).
 * Working with these integers instead of the binary scale keeps results exact:
 * 23012 * 1 / 100 gives the same double as the literal 230.12.
 */
function decimalScale(scale: number): { numerator: number; denominator: number } {
  // A map has a handful of distinct scales; this runs for every value of every poll.
  let known = decimalScales.get(scale);
  if (!known) {
    const denominator = 10 ** scaleDecimals(scale);
    known = { numerator: Math.round(scale * denominator), denominator };
    if (decimalScales.size < 256) decimalScales.set(scale, known);
  }
  return known;
}
const decimalScales = new Map<number, { numerator: number; denominator: number }>();

/** raw x scale, rounded to the scale's decimals (23012 x 0.01 = 230.12, not 230.12000000000001). */
export function scaleToValue(raw: number, scale: number): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw new CodecError(`scaleToValue: raw value ${describeValue(raw)} must be a finite number`);
  }
  checkScale(scale, 'scaleToValue');
  const { numerator, denominator } = decimalScale(scale);
  const value = Math.round(raw * numerator) / denominator;
  return value === 0 ? 0 : value; // never hand out -0
}

/**
 * scaleToValue for one scale, checked and resolved once: for decoding the same field on
 * every poll. Gives exactly scaleToValue's doubles; `raw` must be a finite integer.
 */
export function scalerFor(scale: number, label = 'scale'): (raw: number) => number {
  checkScale(scale, label);
  const { numerator, denominator } = decimalScale(scale);
  if (numerator === 1 && denominator === 1) return (raw) => (raw === 0 ? 0 : raw);
  return (raw) => {
    const value = Math.round(raw * numerator) / denominator;
    return value === 0 ? 0 : value;
  };
}

/**
 * value / scale as an integer raw count, or undefined when the value is not a whole
 * multiple of the scale. The tolerance only absorbs floating-point noise (about 1e-15
 * relative); a value off by a real fraction of a count is refused.
 */
export function valueToRaw(value: number, scale: number): number | undefined {
  const { numerator, denominator } = decimalScale(scale);
  const exact = (value * denominator) / numerator;
  const nearest = Math.round(exact);
  const tolerance = 1e-9 + Math.abs(exact) * 8 * Number.EPSILON;
  if (Math.abs(exact - nearest) > tolerance) return undefined;
  return nearest === 0 ? 0 : nearest;
}
