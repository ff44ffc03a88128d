import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { DataType, FieldDef } from '../../src/registers/types';
import { decodeField, scaleToValue } from '../../src/codec';
import { assertCodecError, encodeChecked, makeField } from '../helpers/codec-fixtures';

const word = fc.integer({ min: 0, max: 0xffff });
/** Any integer min..max, including beyond fc.integer's 32-bit range. */
const intBetween = (min: number, max: number): fc.Arbitrary<number> =>
  fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);
const words = (count: number): fc.Arbitrary<number[]> => fc.array(word, { minLength: count, maxLength: count });

/** Integer types: words per value and the raw range, as the device notes define them. */
const INTEGER_TYPES: ReadonlyArray<{ type: DataType; words: number; min: number; max: number }> = [
  { type: 'U8', words: 1, min: 0, max: 0xffff },
  { type: 'U8_HEX', words: 1, min: 0, max: 0xffff },
  { type: 'U16', words: 1, min: 0, max: 0xffff },
  { type: 'U16_HEX', words: 1, min: 0, max: 0xffff },
  { type: 'S16', words: 1, min: -0x8000, max: 0x7fff },
  { type: 'U32', words: 2, min: 0, max: 0xffffffff },
  { type: 'S32', words: 2, min: -0x80000000, max: 0x7fffffff },
];

const SCALES = [1, 10, 0.5, 0.1, 0.01, 0.001];

/** Anything a flow could send that is not a number (numeric strings included). */
const notANumber = fc.oneof(
  fc.string(),
  fc.integer().map(String),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

const notFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);

