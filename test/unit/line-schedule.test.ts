/** Many meters on one line: group rates, merged reads, spread starts, no drift (pure, on numbers for time). */
import assert from 'node:assert/strict';
import { LineSchedule, type DuePoll } from '../../src/device/line-schedule';

/** Run the schedule from `from` to `until`, taking every read at its due time plus `lateMs`. */
function run(schedule: LineSchedule, until: number, lateMs = 0): Array<DuePoll & { at: number }> {
  const reads: Array<DuePoll & { at: number }> = [];
  for (let at = schedule.nextDueAt() + lateMs; at <= until; at = schedule.nextDueAt() + lateMs) {
    for (const read of schedule.takeDue(at)) reads.push({ ...read, at });
  }
  return reads;
}

describe('line schedule', () => {
  it('spreads the meters\' first reads evenly over the shortest interval', () => {
    const units = [5, 6, 7, 8, 9, 10, 11, 12, 20, 21];
    const schedule = new LineSchedule(units, [{ groups: ['instantaneous'], everyMs: 1000 }], 0, 0);
    const first = run(schedule, 999);
    assert.deepEqual(first.map((r) => r.unitId), units);
    assert.deepEqual(first.map((r) => r.at), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('reads each group at its own rate and merges what falls due together into one read', () => {
    const schedule = new LineSchedule([5], [
      { groups: ['instantaneous'], everyMs: 2000 },
      { groups: ['energies', 'maxAvg'], everyMs: 60_000 },
    ], 0);
    const reads = run(schedule, 120_000);
    assert.equal(reads.length, 61, 'one read every 2 s, energies riding along');
    const withEnergies = reads.filter((r) => r.groups.includes('energies'));
    assert.deepEqual(withEnergies.map((r) => r.at), [0, 60_000, 120_000]);
    for (const read of withEnergies) assert.deepEqual(read.groups.sort(), ['energies', 'instantaneous', 'maxAvg']);
    assert.ok(reads.every((r) => r.groups.includes('instantaneous')));
  });

  it('keeps its grid when reads are taken late (no drift), and counts intervals it fell behind', () => {
    const schedule = new LineSchedule([5], [{ groups: ['instantaneous'], everyMs: 1000 }], 0, 0);
    const reads = run(schedule, 10_500, 30);
    assert.deepEqual(reads.map((r) => r.at), [30, 1030, 2030, 3030, 4030, 5030, 6030, 7030, 8030, 9030, 10_030]);
    assert.equal(schedule.missed, 0);
    // The loop stalls for 5.5 s: the missed slots are skipped, not fired in a burst.
    const afterStall = schedule.takeDue(16_530);
    assert.equal(afterStall.length, 1);
    assert.equal(schedule.missed, 5);
    assert.equal(schedule.nextDueAt(), 17_000, 'back on the 1 s grid');
  });

  it('refuses a schedule it cannot run, naming what is wrong', () => {
    assert.throws(() => new LineSchedule([], [{ groups: ['instantaneous'], everyMs: 1000 }], 0), /at least one unit id/);
    assert.throws(() => new LineSchedule([5], [], 0), /at least one rate/);
    assert.throws(() => new LineSchedule([5], [{ groups: ['instantaneous'], everyMs: 0 }], 0), /interval > 0 ms, got 0/);
    assert.throws(() => new LineSchedule([5], [{ groups: [], everyMs: 1000 }], 0), /at least one group/);
  });
});
