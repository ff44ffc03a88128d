/**
 * Pollers deployed together spread their first polls over their interval (capped, so a
 * slow poll still reads soon after deploy), and the pollers of one line add up their loads.
 */
import assert from 'node:assert/strict';
import { combineLineBudgets, LINE_BUDGET_LIMIT, type LineBudget } from '../../src/device';
import { MAX_START_SPREAD_MS, startOffsetMs } from '../../src/nodes/meter-node';

describe('poll start spread', () => {
  it('gives each node id a fixed offset within its interval, the same on every deploy', () => {
    assert.equal(startOffsetMs('a1b2c3', 1000), startOffsetMs('a1b2c3', 1000));
    for (let i = 0; i < 200; i++) {
      const offset = startOffsetMs(`node-${i}`, 1000);
      assert.ok(Number.isInteger(offset) && offset >= 0 && offset < 1000, `offset ${offset}`);
    }
    assert.equal(startOffsetMs('x', 0), 0);
  });

  it('never starts later than MAX_START_SPREAD_MS after deploy, however long the interval', () => {
    for (let i = 0; i < 200; i++) assert.ok(startOffsetMs(`n${i}`, 3_600_000) < MAX_START_SPREAD_MS);
  });

  it('spreads a thousand node ids evenly: no tenth of the interval gets more than twice its share', () => {
    const buckets = new Array<number>(10).fill(0);
    // Node-RED ids: 16 hex digits.
    for (let i = 0; i < 1000; i++) buckets[Math.floor(startOffsetMs((0x1f3a5c7e9b000000 + i * 7919).toString(16), 1000) / 100)]++;
    assert.ok(Math.max(...buckets) <= 200 && Math.min(...buckets) >= 50, `per tenth: ${buckets.join(' ')}`);
  });
});

describe('a line\'s pollers together', () => {
  const budget = (offeredLoad: number, missed = 0): LineBudget => ({ busyFraction: Math.min(1, offeredLoad), offeredLoad, windowMs: 60_000, exceeded: false, missed });

  it('add up their loads: two nodes at 50 % each are over the line\'s budget, and must slow down by their sum', () => {
    const alone = combineLineBudgets([budget(0.5)]);
    assert.equal(alone.exceeded, false);
    assert.equal(alone.stretch, 1);
    const together = combineLineBudgets([budget(0.5), budget(0.5)]);
    assert.equal(together.exceeded, true);
    assert.equal(together.pollers, 2);
    assert.ok(Math.abs(together.stretch - 1 / LINE_BUDGET_LIMIT) < 1e-9);
  });

  it('count a line that skipped polls as over budget, even when the estimate fits', () => {
    const line = combineLineBudgets([budget(0.3, 2)]);
    assert.equal(line.exceeded, true);
    assert.equal(line.missed, 2);
    assert.equal(line.stretch, 1, 'nothing to stretch by from the estimate: at least its limit');
  });

  it('is empty and within budget with no poller', () => {
    assert.deepEqual(combineLineBudgets([]), { offeredLoad: 0, exceeded: false, stretch: 1, missed: 0, pollers: 0 });
  });
});
