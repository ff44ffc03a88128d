import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { MAX_READ_REGISTERS } from '../../src/modbus/limits';
import { planReads, type WantedField } from '../../src/planner';
import type { BlockDef, FieldDef } from '../../src/registers';

/** A readable block at `start` holding fields of the given sizes, with gaps before each. */
function makeBlock(id: string, start: number, layout: ReadonlyArray<{ gap: number; words: number }>): { block: BlockDef; fields: FieldDef[] } {
  let address = start;
  const fields: FieldDef[] = [];
  for (const [i, { gap, words }] of layout.entries()) {
    address += gap;
    fields.push({ key: `${id}f${i}`, address, words, type: words === 1 ? 'U16' : 'U32', label: `field ${i}` } as FieldDef);
    address += words;
  }
  const size = address - start + 3;
  const block = { id, start, size, fields, lockedAccess: ['READ'], unlockedAccess: ['READ'] } as unknown as BlockDef;
  return { block, fields };
}

/** The fewest requests that cover `fields` (sorted, disjoint), each at most `max` registers: every split of the sorted list tried. */
function bruteForceOptimum(fields: readonly FieldDef[], max: number): number {
  const n = fields.length;
  if (n === 0) return 0;
  let best = Infinity;
  for (let cuts = 0; cuts < 1 << (n - 1); cuts++) {
    let groups = 1;
    let groupStart = fields[0].address;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      if (i > 0 && cuts & (1 << (i - 1))) {
        groups++;
        groupStart = fields[i].address;
      }
      if (fields[i].address + fields[i].words - groupStart > max) ok = false;
    }
    if (ok) best = Math.min(best, groups);
  }
  return best;
}

const layout = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 60 }), words: fc.constantFrom(1, 2, 2, 4) }), { minLength: 1, maxLength: 11 });

describe('planner properties', () => {
  it('plans the fewest requests (against a brute-force optimum), never across a block end, never past the limit', () => {
    fc.assert(
      fc.property(
        fc.array(layout, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 4, max: MAX_READ_REGISTERS }),
        fc.infiniteStream(fc.boolean()),
        (layouts, maxRegisters, wantStream) => {
          // Blocks back to back: a request running past one block's end would land in the next.
          let start = 40000;
          const blocks = layouts.map((l, i) => {
            const made = makeBlock(`b${i}`, start, l);
            start += made.block.size;
            return made;
          });
          const wanted: WantedField[] = [];
          for (const { block, fields } of blocks) for (const field of fields) if (wantStream.next().value) wanted.push({ block, field });
          const plan = planReads(wanted, { maxRegisters });

          let optimum = 0;
          for (const { block } of blocks) {
            const mine = wanted.filter((w) => w.block === block).map((w) => w.field);
            optimum += bruteForceOptimum(mine, maxRegisters);
          }
          assert.equal(plan.length, optimum, `${plan.length} requests where ${optimum} suffice`);
          for (const request of plan) {
            assert.ok(request.count <= maxRegisters, `a request of ${request.count} registers (max ${maxRegisters})`);
            assert.ok(request.address >= request.block.start && request.address + request.count <= request.block.start + request.block.size, `request ${request.address}+${request.count} crosses the end of ${request.block.id}`);
          }
          for (const { block, field } of wanted) {
            const covering = plan.filter((r) => r.block === block && r.fields.includes(field));
            assert.equal(covering.length, 1, `${field.key} is read by ${covering.length} requests`);
            assert.ok(field.address >= covering[0].address && field.address + field.words <= covering[0].address + covering[0].count, `${field.key} is not inside the request that claims it`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never reads more than the protocol limit with the default options', () => {
    fc.assert(
      fc.property(layout, layout, (a, b) => {
        const { block, fields } = makeBlock('big', 1000, [...a, ...b, ...a, ...b]);
        const plan = planReads(fields.map((field) => ({ block, field })));
        for (const request of plan) assert.ok(request.count <= MAX_READ_REGISTERS, `a request of ${request.count} registers`);
        assert.equal(plan.flatMap((r) => r.fields).length, fields.length, 'every field is read once');
      }),
      { numRuns: 200 },
    );
  });
});
