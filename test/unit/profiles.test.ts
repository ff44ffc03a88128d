import assert from 'node:assert/strict';
import { BLOCKS, DIRIS_A20, PROFILES, getProfile, profileBlock, profileForName, type MeterProfile } from '../../src/registers';
import { parseSocomecTable, tableScale, type SocomecTableBlock } from '../helpers/socomec-table';

const KIND_NAMES: Record<string, string> = { Info: 'info', Settings: 'settings', Commands: 'commands' };
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONTRACT_KEYS = new Set(
  'U12 U23 U31 V1 V2 V3 F I1 I2 I3 In P Q S PF P1 P2 P3 Q1 Q2 Q3 S1 S2 S3 PF1 PF2 PF3 EaPos ErPos Es EaNeg ErNeg'.split(' '),
);
const RESERVED_TEXT = /^(reserved|r\?serv|$)/i;

/** The published tables each profile follows (E23 and E24 are one table). */
const TABLES: Record<string, string[]> = {
  A10: ['diris-a-10.md'],
  A14: ['diris-a14.md'],
  E14: ['countis-e14.md'],
  E23: ['countis-e23.md', 'countis-e24.md'],
  E34: ['countis-e34-e44.md'],
};

function checkBlockAgainstTable(profile: MeterProfile, t: SocomecTableBlock): void {
  const where = `${profile.id} block ${t.start} (${t.title})`;
  const block = profile.blocks.find((b) => b.start === t.start)!;
  assert.equal(block.size, t.size, `${where} size`);
  assert.equal(block.kind, KIND_NAMES[t.kind], `${where} kind`);
  assert.equal(block.lockLevel, t.lockLevel, `${where} lock level`);
  assert.deepEqual([...block.lockedAccess], t.lockedAccess, `${where} locked access`);
  assert.deepEqual([...block.unlockedAccess], t.unlockedAccess, `${where} unlocked access`);
  const rowAddresses = new Set(t.rows.map((r) => r.address));
  for (const row of t.rows) {
    const covering = block.fields.find((f) => row.address >= f.address && row.address < f.address + f.words);
    assert.ok(covering, `${where}: row ${row.address} is missing`);
    if (covering.address === row.address && !covering.tableRows) assert.equal(covering.words, row.words, `${where}: row ${row.address} word count`);
    else assert.ok(covering.tableRows && covering.tableRows > 1, `${where}: row ${row.address} is inside ${covering.key}`);
    if (row.type !== '' && !covering.reserved && !covering.note?.includes('table says')) {
      assert.equal(covering.type, row.type, `${where}: row ${row.address} data type`);
    }
    const blank = RESERVED_TEXT.test(row.description.trim());
    if (blank) assert.ok(covering.reserved || covering.note, `${where}: reserved row ${row.address} must be reserved or explained (${covering.key})`);
    else assert.ok(!covering.reserved, `${where}: row ${row.address} "${row.description.slice(0, 40)}" has a value but the profile reserves it`);
    // Scales against the Unit column: the profile's unit and scale, unless a note says why not.
    // (Calibration blocks put "A" on action codes and coefficient arrays: no unit to follow there.)
    const stated = block.category === 'industrialization' ? undefined : tableScale(row.unit);
    if (stated && row.unit.trim() !== '-' && !covering.reserved && covering.address === row.address && !covering.note && !covering.enumValues && !covering.bits && !covering.flag) {
      const [unit, scale] = stated;
      if (unit !== '' || covering.scale !== undefined) {
        assert.equal(covering.unit, unit, `${where}: ${covering.key} unit (table "${row.unit}")`);
        assert.ok(Math.abs((covering.scale ?? 1) - scale) < 1e-12, `${where}: ${covering.key} scale ${covering.scale} vs table "${row.unit}" = ${scale}`);
      }
    }
  }
  for (const f of block.fields) assert.ok(rowAddresses.has(f.address), `${where}: field ${f.key} at ${f.address} is not a row of the table`);
}

