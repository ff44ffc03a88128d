import { strict as assert } from 'node:assert';
import { CodecError, decodeField, decodeRaw, encodeRaw, scaleToValue } from '../../src/codec';
import { assertCodecError, encodeChecked, makeField } from '../helpers/codec-fixtures';

/** ASCII codes of a text, for building expected string words by hand. */
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

describe('codec: known words to known values', () => {
  describe('decodeRaw', () => {
    it('reads the STRING_16 signature one character per register', () => {
      assert.equal(decodeRaw('STRING_16', [0x53, 0x4f, 0x43, 0x4f]), 'SOCO');
    });

    it('reads S32 most significant word first, two\'s complement', () => {
      assert.equal(decodeRaw('S32', [0xfffd, 0x5c89]), -172919);
      assert.equal(decodeRaw('S32', [0x7fff, 0xffff]), 2147483647);
      assert.equal(decodeRaw('S32', [0x8000, 0x0000]), -2147483648);
    });

    it('reads U32 most significant word first', () => {
      assert.equal(decodeRaw('U32', [0x0001, 0x0002]), 65538);
      assert.equal(decodeRaw('U32', [0xffff, 0xffff]), 4294967295);
    });

    it('reads S16 as two\'s complement and U16 as unsigned', () => {
      assert.equal(decodeRaw('S16', [0xffff]), -1);
      assert.equal(decodeRaw('S16', [0x8000]), -32768);
      assert.equal(decodeRaw('U16', [0xffff]), 65535);
    });

    it('reads U8 as the whole register (the alarm time 999 is typed U8)', () => {
      assert.equal(decodeRaw('U8', [999]), 999);
      assert.equal(decodeRaw('U8_HEX', [0xa1]), 0xa1);
    });

    it('reads U64_HEX as a 16-digit uppercase hex string without losing bits', () => {
      assert.equal(decodeRaw('U64_HEX', [0x0123, 0x4567, 0x89ab, 0xcdef]), '0x0123456789ABCDEF');
      assert.equal(decodeRaw('U64_HEX', [0xffff, 0xffff, 0xffff, 0xffff]), '0xFFFFFFFFFFFFFFFF');
    });

    it('reads STRING_NORM two characters per register and trims the NUL padding', () => {
      const words = [0x4449, 0x5249, 0x5320, 0x4132, 0x3000, 0, 0, 0]; // "DIRIS A20" + NULs
      assert.equal(decodeRaw('STRING_NORM', words), 'DIRIS A20');
    });

    it('trims trailing spaces of STRING_NORM but keeps inner ones', () => {
      assert.equal(decodeRaw('STRING_NORM', [0x4120, 0x4220, 0x2020]), 'A B');
    });

    it('reads DATETIME_3 as bytes [year-2000, month, day, hour, minute, second]', () => {
      assert.equal(decodeRaw('DATETIME_3', [0x1803, 0x0f0a, 0x1e05]), '2024-03-15T10:30:05');
      assert.equal(decodeRaw('DATETIME_3', [0x1802, 0x1d17, 0x3b3b]), '2024-02-29T23:59:59');
    });

    it('falls back to the raw words when the DATETIME_3 fields are not a valid date', () => {
      for (const words of [
        [0x170d, 0x0100, 0x0000], // month 13
        [0x1700, 0x0100, 0x0000], // month 0
        [0x1702, 0x1d00, 0x0000], // 2023-02-29, not a leap year
        [0x1704, 0x1f00, 0x0000], // April 31
        [0x1701, 0x0118, 0x0000], // hour 24
        [0x1701, 0x0100, 0x3c00], // minute 60
        [0x1701, 0x0100, 0x003c], // second 60
      ]) {
        assert.deepEqual(decodeRaw('DATETIME_3', words), words);
      }
    });

    it('reads U16[] and U32[] as arrays of consecutive values', () => {
      assert.deepEqual(decodeRaw('U16[]', [1, 2, 65535]), [1, 2, 65535]);
      assert.deepEqual(decodeRaw('U32[]', [0, 5, 1, 0, 0xffff, 0xffff]), [5, 65536, 4294967295]);
    });

    it('rejects word counts that do not fit the type and words that are not registers', () => {
      assert.throws(() => decodeRaw('U32', [1]), (e: unknown) => e instanceof CodecError && /U32.*2 words/.test(e.message));
      assert.throws(() => decodeRaw('U32[]', [1, 2, 3]), CodecError);
      assert.throws(() => decodeRaw('U16', [70000]), /70000/);
      assert.throws(() => decodeRaw('U16', [1.5]), /1\.5/);
    });
  });

  describe('encodeRaw', () => {
    it('writes S32 most significant word first', () => {
      assert.deepEqual(encodeRaw('S32', -172919, 2), [0xfffd, 0x5c89]);
      assert.deepEqual(encodeRaw('U32', 65538, 2), [1, 2]);
    });

    it('writes S16 negatives as two\'s complement words', () => {
      assert.deepEqual(encodeRaw('S16', -850, 1), [0xfcae]);
    });

    it('writes strings padded with NULs', () => {
      assert.deepEqual(encodeRaw('STRING_16', 'SOCO', 4), [0x53, 0x4f, 0x43, 0x4f]);
      assert.deepEqual(encodeRaw('STRING_16', 'SO', 4), [0x53, 0x4f, 0, 0]);
      assert.deepEqual(encodeRaw('STRING_NORM', 'DIRIS A20', 8), [0x4449, 0x5249, 0x5320, 0x4132, 0x3000, 0, 0, 0]);
    });

    it('writes U64_HEX from a hex string, a bigint or a safe integer', () => {
      const expected = [0x0123, 0x4567, 0x89ab, 0xcdef];
      assert.deepEqual(encodeRaw('U64_HEX', '0x0123456789abcdef', 4), expected);
      assert.deepEqual(encodeRaw('U64_HEX', 0x0123456789abcdefn, 4), expected);
      assert.deepEqual(encodeRaw('U64_HEX', 65536, 4), [0, 0, 1, 0]);
      assert.deepEqual(encodeRaw('U64_HEX', '0xFF', 4), [0, 0, 0, 0xff]);
    });

    it('writes DATETIME_3 from its string form', () => {
      assert.deepEqual(encodeRaw('DATETIME_3', '2024-03-15T10:30:05', 3), [0x1803, 0x0f0a, 0x1e05]);
    });

    it('refuses a wrong word count for a fixed-size type', () => {
      assert.throws(() => encodeRaw('U16', 1, 2), /U16 takes 1 words, got 2/);
    });
  });

  describe('scaleToValue', () => {
    it('rounds to the decimals of the scale', () => {
      assert.equal(scaleToValue(23012, 0.01), 230.12);
      assert.equal(scaleToValue(-850, 0.001), -0.85);
      assert.equal(scaleToValue(3, 0.1), 0.3);
      assert.equal(scaleToValue(-17291, 10), -172910);
      assert.equal(scaleToValue(7, 0.5), 3.5);
    });

    it('never returns negative zero', () => {
      assert.ok(Object.is(scaleToValue(-0, 0.01), 0));
    });

    it('rejects a scale that is not a positive finite number', () => {
      assert.throws(() => scaleToValue(1, 0), /scale 0/);
      assert.throws(() => scaleToValue(1, -0.01), /scale -0\.01/);
      assert.throws(() => scaleToValue(Number.NaN, 1), /NaN/);
    });
  });

  describe('decodeField / encodeField', () => {
    const voltage = makeField({ key: 'u12', type: 'U32', words: 2, unit: 'V', scale: 0.01 });
    const powerFactor = makeField({ key: 'pf', type: 'S16', unit: '', scale: 0.001 });
    const activePower = makeField({ key: 'p', type: 'S32', words: 2, unit: 'W', scale: 10 });
    const ctPrimary = makeField({ key: 'ctPrimary', type: 'U8', unit: 'A', min: 1, max: 10000 });
    const networkType = makeField({
      key: 'networkType',
      type: 'U8',
      enumValues: { 0: '1BL', 1: '2BL', 2: '3BL', 3: '3NBL', 4: '4BL', 5: '4NBL', 6: '2NBL' },
    });
    const resetMask = makeField({
      key: 'reset',
      type: 'U16',
      bits: { 0: 'maxAvgCurrents', 1: 'maxAvgPower', 6: 'hourMeter', 12: 'all' },
    });
    const retrofit = makeField({ key: 'retrofit', type: 'U8', flag: true });
    const energySplit = makeField({ key: 'eaSplit', type: 'U16', words: 2, unit: 'kWh', split10000: true });

    it('scales 23012 by 0.01 to exactly 230.12 V and back', () => {
      assert.equal(decodeField(voltage, [0, 23012]), 230.12);
      assert.deepEqual(encodeChecked(voltage, 230.12), [0, 23012]);
    });

    it('gives a negative (leading) power factor from an S16 with scale 0.001', () => {
      assert.equal(decodeField(powerFactor, [0xfcae]), -0.85);
      assert.deepEqual(encodeChecked(powerFactor, -0.85), [0xfcae]);
    });

    it('scales a negative S32 power by 10 W', () => {
      assert.equal(decodeField(activePower, [0xfffd, 0x5c89]), -1729190);
      assert.deepEqual(encodeChecked(activePower, -1729190), [0xfffd, 0x5c89]);
    });

    it('decodes enum codes to names and unknown codes to the number', () => {
      assert.equal(decodeField(networkType, [5]), '4NBL');
      assert.equal(decodeField(networkType, [9]), 9);
    });

    it('encodes enum names case-insensitively and ignoring spaces, or their raw code', () => {
      assert.deepEqual(encodeChecked(networkType, '4NBL'), [5]);
      assert.deepEqual(encodeChecked(networkType, ' 4 nbl'), [5]);
      assert.deepEqual(encodeChecked(networkType, 6), [6]);
    });

    it('refuses an unknown enum name or code and lists the allowed names', () => {
      assertCodecError(() => encodeChecked(networkType, '5BL'), 'networkType', /"5BL"/, /"1BL"/, /"2NBL"/);
      assertCodecError(() => encodeChecked(networkType, 9), 'networkType', /\b9\b/, /"4NBL"/);
      assertCodecError(() => encodeChecked(networkType, '5'), 'networkType', /"5"/);
    });

    it('decodes flags as booleans and encodes booleans or 0/1', () => {
      assert.equal(decodeField(retrofit, [0]), false);
      assert.equal(decodeField(retrofit, [1]), true);
      assert.equal(decodeField(retrofit, [7]), true);
      assert.deepEqual(encodeChecked(retrofit, true), [1]);
      assert.deepEqual(encodeChecked(retrofit, false), [0]);
      assert.deepEqual(encodeChecked(retrofit, 1), [1]);
      assertCodecError(() => encodeChecked(retrofit, 'true'), 'retrofit', /true\/false/);
      assertCodecError(() => encodeChecked(retrofit, 2), 'retrofit', /\b2\b/);
    });

    it('decodes bit fields to one boolean per named bit', () => {
      assert.deepEqual(decodeField(resetMask, [0x1041]), {
        maxAvgCurrents: true,
        maxAvgPower: false,
        hourMeter: true,
        all: true,
      });
    });

    it('encodes bit fields from a partial object (missing bits 0) or a number', () => {
      assert.deepEqual(encodeChecked(resetMask, { hourMeter: true }), [0x0040]);
      assert.deepEqual(encodeChecked(resetMask, { maxAvgCurrents: true, maxAvgPower: true, all: false }), [0x0003]);
      assert.deepEqual(encodeChecked(resetMask, 0x1000), [0x1000]);
    });

    it('refuses unknown bit names, non-boolean bits and numbers with undefined bits', () => {
      assertCodecError(() => encodeChecked(resetMask, { kWh: true }), 'reset', /"kWh"/, /hourMeter/);
      assertCodecError(() => encodeChecked(resetMask, { all: 1 }), 'reset', /"all"/, /true or false/);
      assertCodecError(() => encodeChecked(resetMask, 0x0080), 'reset', /0x80/);
    });

    it('joins the "<10 000" and ">10 000" words of a split counter', () => {
      assert.equal(decodeField(energySplit, [6789, 12345]), 123456789);
      assert.deepEqual(encodeChecked(energySplit, 123456789), [6789, 12345]);
      assert.deepEqual(encodeChecked(energySplit, 9999), [9999, 0]);
      assert.deepEqual(encodeChecked(energySplit, 10000), [0, 1]);
    });

    it('reads and writes the identification strings and the build date', () => {
      const productName = makeField({ key: 'productName', type: 'STRING_NORM', words: 8 });
      assert.equal(decodeField(productName, [0x4449, 0x5249, 0x5320, 0x4132, 0x3000, 0, 0, 0]), 'DIRIS A20');
      const buildDate = makeField({ key: 'buildDate', type: 'DATETIME_3', words: 3 });
      assert.equal(decodeField(buildDate, [0x1803, 0x0f0a, 0x1e05]), '2024-03-15T10:30:05');
      assert.deepEqual(decodeField(buildDate, [0xffff, 0xffff, 0xffff]), [0xffff, 0xffff, 0xffff]);
      assertCodecError(() => encodeChecked(buildDate, '2024-02-30T00:00:00'), 'buildDate', /2024-02-30/);
    });

    it('scales each element of a U32[] array', () => {
      const ctList = makeField({ key: 'ctList', type: 'U32[]', words: 4, unit: 'A', scale: 0.001 });
      assert.deepEqual(decodeField(ctList, [0, 5000, 1, 0]), [5, 65.536]);
      assert.deepEqual(encodeChecked(ctList, [5, 65.536]), [0, 5000, 1, 0]);
      assertCodecError(() => encodeChecked(ctList, [5]), 'ctList', /2 numbers/);
      assertCodecError(() => encodeChecked(ctList, [5, 0.0005]), 'ctList', /element 1/, /0\.0005/);
    });

    it('names field, value and unit when a value is not a multiple of the scale', () => {
      assertCodecError(() => encodeChecked(ctPrimary, 12.5), 'ctPrimary', /12\.5 is not a multiple of 1 A/);
      assertCodecError(() => encodeChecked(voltage, 230.125), 'u12', /230\.125/, /0\.01 V/);
    });

    it('names the allowed range, in the field unit, when a value is out of range', () => {
      assertCodecError(() => encodeChecked(ctPrimary, 0), 'ctPrimary', /\b0 A is out of range 1\.\.10000 A/);
      assertCodecError(() => encodeChecked(ctPrimary, 10001), 'ctPrimary', /10001/, /1\.\.10000/);
      assertCodecError(() => encodeChecked(powerFactor, 33), 'pf', /33/, /-32\.768\.\.32\.767/);
      assert.deepEqual(encodeChecked(ctPrimary, 999), [999]);
    });

    it('refuses numeric strings, NaN, Infinity and other non-numbers for numeric fields', () => {
      assertCodecError(() => encodeChecked(ctPrimary, '230'), 'ctPrimary', /expected a number/, /string "230"/);
      assertCodecError(() => encodeChecked(ctPrimary, Number.NaN), 'ctPrimary', /NaN/);
      assertCodecError(() => encodeChecked(ctPrimary, Number.POSITIVE_INFINITY), 'ctPrimary', /Infinity/);
      assertCodecError(() => encodeChecked(ctPrimary, null), 'ctPrimary', /null/);
      assertCodecError(() => encodeChecked(ctPrimary, undefined), 'ctPrimary', /undefined/);
    });

    it('refuses strings that do not fit or are not ASCII', () => {
      const vendor = makeField({ key: 'vendorName', type: 'STRING_NORM', words: 2 });
      assertCodecError(() => encodeChecked(vendor, 'SOCOMEC'), 'vendorName', /"SOCOMEC"/, /at most 4/);
      assertCodecError(() => encodeChecked(vendor, 'Réz'), 'vendorName', /"é"/, /ASCII/);
      assertCodecError(() => encodeChecked(vendor, 42), 'vendorName', /expected a string/);
      assert.deepEqual(encodeChecked(vendor, 'SO'), [0x534f, 0]);
      assert.deepEqual(encodeChecked(makeField({ key: 'sig', type: 'STRING_16', words: 4 }), 'SOCO'), ascii('SOCO'));
    });

    it('encodes U64_HEX from its decoded form and refuses imprecise numbers', () => {
      const code = makeField({ key: 'productCode', type: 'U64_HEX', words: 4 });
      assert.equal(decodeField(code, [0xdead, 0xbeef, 0, 1]), '0xDEADBEEF00000001');
      assert.deepEqual(encodeChecked(code, '0xDEADBEEF00000001'), [0xdead, 0xbeef, 0, 1]);
      assertCodecError(() => encodeChecked(code, 2 ** 60), 'productCode', /safe/);
      assertCodecError(() => encodeChecked(code, '0x1FFFFFFFFFFFFFFFF'), 'productCode', /16 digits/);
      assertCodecError(() => encodeChecked(code, -1n), 'productCode', /-1n/);
    });

    it('refuses words whose count differs from the field definition', () => {
      assertCodecError(() => decodeField(voltage, [23012]), 'u12', /expected 2 words, got 1/);
      assertCodecError(() => decodeField(ctPrimary, [0x10000]), 'ctPrimary', /65536/);
    });
  });
});
