import assert from 'node:assert/strict';
import { BLOCKS, blockAt, fieldAt, getField } from '../../src/registers';
import { readFileSync } from 'node:fs';
import { parseRegisterTable, TABLE_PATH } from '../helpers/register-table';

const KIND_NAMES: Record<string, string> = { Info: 'info', Settings: 'settings', Commands: 'commands' };
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONTRACT_KEYS = new Set(
  'U12 U23 U31 V1 V2 V3 F I1 I2 I3 In P Q S PF P1 P2 P3 Q1 Q2 Q3 S1 S2 S3 PF1 PF2 PF3 EaPos ErPos Es EaNeg ErNeg'.split(' '),
);

describe('register map against the table we were given', () => {
  const table = parseRegisterTable();

  it('parses every block and row of the table (guards the parser itself)', () => {
    const text = readFileSync(TABLE_PATH, 'utf8');
    const headerCount = text.split('\n').filter((l) => l.startsWith('| Dec start address')).length;
    const rowCount = text.split('\n').filter((l) => /^\| \d+ \| \d+ \|/.test(l)).length;
    assert.equal(table.length, headerCount);
    assert.equal(table.reduce((n, b) => n + b.rows.length, 0), rowCount);
    for (const b of table) assert.ok(b.rows.length > 0, `block ${b.start} has no rows`);
  });

  it('has every block of the table, with the same start, size, kind, lock level and access', () => {
    assert.equal(BLOCKS.length, table.length, 'block count differs from the table');
    for (const t of table) {
      const block = BLOCKS.find((b) => b.start === t.start);
      assert.ok(block, `block ${t.start} is missing from the map`);
      assert.equal(block.size, t.size, `block ${t.start} size`);
      assert.equal(block.kind, KIND_NAMES[t.kind], `block ${t.start} kind`);
      assert.equal(block.lockLevel, t.lockLevel, `block ${t.start} lock level`);
      assert.deepEqual([...block.lockedAccess], t.lockedAccess, `block ${t.start} locked access`);
      assert.deepEqual([...block.unlockedAccess], t.unlockedAccess, `block ${t.start} unlocked access`);
    }
  });

  it('has every row of the table at the same address, with the same word count and data type', () => {
    for (const t of table) {
      const block = BLOCKS.find((b) => b.start === t.start)!;
      const rowAddresses = new Set(t.rows.map((r) => r.address));
      for (let i = 0; i < t.rows.length; i++) {
        const row = t.rows[i];
        const covering = block.fields.find((f) => row.address >= f.address && row.address < f.address + f.words);
        assert.ok(covering, `row ${row.address} of block ${t.start} is missing`);
        if (covering.address === row.address && !covering.tableRows) {
          assert.equal(covering.words, row.words, `row ${row.address} word count`);
        } else {
          // A field standing for several consecutive rows (the legacy split counters).
          assert.ok(covering.tableRows && covering.tableRows > 1, `row ${row.address} is inside field ${covering.key} that does not start there`);
          assert.equal(covering.words, covering.tableRows * row.words, `field ${covering.key} spans its rows`);
        }
        if (row.type !== '') assert.equal(covering.type, row.type, `row ${row.address} data type`);
        if (row.description === '') assert.ok(covering.reserved || covering.note, `blank row ${row.address} must be reserved or explained`);
      }
      for (const f of block.fields) {
        assert.ok(rowAddresses.has(f.address), `field ${block.id}.${f.key} at ${f.address} is not a row of the table`);
      }
    }
  });

  it('keeps every field inside its block, without overlaps, with unique valid keys', () => {
    for (const block of BLOCKS) {
      const keys = new Set<string>();
      let next = block.start;
      for (const f of block.fields) {
        assert.ok(f.address >= next, `${block.id}.${f.key} overlaps the field before it`);
        assert.ok(f.address + f.words <= block.start + block.size, `${block.id}.${f.key} runs past the block end`);
        assert.ok(IDENTIFIER.test(f.key), `${block.id}.${f.key} is not a valid identifier`);
        assert.ok(CONTRACT_KEYS.has(f.key) || /^[a-z]/.test(f.key), `${block.id}.${f.key} must be lowerCamelCase`);
        assert.ok(!keys.has(f.key), `${block.id}.${f.key} is not unique in its block`);
        keys.add(f.key);
        next = f.address + f.words;
      }
    }
  });

  it('has no two blocks overlapping', () => {
    const sorted = [...BLOCKS].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const before = sorted[i - 1];
      assert.ok(before.start + before.size <= sorted[i].start, `${before.id} overlaps ${sorted[i].id}`);
    }
  });

  it('uses the contract keys and the units the device notes give', () => {
    const expect = (blockId: string, key: string, unit: string, scale?: number) => {
      const f = getField(blockId, key);
      assert.equal(f.unit, unit, `${blockId}.${key} unit`);
      if (scale !== undefined) assert.equal(f.scale, scale, `${blockId}.${key} scale`);
    };
    expect('instantaneous', 'U12', 'V', 0.01);
    expect('instantaneous', 'I1', 'A', 0.001);
    expect('instantaneous', 'P', 'W', 10);
    expect('instantaneous', 'PF', '', 0.001);
    expect('instantaneous', 'hourMeter', 'h', 0.01);
    expect('energies', 'EaPos', 'kWh', 1);
    expect('energies', 'ErNeg', 'kvarh', 1);
    expect('energies', 'Es', 'kVAh', 1);
    expect('maxAvg', 'maxAvgPPos', 'W', 10);
    expect('harmonics', 'thdIn', '%', 0.1);
    expect('instantaneous16', 'totalEaNeg', 'MWh', 1);
    expect('legacy32', 'I1', 'A', 0.001);
  });

  it('finds fields by address', () => {
    assert.equal(fieldAt(50528)?.field.key, 'I1');
    assert.equal(fieldAt(50529)?.field.key, 'I1');
    assert.equal(blockAt(57856)?.id, 'actions');
    assert.equal(fieldAt(1836)?.field.key, 'EaPos');
    assert.equal(blockAt(60000), undefined);
  });

  it('marks only settings and commands writable, and block 0 and industrialization factory-only', () => {
    for (const block of BLOCKS) {
      for (const f of block.fields) {
        if (block.kind === 'info') assert.equal(f.writable, false, `${block.id}.${f.key}`);
        if (f.reserved) assert.equal(f.writable, false, `${block.id}.${f.key}`);
      }
      assert.equal(block.factoryOnly, block.start === 0 || block.start === 36816, `${block.id} factoryOnly`);
    }
  });
});
