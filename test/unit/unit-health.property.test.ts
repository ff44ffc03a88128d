import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { UnitHealthBook } from '../../src/transport/unit-health';

const policy = fc
  .record({ failuresBeforeBackoff: fc.integer({ min: 1, max: 5 }), initialMs: fc.integer({ min: 1, max: 5000 }), ceilingFactor: fc.integer({ min: 1, max: 100 }) })
  .map(({ failuresBeforeBackoff, initialMs, ceilingFactor }) => ({ failuresBeforeBackoff, initialMs, maxMs: initialMs * ceilingFactor }));

type Event = { kind: 'admit'; advance: number } | { kind: 'answer' } | { kind: 'no-answer' } | { kind: 'not-sent' };
const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('admit' as const), advance: fc.integer({ min: 0, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'answer' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'no-answer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'not-sent' as const }) },
);

describe('UnitHealthBook properties', () => {
  it('backs a silent unit off after N failures, doubling each failed probe up to the ceiling', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 30 }), (p, probes) => {
        const book = new UnitHealthBook(p);
        let now = 1_000_000;
        for (let i = 1; i < p.failuresBeforeBackoff; i++) {
          book.recordNoAnswer(7, now, 'timeout');
          assert.equal(book.snapshot(7).backoffUntil, 0, `backed off after ${i} of ${p.failuresBeforeBackoff} failures`);
          assert.deepEqual(book.admit(7, now, false), { send: true, probe: false });
        }
        book.recordNoAnswer(7, now, 'timeout');
        let expected = p.initialMs;
        for (let probe = 0; probe < probes; probe++) {
          const until = book.snapshot(7).backoffUntil;
          assert.equal(until - now, expected, `backoff ${probe} lasts ${until - now} ms, expected ${expected}`);
          assert.equal(book.admit(7, until - 1, false).send, false, 'a request inside the backoff is refused');
          now = until;
          assert.deepEqual(book.admit(7, now, false), { send: true, probe: true }, 'the first request after the backoff is the probe');
          book.recordNoAnswer(7, now, 'timeout');
          expected = Math.min(expected * 2, p.maxMs);
        }
        book.recordAnswer(7, now);
        assert.equal(book.snapshot(7).backoffUntil, 0);
        assert.deepEqual(book.admit(7, now, false), { send: true, probe: false }, 'an answer ends the backoff');
        // Another unit id was never touched by any of this.
        assert.deepEqual(book.admit(8, now, false), { send: true, probe: false });
      }),
      { numRuns: 300 },
    );
  });

  it('lets exactly one probe out at a time, never sends inside a backoff, and an answer clears everything', () => {
    fc.assert(
      fc.property(policy, fc.array(event, { maxLength: 120 }), (p, events) => {
        const book = new UnitHealthBook(p);
        let now = 0;
        /** Probes admitted and not yet given an outcome. */
        let openProbes = 0;
        let lastBackoffMs = 0;
        for (const e of events) {
          if (e.kind === 'admit') {
            now += e.advance;
            const before = book.snapshot(3).backoffUntil;
            const verdict = book.admit(3, now, false);
            if (before === 0) assert.deepEqual(verdict, { send: true, probe: false }, 'a healthy unit is always admitted');
            else if (now < before) assert.equal(verdict.send, false, 'admitted inside its backoff');
            if (verdict.send && verdict.probe) openProbes++;
            assert.ok(openProbes <= 1, `${openProbes} probes out at once`);
            if (!verdict.send) assert.equal(verdict.until, before, 'a refusal names when the backoff ends');
          } else if (e.kind === 'answer') {
            book.recordAnswer(3, now);
            openProbes = 0;
            assert.equal(book.snapshot(3).consecutiveFailures, 0);
            assert.equal(book.snapshot(3).backoffUntil, 0);
          } else if (e.kind === 'no-answer') {
            book.recordNoAnswer(3, now, 'timeout');
            openProbes = 0;
            const until = book.snapshot(3).backoffUntil;
            if (until !== 0) {
              const length = until - now;
              assert.ok(length >= p.initialMs && length <= p.maxMs, `backoff of ${length} ms outside ${p.initialMs}..${p.maxMs}`);
              assert.ok(lastBackoffMs === 0 || length === Math.min(lastBackoffMs * 2, p.maxMs) || length === p.initialMs, 'backoff does not double');
              lastBackoffMs = length;
            }
          } else {
            book.recordNotSent(3);
            openProbes = 0;
          }
          if (book.snapshot(3).backoffUntil === 0) lastBackoffMs = 0;
        }
        assert.ok(book.size <= 1);
      }),
      { numRuns: 400 },
    );
  });
});
