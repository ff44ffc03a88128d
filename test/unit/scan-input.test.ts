/** What the scan endpoint takes as unit ids, and the timeout each id may cost. */
import assert from 'node:assert/strict';
import { MAX_UNIT_ID_LIST_CHARS, parseUnitIdList, scanTimeoutMs } from '../../src/nodes/connection-settings';

describe('scan input: the unit id list', () => {
  it('takes ranges, lists, arrays and { from, to }; 1..10 when given nothing', () => {
    assert.deepEqual(parseUnitIdList('1-3, 20'), [1, 2, 3, 20]);
    assert.deepEqual(parseUnitIdList(' 5 - 7 ;2,2\t9 '), [2, 5, 6, 7, 9]);
    assert.deepEqual(parseUnitIdList('4 -6'), [4, 5, 6]);
    assert.deepEqual(parseUnitIdList([7, '3', 7]), [3, 7]);
    assert.deepEqual(parseUnitIdList(undefined, { from: '240', to: 247 }), [240, 241, 242, 243, 244, 245, 246, 247]);
    assert.deepEqual(parseUnitIdList(undefined), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(parseUnitIdList('   '), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(parseUnitIdList('1-247').length, 247);
  });

  it('refuses what is not a unit id, naming it', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['1-300', /unit id "1-300" is not an integer 1\.\.247/],
      ['0', /unit id "0" is not an integer 1\.\.247/],
      ['0x5', /unit id "0x5" is not an integer/],
      ['1e0', /unit id "1e0" is not an integer/],
      ['5.5', /unit id "5\.5" is not an integer/],
      ['-5', /unit id "-5" is not an integer/],
      ['1--3', /unit id "1--3" is not an integer/],
      ['9-3', /unit id range "9-3" ends before it starts/],
      [[5, 'x'], /unit id "x" is not an integer/],
      [[2.5], /unit id 2\.5 is not an integer/],
      [undefined, /unit id "1\.\.300" is not an integer/],
      [['7', 'x'.repeat(100_000)], /unit id "x{24}…" is not an integer 1\.\.247$/],
      [[Object.create(null)], /unit id \(an object\) is not an integer/],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseUnitIdList(input, input === undefined ? { from: 1, to: '300' } : undefined), message, String(message));
    }
    assert.throws(() => parseUnitIdList(undefined, { from: Object.create(null) as object, to: 5 }), /unit id "\(an object\)\.\.5" is not an integer/);
  });

  it('refuses an over-long list at once: 146 KB of spaces between two ids returns in well under a second', () => {
    const hostile = `1${' '.repeat(146_000)}2`;
    const started = process.hrtime.bigint();
    assert.throws(() => parseUnitIdList(hostile), /the unit id list is too long \(146002 characters, at most 2048\)/);
    assert.throws(() => parseUnitIdList(' '.repeat(5_000_000)), /too long/);
    assert.throws(() => parseUnitIdList(new Array(248).fill(5)), /too many unit ids: 248 given, at most 247/);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(elapsedMs < 1000, `took ${elapsedMs.toFixed(0)} ms`);
  });

  it('parses the longest list it takes in linear time: every id written out, and spaces up to the limit', () => {
    const everyId = Array.from({ length: 247 }, (_, i) => String(i + 1)).join(', ');
    assert.ok(everyId.length <= MAX_UNIT_ID_LIST_CHARS, `${everyId.length} characters`);
    const started = process.hrtime.bigint();
    assert.equal(parseUnitIdList(everyId).length, 247);
    const spaced = `1${' '.repeat(MAX_UNIT_ID_LIST_CHARS - 6)}- 2 x`;
    assert.throws(() => parseUnitIdList(spaced), /unit id "x"/);
    assert.deepEqual(parseUnitIdList(`1${' '.repeat(MAX_UNIT_ID_LIST_CHARS - 4)}- 2`), [1, 2]);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(elapsedMs < 1000, `took ${elapsedMs.toFixed(0)} ms`);
  });
});

describe('scan input: the timeout per unit id', () => {
  it('is the connection\'s, capped at 500 ms over TCP and at the meter\'s time plus the longest reply on the wire over serial', () => {
    assert.equal(scanTimeoutMs({ transport: 'tcp', timeoutMs: 60_000 }), 500);
    assert.equal(scanTimeoutMs({ transport: 'rtu-over-tcp', timeoutMs: 60_000 }), 500);
    assert.equal(scanTimeoutMs({ transport: 'tcp', timeoutMs: 200 }), 200);
    // 263 bytes of 11 bits: 301 ms at 9600 baud, 1206 ms at 2400, 75 ms at 38400; plus 250 ms.
    assert.equal(scanTimeoutMs({ transport: 'rtu', baudRate: 9600, timeoutMs: 60_000 }), 552);
    assert.equal(scanTimeoutMs({ transport: 'rtu', baudRate: 2400, timeoutMs: 60_000 }), 1456);
    assert.equal(scanTimeoutMs({ transport: 'rtu', baudRate: 38400, timeoutMs: 60_000 }), 326);
    assert.equal(scanTimeoutMs({ transport: 'rtu', baudRate: 9600, timeoutMs: 300 }), 300);
  });
});