describe('codec properties', () => {
  for (const spec of INTEGER_TYPES) {
    for (const scale of SCALES) {
      describe(`${spec.type} x ${scale}`, () => {
        const field = makeField({ key: 'meterValue', type: spec.type, words: spec.words, scale, unit: 'V' });

        it('encode(decode(words)) gives the words back', () => {
          fc.assert(fc.property(words(spec.words), (input) => {
            assert.deepEqual(encodeChecked(field, decodeField(field, input)), input);
          }));
        });

        it('decode(encode(value)) gives the value back for every raw count', () => {
          fc.assert(fc.property(intBetween(spec.min, spec.max), (raw) => {
            const value = scaleToValue(raw, scale);
            assert.equal(decodeField(field, encodeChecked(field, value)), value);
          }));
        });

        it('refuses values outside the type range, naming the field', () => {
          const outside = fc.oneof(
            intBetween(spec.max + 1, spec.max * 4 + 4),
            intBetween(Math.min(spec.min, 0) * 4 - 4, spec.min - 1),
          );
          fc.assert(fc.property(outside, (raw) => {
            assertCodecError(() => encodeChecked(field, scaleToValue(raw, scale)), 'meterValue', /out of range/);
          }));
        });

        it('refuses values between two counts, naming the field', () => {
          fc.assert(fc.property(
            fc.integer({ min: Math.max(spec.min, -1e6), max: Math.min(spec.max, 1e6) - 1 }),
            fc.double({ min: 0.01, max: 0.99, noNaN: true }),
            (raw, fraction) => {
              const value = (raw + fraction) * scale;
              assertCodecError(() => encodeChecked(field, value), 'meterValue', /not a multiple/);
            },
          ));
        });

        it('refuses non-numbers and non-finite numbers, naming the field', () => {
          fc.assert(fc.property(fc.oneof(notANumber, notFinite), (value) => {
            assertCodecError(() => encodeChecked(field, value), 'meterValue');
          }));
        });
      });
    }
  }

  describe('min/max validation', () => {
    const bounds = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);

    it('accepts exactly the raw counts within field.min..field.max', () => {
      fc.assert(fc.property(bounds, fc.constantFrom(...SCALES), word, ([min, max], scale, raw) => {
        const field = makeField({ key: 'limited', type: 'U16', scale, min, max });
        const value = scaleToValue(raw, scale);
        if (raw >= min && raw <= max) {
          assert.deepEqual(encodeChecked(field, value), [raw]);
        } else {
          assertCodecError(() => encodeChecked(field, value), 'limited', /out of range/);
        }
      }));
    });
  });

  describe('enums', () => {
    const enumDefinition = fc.uniqueArray(
      fc.record({ raw: word, name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,7}$/) }),
      { minLength: 1, maxLength: 8, selector: (entry) => entry.name.toLowerCase() },
    ).filter((entries) => new Set(entries.map((e) => e.raw)).size === entries.length)
      .map((entries) => Object.fromEntries(entries.map((e) => [e.raw, e.name])) as Record<number, string>);

    const fieldOf = (enumValues: Record<number, string>): FieldDef =>
      makeField({ key: 'mode', type: 'U16', enumValues });

    it('round-trips every listed code through its name', () => {
      fc.assert(fc.property(enumDefinition, (enumValues) => {
        const field = fieldOf(enumValues);
        for (const [raw, name] of Object.entries(enumValues)) {
          assert.equal(decodeField(field, [Number(raw)]), name);
          assert.deepEqual(encodeChecked(field, name), [Number(raw)]);
        }
      }));
    });

    it('matches names whatever their case and spacing', () => {
      fc.assert(fc.property(enumDefinition, fc.boolean(), (enumValues, upper) => {
        const field = fieldOf(enumValues);
        for (const [raw, name] of Object.entries(enumValues)) {
          const variant = ` ${(upper ? name.toUpperCase() : name.toLowerCase()).split('').join(' ')} `;
          assert.deepEqual(encodeChecked(field, variant), [Number(raw)]);
        }
      }));
    });

    it('decodes unlisted codes to the number and refuses to encode them', () => {
      fc.assert(fc.property(enumDefinition, word, (enumValues, raw) => {
        fc.pre(!(raw in enumValues));
        const field = fieldOf(enumValues);
        assert.equal(decodeField(field, [raw]), raw);
        assertCodecError(() => encodeChecked(field, raw), 'mode', /is not one of/);
      }));
    });

    it('refuses names that are not listed, naming the field', () => {
      fc.assert(fc.property(enumDefinition, fc.string(), (enumValues, name) => {
        const normalize = (text: string): string => text.toLowerCase().replace(/\s+/g, '');
        fc.pre(!Object.values(enumValues).some((listed) => normalize(listed) === normalize(name)));
        assertCodecError(() => encodeChecked(fieldOf(enumValues), name), 'mode', /is not one of/);
      }));
    });
  });

  describe('flags', () => {
    const field = makeField({ key: 'enabled', type: 'U8', flag: true });

    it('reads any non-zero register as true and writes booleans as 1/0', () => {
      fc.assert(fc.property(word, (raw) => {
        const value = decodeField(field, [raw]);
        assert.equal(value, raw !== 0);
        assert.deepEqual(encodeChecked(field, value), [raw === 0 ? 0 : 1]);
      }));
    });

    it('refuses anything but booleans and 0/1, naming the field', () => {
      fc.assert(fc.property(fc.oneof(fc.string(), fc.integer({ min: 2 }), fc.integer({ max: -1 }), fc.constant(null)), (value) => {
        assertCodecError(() => encodeChecked(field, value), 'enabled', /true\/false/);
      }));
    });
  });

  describe('bit fields', () => {
    for (const { type, width } of [{ type: 'U16', width: 16 }, { type: 'U32', width: 32 }] as const) {
      const bitDefinition = fc.uniqueArray(fc.integer({ min: 0, max: width - 1 }), { minLength: 1, maxLength: width })
        .map((bitNumbers) => Object.fromEntries(bitNumbers.map((bit) => [bit, `bit${bit}Name`])) as Record<number, string>);
      const fieldOf = (bits: Record<number, string>): FieldDef =>
        makeField({ key: 'status', type, words: width / 16, bits });

      it(`${type}: a set of named bits survives object -> words -> object`, () => {
        fc.assert(fc.property(bitDefinition, fc.infiniteStream(fc.boolean()), (bits, coin) => {
          const field = fieldOf(bits);
          const partial: Record<string, boolean> = {};
          for (const name of Object.values(bits)) if (coin.next().value) partial[name] = true;
          const decoded = decodeField(field, encodeChecked(field, partial)) as Record<string, boolean>;
          for (const name of Object.values(bits)) assert.equal(decoded[name], partial[name] === true, name);
          // The full decoded object encodes to the same words as the partial one.
          assert.deepEqual(encodeChecked(field, decoded), encodeChecked(field, partial));
        }));
      });

      it(`${type}: a number is accepted only when it sets named bits alone`, () => {
        fc.assert(fc.property(bitDefinition, fc.integer({ min: 0, max: width - 1 }), (bits, bit) => {
          const field = fieldOf(bits);
          const value = 2 ** bit;
          if (bit in bits) {
            const expected = Object.fromEntries(Object.values(bits).map((name) => [name, name === bits[bit]]));
            assert.deepEqual(decodeField(field, encodeChecked(field, value)), expected);
          } else {
            assertCodecError(() => encodeChecked(field, value), 'status', /not defined/);
          }
        }));
      });
    }
  });

  describe('split10000 counters', () => {
    for (const scale of [1, 0.01]) {
      const field = makeField({ key: 'energySplit', type: 'U16', words: 2, split10000: true, scale });

      it(`x ${scale}: words [low < 10000, high] round-trip and mean high * 10000 + low`, () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), word, (low, high) => {
          const value = decodeField(field, [low, high]);
          assert.equal(value, scaleToValue(high * 10000 + low, scale));
          assert.deepEqual(encodeChecked(field, value), [low, high]);
        }));
      });

      it(`x ${scale}: refuses counts above 655359999 and negatives`, () => {
        fc.assert(fc.property(fc.oneof(intBetween(655360000, 2 ** 40), fc.integer({ min: -1e9, max: -1 })), (raw) => {
          assertCodecError(() => encodeChecked(field, scaleToValue(raw, scale)), 'energySplit', /out of range/);
        }));
      });
    }
  });

  describe('arrays', () => {
    for (const { type, elementWords, max } of [
      { type: 'U16[]', elementWords: 1, max: 0xffff },
      { type: 'U32[]', elementWords: 2, max: 0xffffffff },
    ] as const) {
      for (const scale of [1, 0.001]) {
        it(`${type} x ${scale}: words round-trip and each element is scaled`, () => {
          fc.assert(fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => words(n * elementWords)), (input) => {
            const field = makeField({ key: 'table', type, words: input.length, scale });
            const values = decodeField(field, input) as number[];
            assert.equal(values.length, input.length / elementWords);
            assert.deepEqual(encodeChecked(field, values), input);
          }));
        });

        it(`${type} x ${scale}: refuses a wrong length or a bad element, naming the field`, () => {
          fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), fc.oneof(intBetween(max + 1, max * 2).map((r) => r * scale), fc.constant(-scale), notANumber), (n, at, bad) => {
            const field = makeField({ key: 'table', type, words: n * elementWords, scale });
            assertCodecError(() => encodeChecked(field, new Array<number>(n + 1).fill(0)), 'table');
            const values: unknown[] = new Array<number>(n).fill(0);
            values[at % n] = bad;
            assertCodecError(() => encodeChecked(field, values), 'table', new RegExp(`element ${at % n}`));
          }));
        });
      }
    }
  });

  describe('strings', () => {
    /** Printable ASCII with no trailing space (trailing spaces are trimmed like padding). */
    const text = (maxLength: number): fc.Arbitrary<string> =>
      fc.string({ maxLength }).map((s) => s.trimEnd());

    for (const { type, charsPerWord } of [
      { type: 'STRING_16', charsPerWord: 1 },
      { type: 'STRING_NORM', charsPerWord: 2 },
    ] as const) {
      it(`${type}: decode(encode(text)) is the text for every text that fits`, () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), text(n * charsPerWord))), ([n, value]) => {
          const field = makeField({ key: 'name', type, words: n });
          assert.equal(decodeField(field, encodeChecked(field, value)), value);
        }));
      });

      it(`${type}: NUL-padded words round-trip`, () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), text(n * charsPerWord))), ([n, value]) => {
          // Build the wire form from the device notes: ASCII codes, NUL padded.
          const bytes = [...value].map((c) => c.charCodeAt(0));
          while (bytes.length < n * charsPerWord) bytes.push(0);
          const input = charsPerWord === 1 ? bytes : Array.from({ length: n }, (_, i) => bytes[2 * i] * 256 + bytes[2 * i + 1]);
          const field = makeField({ key: 'name', type, words: n });
          assert.deepEqual(encodeChecked(field, decodeField(field, input)), input);
        }));
      });

      it(`${type}: refuses text that is too long or not ASCII, naming the field`, () => {
        const nonAscii = fc.integer({ min: 0x80, max: 0xffff }).map((code) => String.fromCharCode(code));
        fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), text(8), nonAscii, (n, prefix, bad) => {
          const field = makeField({ key: 'name', type, words: n });
          const capacity = n * charsPerWord;
          assertCodecError(() => encodeChecked(field, prefix.padEnd(capacity + 1, 'x')), 'name', /at most/);
          assertCodecError(() => encodeChecked(field, prefix.slice(0, capacity - 1) + bad), 'name', /ASCII/);
        }));
      });
    }
  });

  describe('U64_HEX', () => {
    const field = makeField({ key: 'code', type: 'U64_HEX', words: 4 });

    it('words round-trip through the hex string', () => {
      fc.assert(fc.property(words(4), (input) => {
        const value = decodeField(field, input);
        assert.match(String(value), /^0x[0-9A-F]{16}$/);
        assert.deepEqual(encodeChecked(field, value), input);
      }));
    });

    it('any 64-bit bigint decodes to its own value', () => {
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (value) => {
        assert.equal(BigInt(decodeField(field, encodeChecked(field, value)) as string), value);
      }));
    });

    it('refuses values outside 0..2^64-1 and unsafe numbers, naming the field', () => {
      fc.assert(fc.property(fc.oneof(
        fc.bigInt({ min: 1n << 64n, max: 1n << 80n }),
        fc.bigInt({ min: -(1n << 64n), max: -1n }),
        fc.double({ min: 2 ** 53, max: 2 ** 70 }),
        fc.integer({ max: -1 }),
        notFinite,
      ), (value) => {
        assertCodecError(() => encodeChecked(field, value), 'code');
      }));
    });
  });

  describe('DATETIME_3', () => {
    const field = makeField({ key: 'buildDate', type: 'DATETIME_3', words: 3 });
    const pad = (n: number): string => String(n).padStart(2, '0');
    const validDate = fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2255, 11, 31, 23, 59, 59)), noInvalidDate: true })
      .map((d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`);

    it('any 3 words round-trip, whether they decode to a date or fall back to the words', () => {
      fc.assert(fc.property(words(3), (input) => {
        assert.deepEqual(encodeChecked(field, decodeField(field, input)), input);
      }));
    });

    it('every date 2000..2255 round-trips through its string', () => {
      fc.assert(fc.property(validDate, (value) => {
        assert.equal(decodeField(field, encodeChecked(field, value)), value);
      }));
    });

    it('refuses malformed date strings, naming the field', () => {
      fc.assert(fc.property(fc.string(), (value) => {
        fc.pre(!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}$/.test(value));
        assertCodecError(() => encodeChecked(field, value), 'buildDate');
      }));
    });
  });
});
