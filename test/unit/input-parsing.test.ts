/** Node settings and msg properties -> checked values, without Node-RED. */
import assert from 'node:assert/strict';
import { configuredSeconds, configuredUnitId, resolveUnitId, stringList } from '../../src/nodes/input-parsing';
import { NodeInputError } from '../../src/nodes/node-errors';

describe('input parsing (no Node-RED)', () => {
  it('takes a configured unit id as a number or decimal digits, blank as 5, and refuses the rest naming it', () => {
    assert.equal(configuredUnitId(7), 7);
    assert.equal(configuredUnitId(' 12 '), 12);
    assert.equal(configuredUnitId(''), 5);
    assert.equal(configuredUnitId(undefined), 5);
    for (const bad of [0, 248, 5.5, '0x5', '1e0', 'five']) {
      assert.throws(() => configuredUnitId(bad), (err: unknown) => err instanceof NodeInputError && err.kind === 'input' && err.message.includes(JSON.stringify(bad)));
    }
  });

  it('lets msg.unitId override the configured one, and refuses a bad one rather than reading another meter', () => {
    assert.equal(resolveUnitId({ unitId: 6 }, 5), 6);
    assert.equal(resolveUnitId({ unitId: '6' }, 5), 6);
    assert.equal(resolveUnitId({}, 5), 5);
    assert.equal(resolveUnitId(undefined, 5), 5);
    assert.throws(() => resolveUnitId({ unitId: '5.0' }, 5), /msg\.unitId must be an integer 1\.\.247, got "5\.0"/);
    assert.throws(() => resolveUnitId({ unitId: true }, 5), /got true/);
  });

  it('takes seconds 0..86400, blank as 0', () => {
    assert.equal(configuredSeconds('', 'poll interval'), 0);
    assert.equal(configuredSeconds('2.5', 'poll interval'), 2.5);
    assert.throws(() => configuredSeconds(-1, 'pollSeconds'), /pollSeconds -1 is not a number of seconds 0\.\.86400/);
    assert.throws(() => configuredSeconds('soon', 'poll interval'), /"soon"/);
  });

  it('reads a name list from an array or a comma or space separated string', () => {
    assert.deepEqual(stringList('a, b c', 'groups'), ['a', 'b', 'c']);
    assert.deepEqual(stringList(['a'], 'groups'), ['a']);
    assert.equal(stringList(undefined, 'groups'), undefined);
    assert.throws(() => stringList([1], 'msg.fields'), /msg\.fields must be an array of names or a comma separated string, got \[1\]/);
  });
});
