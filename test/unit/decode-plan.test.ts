import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { CodecError, decodeField, scalerFor, scaleToValue } from '../../src/codec';
import { decodeReplies } from '../../src/device';
import { planReads, type ReadRequest } from '../../src/planner';
import { PROFILES, type FieldValue } from '../../src/registers';

/** The decoding every poll had before plans were compiled: each field's words copied, then decodeField. */
function referenceDecode(requests: readonly ReadRequest[], replies: readonly number[][]): { payload: Record<string, FieldValue>; units: Record<string, string> } {
  const payload: Record<string, FieldValue> = {};
  const units: Record<string, string> = {};
  requests.forEach((request, i) => {
    for (const field of request.fields) {
      const offset = field.address - request.address;
      payload[field.key] = decodeField(field, replies[i].slice(offset, offset + field.words));
      units[field.key] = field.unit;
    }
  });
  return { payload, units };
}

/** Every readable block of every model, planned as a poll would plan it (reserved words too). */
const PLANS: { name: string; requests: ReadRequest[] }[] = PROFILES.flatMap((profile) =>
  profile.blocks
    .filter((block) => block.lockedAccess.includes('READ') && block.fields.length > 0)
    .map((block) => ({ name: `${profile.id} ${block.id}`, requests: planReads(block.fields.map((field) => ({ block, field }))) })),
);

const wordsFor = (requests: readonly ReadRequest[]): fc.Arbitrary<number[][]> =>
  fc.tuple(...requests.map((r) => fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: r.count, maxLength: r.count })));

describe('decoding a read plan straight from the replies', () => {
  it('gives, for every block of every model, the same payload (values and key order) and units as decoding each field from a copy of its words', () => {
    assert.ok(PLANS.length > 40, `only ${PLANS.length} plans`);
    for (const plan of PLANS) {
      fc.assert(
        fc.property(wordsFor(plan.requests), (replies) => {
          const ours = decodeReplies(plan.requests, replies);
          const reference = referenceDecode(plan.requests, replies);
          assert.equal(JSON.stringify(ours.payload), JSON.stringify(reference.payload), plan.name);
          assert.deepEqual(ours.payload, reference.payload, plan.name);
          assert.deepEqual({ ...ours.units }, reference.units, plan.name);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('builds the units of a plan once: every reading of the plan shares one frozen units map', () => {
    const plan = PLANS.find((p) => p.name === 'A20 instantaneous')!;
    const replies = plan.requests.map((r) => new Array<number>(r.count).fill(1));
    const first = decodeReplies(plan.requests, replies);
    const second = decodeReplies(plan.requests, replies);
    assert.equal(first.units, second.units);
    assert.ok(Object.isFrozen(first.units));
    assert.notEqual(first.payload, second.payload, 'each reading has its own payload');
    assert.equal(first.units.V1, 'V');
  });

  it('refuses a reply word that is not a register word with the field named, as decodeField does', () => {
    const plan = PLANS.find((p) => p.name === 'A20 instantaneous')!;
    for (const bad of [70000, -1, 1.5, Number.NaN]) {
      const replies = plan.requests.map((r) => new Array<number>(r.count).fill(0));
      const field = plan.requests[0].fields[3];
      replies[0][field.address - plan.requests[0].address] = bad;
      assert.throws(
        () => decodeReplies(plan.requests, replies),
        (err: unknown) => err instanceof CodecError && err.message.startsWith(`${field.key}: word 0 is`),
      );
    }
  });

  it('refuses a reply shorter than its request, naming the block', () => {
    const plan = PLANS.find((p) => p.name === 'A20 instantaneous')!;
    assert.throws(() => decodeReplies(plan.requests, [[1, 2, 3]]), /reply 0 for instantaneous at \d+ has 3 words, expected \d+/);
  });

  it('scalerFor gives the very doubles scaleToValue gives', () => {
    for (const scale of [1, 10, 0.5, 0.1, 0.01, 0.001, 0.0001]) {
      const scaler = scalerFor(scale);
      fc.assert(
        fc.property(fc.integer({ min: -0x80000000, max: 0xffffffff }), (raw) => Object.is(scaler(raw), scaleToValue(raw, scale))),
        { numRuns: 500 },
      );
    }
    assert.throws(() => scalerFor(0, 'P'), /P: scale 0 must be a finite number > 0/);
  });
});
