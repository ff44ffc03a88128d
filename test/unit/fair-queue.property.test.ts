import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { FairQueue } from '../../src/transport/fair-queue';

interface Item {
  readonly id: number;
  readonly source: string;
  readonly priority: 'normal' | 'high';
}

type Step = { kind: 'push'; source: string; priority: 'normal' | 'high'; force: boolean } | { kind: 'take' } | { kind: 'remove'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('push' as const), source: fc.constantFrom('a', 'b', 'c', 'd'), priority: fc.constantFrom('normal' as const, 'normal' as const, 'high' as const), force: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'take' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
);

/**
 * Runs random pushes, takes and removes against a FairQueue and checks each take against
 * what the queue promises: nothing lost or duplicated, 'high' first, FIFO per source, and
 * round-robin between the sources of one priority.
 */
function run(limit: number, steps: readonly Step[]): void {
  const queue = new FairQueue<Item>(limit);
  /** What waits, in push order (the model). */
  const waiting: Item[] = [];
  const taken = new Set<number>();
  /** Per priority: sources served since each source was last served (the fairness witness). */
  const servedSince = { high: new Map<string, Set<string>>(), normal: new Map<string, Set<string>>() };
  let ids = 0;

  const drainAll = [...steps, ...Array.from({ length: 200 }, () => ({ kind: 'take' as const }))];
  for (const s of drainAll) {
    if (s.kind === 'push') {
      const item: Item = { id: ids++, source: s.source, priority: s.priority };
      const accepted = queue.push(item, s.force);
      assert.equal(accepted, s.force || waiting.length < limit, 'a push is refused exactly when the queue is full and not forced');
      if (accepted) waiting.push(item);
    } else if (s.kind === 'remove') {
      if (waiting.length === 0) {
        assert.equal(queue.remove({ id: -1, source: 'a', priority: 'normal' }), false);
        continue;
      }
      const [item] = waiting.splice(s.pick % waiting.length, 1);
      assert.equal(queue.remove(item), true);
      assert.equal(queue.remove(item), false, 'an item is removed once');
    } else {
      const item = queue.take();
      if (waiting.length === 0) {
        assert.equal(item, undefined, 'an empty queue gives nothing');
        continue;
      }
      assert.ok(item, 'a queue with waiting items gives one');
      assert.ok(!taken.has(item.id), `item ${item.id} came out twice`);
      const index = waiting.indexOf(item);
      assert.ok(index >= 0, `item ${item.id} came out though it was not waiting (removed or never pushed)`);
      if (item.priority === 'normal') assert.ok(!waiting.some((w) => w.priority === 'high'), 'a normal item went before a waiting high one');
      const firstOfSource = waiting.find((w) => w.source === item.source && w.priority === item.priority);
      assert.equal(firstOfSource, item, `source ${item.source} was not served first-in first-out`);
      // Round-robin: a source served again has seen every other source that waited the whole time served in between.
      const lane = servedSince[item.priority];
      const since = lane.get(item.source);
      if (since) {
        for (const other of ['a', 'b', 'c', 'd']) {
          if (other === item.source || since.has(other) || !lane.has(`waiting:${other}`)) continue;
          assert.fail(`source ${item.source} was served twice while ${other} waited`);
        }
      }
      for (const set of lane.values()) set.add(item.source);
      lane.set(item.source, new Set());
      waiting.splice(index, 1);
      taken.add(item.id);
    }
    assert.equal(queue.size, waiting.length, 'size counts what waits');
    // Track which sources have waited without a break since the last service of each source.
    for (const priority of ['high', 'normal'] as const) {
      const lane = servedSince[priority];
      for (const source of ['a', 'b', 'c', 'd']) {
        const waits = waiting.some((w) => w.source === source && w.priority === priority);
        const key = `waiting:${source}`;
        if (!waits) lane.delete(key);
        else if (!lane.has(key)) {
          lane.set(key, new Set());
          // It starts waiting now: it gets no claim on turns that sources took before.
          for (const [name, set] of lane) if (!name.startsWith('waiting:')) set.add(source);
        }
      }
    }
  }
  assert.equal(waiting.length, 0, 'everything pushed and not removed comes out');
}

describe('FairQueue properties', () => {
  it('loses nothing, duplicates nothing, serves high first, FIFO per source and round-robin between sources', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 150 }), (limit, steps) => run(limit, steps)),
      { numRuns: 400 },
    );
  });

  it('removing an item does not walk the queue: 4 000 removes touch no FIFO', () => {
    const queue = new FairQueue<Item>(100_000);
    const items = Array.from({ length: 4_000 }, (_, id): Item => ({ id, source: `s${id % 50}`, priority: 'normal' }));
    for (const item of items) queue.push(item);
    // Every FIFO becomes a proxy that counts reads: remove() must not read any.
    let reads = 0;
    const lanes = (queue as unknown as { lanes: Record<string, Map<string, Item[]>> }).lanes;
    for (const lane of Object.values(lanes)) {
      for (const [source, list] of lane) {
        lane.set(
          source,
          new Proxy(list, {
            get(target, key, receiver) {
              reads++;
              return Reflect.get(target, key, receiver) as unknown;
            },
          }),
        );
      }
    }
    for (const item of items.filter((_, i) => i % 2 === 0)) assert.equal(queue.remove(item), true);
    assert.equal(reads, 0, 'remove read the FIFOs');
    assert.equal(queue.size, 2_000);
    const out: number[] = [];
    for (let item = queue.take(); item; item = queue.take()) out.push(item.id);
    assert.deepEqual(new Set(out), new Set(items.filter((_, i) => i % 2 === 1).map((i) => i.id)));
  });
});
