import assert from 'node:assert/strict';
import { getBlock, visibleFields, type BlockDef } from '../../src/registers';
import { MAX_READ_REGISTERS, planReads, planWrites, plannedRegisterCount, type ReadRequest } from '../../src/planner';

const wantBlock = (id: string) => visibleFields(getBlock(id)).map((field) => ({ block: getBlock(id), field }));

function assertCovers(requests: ReadRequest[], wanted: { block: BlockDef; field: { address: number; words: number; key: string } }[]) {
  for (const { block, field } of wanted) {
    const r = requests.find((q) => q.block === block && field.address >= q.address && field.address + field.words <= q.address + q.count);
    assert.ok(r, `${block.id}.${field.key} is not covered by any request`);
  }
  for (const r of requests) {
    assert.ok(r.count <= MAX_READ_REGISTERS, `request at ${r.address} reads ${r.count} registers`);
    assert.ok(r.address >= r.block.start && r.address + r.count <= r.block.start + r.block.size, `request at ${r.address} crosses block ${r.block.id}`);
  }
}

describe('read planner', () => {
  it('reads all instantaneous values in one request', () => {
    const wanted = wantBlock('instantaneous');
    const plan = planReads(wanted);
    assert.equal(plan.length, 1);
    assert.equal(plan[0].address, 50512);
    assert.equal(plan[0].count, 80);
    assertCovers(plan, wanted);
  });

  it('reads instantaneous + energies + max/avg + harmonics in 4 requests, each within its block', () => {
    const wanted = [...wantBlock('instantaneous'), ...wantBlock('energies'), ...wantBlock('maxAvg'), ...wantBlock('harmonics')];
    const plan = planReads(wanted);
    assert.equal(plan.length, 4);
    assertCovers(plan, wanted);
    // energies: 50768..50789 (hour meter to Er-), the reserved tail is not read
    const energies = plan.find((r) => r.block.id === 'energies')!;
    assert.deepEqual([energies.address, energies.count], [50768, 22]);
    // max/avg: the 46 reserved words in front are not read
    const maxAvg = plan.find((r) => r.block.id === 'maxAvg')!;
    assert.deepEqual([maxAvg.address, maxAvg.count], [51070, 18]);
  });

  it('reads through a gap inside a block when that saves a request', () => {
    const block = getBlock('instantaneous');
    const plan = planReads(['hourMeter', 'iUnbalance'].map((k) => ({ block, field: block.fields.find((f) => f.key === k)! })));
    assert.equal(plan.length, 1);
    assert.deepEqual(plan[0].fields.map((f) => f.key), ['hourMeter', 'iUnbalance']);
  });

  it('splits a gap when told to save wire time on a slow line', () => {
    const block = getBlock('instantaneous');
    const plan = planReads(['hourMeter', 'iUnbalance'].map((k) => ({ block, field: block.fields.find((f) => f.key === k)! })), { maxGapWords: 10 });
    assert.equal(plan.length, 2);
    assert.equal(plannedRegisterCount(plan), 4);
  });

  it('never reads more than 125 registers: the 150-word legacy block takes 2 requests', () => {
    const wanted = getBlock('legacy32').fields.map((field) => ({ block: getBlock('legacy32'), field }));
    const plan = planReads(wanted);
    assert.equal(plan.length, 2);
    assertCovers(plan, wanted);
  });

  it('respects a smaller per-request limit with the fewest requests', () => {
    const wanted = wantBlock('instantaneous');
    const plan = planReads(wanted, { maxRegisters: 20 });
    assert.equal(plan.length, 4); // 80 words in runs of at most 20, all fields 1 or 2 words on even addresses
    assertCovers(plan, wanted);
  });

  it('reads a field asked twice only once', () => {
    const wanted = [...wantBlock('harmonics'), ...wantBlock('harmonics')];
    const plan = planReads(wanted);
    assert.equal(plan.length, 1);
    assert.equal(plan[0].fields.length, 10);
  });

  it('refuses to plan a read of a write-only command block, naming it', () => {
    const block = getBlock('reset');
    assert.throws(() => planReads([{ block, field: block.fields[0] }]), /reset \(1024\) cannot be read/);
  });

  it('groups contiguous writes into runs and keeps separate ones apart', () => {
    const block = getBlock('applicationSettings');
    const f = (key: string) => block.fields.find((x) => x.key === key)!;
    const runs = planWrites([
      { field: f('ctPrimary'), words: [100] },
      { field: f('networkType'), words: [5] },
      { field: f('ctSecondary'), words: [5] },
      { field: f('alarmDelay'), words: [10] },
    ]);
    assert.deepEqual(runs.map((r) => [r.address, r.words]), [[36352, [5, 5, 100]], [36364, [10]]]);
  });
});