describe('meter profiles against their published tables', () => {
  for (const [id, files] of Object.entries(TABLES)) {
    for (const file of files) {
      describe(`${getProfile(id).name} (${file})`, () => {
        const profile = getProfile(id);
        const table = parseSocomecTable(file);

        it('parses the table (guards the parser)', () => {
          assert.ok(table.length >= 8, `${file}: only ${table.length} blocks`);
          for (const t of table) assert.ok(t.rows.length > 0, `${file}: block ${t.start} has no rows`);
        });

        it('maps every block of the table, or says why it leaves it out', () => {
          for (const t of table) {
            const mapped = profile.blocks.some((b) => b.start === t.start);
            const left = profile.unmapped.some((u) => u.start === t.start);
            assert.ok(mapped !== left, `${id}: block ${t.start} (${t.title}) is ${mapped ? 'both mapped and listed as unmapped' : 'neither mapped nor listed as unmapped'}`);
          }
          for (const b of profile.blocks) assert.ok(table.some((t) => t.start === b.start), `${id}: block ${b.id} at ${b.start} is not in the table`);
        });

        it('has every row of every mapped block at its address, with its word count, data type and scale', () => {
          for (const t of table) if (profile.blocks.some((b) => b.start === t.start)) checkBlockAgainstTable(profile, t);
        });
      });
    }
  }

  it('keeps the DIRIS A-20 profile the map itself, unchanged for A-20 users', () => {
    assert.equal(DIRIS_A20.blocks, BLOCKS);
  });

  it('keeps every profile\'s fields inside their blocks, without overlaps, with unique valid keys and unique block ids', () => {
    for (const profile of PROFILES) {
      const ids = new Set<string>();
      for (const block of profile.blocks) {
        assert.ok(!ids.has(block.id), `${profile.id}: block id ${block.id} twice`);
        ids.add(block.id);
        const keys = new Set<string>();
        let next = block.start;
        for (const f of block.fields) {
          const where = `${profile.id} ${block.id}.${f.key}`;
          assert.ok(f.address >= next, `${where} overlaps the field before it`);
          assert.ok(f.address + f.words <= block.start + block.size, `${where} runs past the block end`);
          assert.ok(IDENTIFIER.test(f.key) && (CONTRACT_KEYS.has(f.key) || /^[a-z]/.test(f.key)), `${where} is not a valid lowerCamelCase key`);
          assert.ok(!keys.has(f.key), `${where} is not unique`);
          keys.add(f.key);
          next = f.address + f.words;
          if (block.kind === 'info' || f.reserved) assert.equal(f.writable, false, where);
        }
      }
    }
  });

  it('follows each model\'s codings where they differ', () => {
    const a10Ct = profileBlock(getProfile('A10'), 'applicationSettings')!.fields.find((f) => f.key === 'ctSecondary')!;
    assert.deepEqual(a10Ct.numericCodes, { 0: 1, 5: 5 });
    const a10Pulse = profileBlock(getProfile('A10'), 'applicationSettings')!.fields.find((f) => f.key === 'pulseOutputAllocation')!;
    assert.equal(Object.keys(a10Pulse.enumValues!).length, 7);
    assert.equal(profileBlock(getProfile('E14'), 'reset')!.start, 57888);
    assert.equal(profileBlock(getProfile('A20'), 'reset')!.start, 1024);
    assert.equal(profileBlock(getProfile('A10'), 'instantaneous')!.size, 74);
    assert.equal(profileBlock(getProfile('A10'), 'options')!.size, 1);
    // Every reset register a profile names is a field of one of its command blocks.
    for (const profile of PROFILES) {
      for (const [name, targets] of Object.entries(profile.resets)) {
        for (const t of targets) {
          const block = profile.blocks.find((b) => b.kind === 'commands' && t.address >= b.start && t.address < b.start + b.size);
          assert.ok(block?.fields.some((f) => f.address === t.address && !f.reserved), `${profile.id} reset ${name} at ${t.address} is not a command register`);
        }
      }
    }
  });

  it('identifies models from product and extended names as Socomec writes them', () => {
    assert.equal(profileForName('DIRIS A10')?.id, 'A10');
    assert.equal(profileForName('', 'diris a-10')?.id, 'A10');
    assert.equal(profileForName('DIRIS A20')?.id, 'A20');
    assert.equal(profileForName('DIRIS A14')?.id, 'A14');
    assert.equal(profileForName('COUNTIS E24')?.id, 'E23');
    assert.equal(profileForName('Countis E44')?.id, 'E34');
    assert.equal(profileForName('COUNTIS E14')?.id, 'E14');
    assert.equal(profileForName('DIRIS B-30'), undefined);
    assert.equal(profileForName('DIRIS A40'), undefined);
    assert.equal(profileForName('COUNTIS E13'), undefined, 'no published table: no guess');
  });
});
