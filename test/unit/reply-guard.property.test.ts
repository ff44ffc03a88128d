import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ModbusOperation } from '../../src/transport/operations';
import { ReplyGuard, type GuardedOperation } from '../../src/transport/reply-guard';
import type { RtuReplyFrame } from '../../src/transport/rtu-frames';

const TIMEOUT = 100;

/** A reply frame as the meter would send it for `op`, tagged (outside the frame) with the request it truly answers. */
interface TaggedFrame {
  readonly frame: Omit<RtuReplyFrame, 'firstChunk'>;
  readonly answers: GuardedOperation;
  readonly at: number;
}

function replyTo(op: GuardedOperation, exception: boolean): Omit<RtuReplyFrame, 'firstChunk'> {
  if (exception) return { unitId: op.unitId, fn: op.fn | 0x80, body: Buffer.from([2]) };
  if (op.fn === 3) return { unitId: op.unitId, fn: 3, body: Buffer.concat([Buffer.from([2 * op.count]), Buffer.alloc(2 * op.count)]) };
  const body = Buffer.alloc(4);
  if (op.fn === 8) body.writeUInt16BE(op.echo, 2);
  else {
    body.writeUInt16BE(op.address, 0);
    body.writeUInt16BE(op.fn === 6 ? op.value : op.values.length, 2);
  }
  return { unitId: op.unitId, fn: op.fn, body };
}

/** Few distinct reply forms on two unit ids, so late replies often look like the next request's. */
const operation: fc.Arbitrary<ModbusOperation> = fc.oneof(
  fc.record({ fn: fc.constant(3 as const), unitId: fc.constantFrom(5, 6), address: fc.constantFrom(100, 200), count: fc.constantFrom(1, 2, 10) }),
  fc.record({ fn: fc.constant(6 as const), unitId: fc.constantFrom(5, 6), address: fc.constant(300), value: fc.constantFrom(0, 1) }),
  fc.record({ fn: fc.constant(16 as const), unitId: fc.constantFrom(5, 6), address: fc.constant(400), values: fc.constant([1, 2]) }),
);

/** How the meter treats one request it receives: answer after `delay` ms (in order), maybe with an exception, or stay silent. */
const behaviour = fc.record({
  delay: fc.oneof(fc.integer({ min: 1, max: TIMEOUT - 1 }), fc.integer({ min: TIMEOUT, max: 4 * TIMEOUT })),
  exception: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
  silent: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const job = fc.record({ op: operation, retries: fc.integer({ min: 0, max: 2 }), idle: fc.integer({ min: 0, max: 3 * TIMEOUT }) });

/**
 * A master driving the guard the way the RTU client does (advise, sync, send, attribute,
 * time out, retry with the same operation), against a meter that answers in order, late
 * or not at all. Returns what happened, for the checks.
 */
function simulate(jobs: ReadonlyArray<{ op: ModbusOperation; retries: number; idle: number }>, behaviours: ReadonlyArray<{ delay: number; exception: boolean; silent: boolean }>): { inFlightAnswers: number } {
  const guard = new ReplyGuard();
  const line: TaggedFrame[] = [];
  let now = 0;
  let chunk = 0;
  let meterFreeAt = 0;
  let requestsSeen = 0;
  let inFlightAnswers = 0;

  const meterReceives = (op: GuardedOperation): void => {
    const b = behaviours[requestsSeen++ % behaviours.length];
    if (b.silent) return;
    const at = Math.max(now, meterFreeAt) + b.delay;
    meterFreeAt = at;
    line.push({ frame: replyTo(op, b.exception), answers: op, at });
  };

  /** Deliver frames due by `until`; stop at the first one taken as the in-flight request's answer. */
  const deliver = (until: number, inFlight?: { op: GuardedOperation; lastChunkBeforeSend: number }): TaggedFrame | undefined => {
    while (line.length > 0 && line[0].at <= until) {
      const tagged = line.shift()!;
      now = Math.max(now, tagged.at);
      const frame: RtuReplyFrame = { ...tagged.frame, firstChunk: ++chunk };
      const who = guard.attribute(frame, inFlight);
      if (who === 'in-flight') {
        assert.ok(inFlight, 'a frame was taken for an answer while nothing was in flight');
        assert.equal(tagged.answers, inFlight.op, `a reply to ${JSON.stringify(tagged.answers)} was taken for the answer to ${JSON.stringify(inFlight.op)}`);
        guard.answered(inFlight.op, (frame.fn & 0x80) === 0);
        inFlightAnswers++;
        return tagged;
      }
    }
    now = Math.max(now, until);
    return undefined;
  };

  /** One exchange: true when answered. */
  const exchange = (op: GuardedOperation): boolean => {
    const inFlight = { op, lastChunkBeforeSend: chunk };
    meterReceives(op);
    const answer = deliver(now + TIMEOUT, inFlight);
    if (answer) return true;
    guard.timedOut(op);
    return false;
  };

  for (const { op, retries, idle } of jobs) {
    for (let attempt = 0; attempt <= retries; attempt++) {
      let answered = false;
      for (let syncs = 0; syncs < 50; syncs++) {
        const advice = guard.advise(op);
        if (advice.kind === 'send') {
          answered = exchange(op);
          break;
        }
        assert.notEqual(advice.op, op);
        if (!exchange(advice.op)) break; // an unanswered sync is this attempt's timeout
      }
      if (answered) break;
    }
    deliver(now + idle);
  }
  deliver(Infinity);
  return { inFlightAnswers };
}

describe('ReplyGuard properties', () => {
  it('never attributes a frame to a request it does not answer, whatever the lateness', () => {
    let answers = 0;
    fc.assert(
      fc.property(fc.array(job, { minLength: 1, maxLength: 40 }), fc.array(behaviour, { minLength: 1, maxLength: 20 }), (jobs, behaviours) => {
        answers += simulate(jobs, behaviours).inFlightAnswers;
      }),
      { numRuns: 400 },
    );
    assert.ok(answers > 1000, `only ${answers} replies were taken as answers: the simulation does not exercise the guard`);
  });

  it('without the guard, the same line takes late replies for answers (the property can fail)', () => {
    // The naive rule, "the first frame of the right form answers the request in flight".
    const late: GuardedOperation = { fn: 3, unitId: 5, address: 100, count: 2 };
    const next: GuardedOperation = { fn: 3, unitId: 5, address: 200, count: 2 };
    const lateReply = replyTo(late, false);
    const guard = new ReplyGuard();
    guard.timedOut(late);
    assert.equal(guard.advise(next as ModbusOperation).kind, 'sync', 'the guard holds the request back until the line is clear');
    assert.equal(guard.attribute({ ...lateReply, firstChunk: 2 }, { op: next, lastChunkBeforeSend: 1 }), 'late');
  });
});
