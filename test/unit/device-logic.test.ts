import assert from 'node:assert/strict';
import {
  alarmEvents,
  alarmSide,
  DeviceError,
  measurementFieldList,
  resolveResetMask,
  selectMeasurementFields,
  settingsFieldList,
  validateSettings,
  type AlarmState,
} from '../../src/device';

const ctx = { unitId: 5, meter: 'meter 5 on tcp 127.0.0.1:502' };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DeviceError, `expected a DeviceError, got ${String(err)}`);
    assert.equal(err.kind, 'input');
    return err.problems ?? [];
  }
  assert.fail('expected the call to be refused');
}

describe('settings validation (before anything is written)', () => {
  it('encodes valid settings, enum names included', () => {
    const writes = validateSettings('applicationSettings', { networkType: '4NBL', ctSecondary: 5, ctPrimary: 250, pulseOutputDuration: 300 }, ctx);
    const byKey = Object.fromEntries(writes.map((w) => [w.field.key, w.words]));
    assert.deepEqual(byKey, { networkType: [5], ctSecondary: [5], ctPrimary: [250], pulseOutputDuration: [3] });
  });

  it('lists every problem of a bad payload in one error', () => {
    const problems = problemsOf(() =>
      validateSettings('applicationSettings', { networkType: '9XL', ctSecondary: 2, ctPrimary: '100', bogus: 1, reserved36355: 0, alarmDelay: 0 }, ctx),
    );
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.match(problems.join('\n'), /networkType/);
    assert.match(problems.join('\n'), /ctSecondary: 2 A is not allowed; allowed: 1, 5 A/);
    assert.match(problems.join('\n'), /ctPrimary: expected a number/);
    assert.match(problems.join('\n'), /unknown setting "bogus"/);
    assert.match(problems.join('\n'), /reserved36355.*reserved/);
    assert.match(problems.join('\n'), /alarmDelay.*out of range 1\.\.999/);
  });

  it('refuses the factory and industrialization blocks unless the factory option is on', () => {
    assert.match(problemsOf(() => validateSettings('factory', { jbusAddress: 5 }, ctx))[0], /factory\/calibration data/);
    assert.match(problemsOf(() => validateSettings('industrialization', { gainI1: 1 }, ctx))[0], /factory\/calibration data/);
    assert.equal(validateSettings('factory', { jbusAddress: 5 }, { ...ctx, allowFactoryBlocks: true }).length, 1);
  });

  it('refuses a payload that is not an object', () => {
    assert.match(problemsOf(() => validateSettings('applicationSettings', [1, 2], ctx))[0], /must be an object/);
    assert.match(problemsOf(() => validateSettings('applicationSettings', 'ctPrimary=5', ctx))[0], /got string/);
  });

  it('offers every writable setting of a block with its allowed values', () => {
    const list = settingsFieldList('applicationSettings');
    assert.equal(list.length, 17); // 18 words, one reserved
    assert.deepEqual(list.find((f) => f.key === 'ctSecondary')?.allowedValues, [1, 5]);
    assert.equal(list.find((f) => f.key === 'networkType')?.enumValues?.[6], '2NBL');
  });
});

describe('reset masks', () => {
  const everything = ['maxCurrents', 'maxPowers', 'hourMeter', 'energies', 'all'];

  it('turns names into the bits of the reset command', () => {
    assert.equal(resolveResetMask('hourMeter', everything, ctx), 0x40);
    assert.equal(resolveResetMask(['maxCurrents', 'maxPowers'], everything, ctx), 0x3);
    assert.equal(resolveResetMask('energies', everything, ctx), 0xf80);
    assert.equal(resolveResetMask('maxAvgCurrents', everything, ctx), 0x1, 'alias accepted');
    assert.equal(resolveResetMask(0x80 | 0x1, everything, ctx), 0x81);
  });

  it('refuses what the node does not allow, naming it and the allowed ones', () => {
    const problems = problemsOf(() => resolveResetMask(['hourMeter', 'activeEnergyPos'], ['hourMeter'], ctx));
    assert.match(problems[0], /not allowed by this node: activeEnergyPos \(allowed: hourMeter\)/);
  });

  it('refuses unknown names and undefined bits', () => {
    assert.match(problemsOf(() => resolveResetMask('everything', everything, ctx))[0], /unknown reset "everything"/);
    assert.match(problemsOf(() => resolveResetMask(0x8, everything, ctx))[0], /undefined bits 0x8/);
    assert.match(problemsOf(() => resolveResetMask([], everything, ctx))[0], /say what to reset/);
  });
});

describe('alarm events', () => {
  const quiet: AlarmState = { lower: alarmSide('none', 0), upper: alarmSide('none', 0), duration: 0, timestamp: 0, requests: 1 };
  const high: AlarmState = { ...quiet, upper: alarmSide('I1', 6200), duration: 12 };

  it('scales the alarm value in the cause quantity', () => {
    assert.deepEqual(alarmSide('I1', 6200), { active: true, cause: 'I1', value: 6.2, unit: 'A' });
    assert.deepEqual(alarmSide('U12', 41000), { active: true, cause: 'U12', value: 410, unit: 'V' });
    assert.deepEqual(alarmSide('thdV1', 85), { active: true, cause: 'thdV1', value: 8.5, unit: '%' });
  });

  it('raises when an alarm becomes active and clears when it ends', () => {
    assert.deepEqual(alarmEvents(quiet, high).map((e) => [e.event, e.side, e.cause]), [['raise', 'upper', 'I1']]);
    assert.deepEqual(alarmEvents(high, quiet).map((e) => [e.event, e.side, e.cause]), [['clear', 'upper', 'I1']]);
    assert.deepEqual(alarmEvents(high, { ...high, duration: 20 }), []);
  });

  it('clears and raises when the cause changes, and reports changed inputs', () => {
    const other: AlarmState = { ...high, upper: alarmSide('I2', 7000), inputs: { input1: true }, outputs: {} };
    const events = alarmEvents({ ...high, inputs: { input1: false }, outputs: {} }, other);
    assert.deepEqual(events.map((e) => e.event), ['clear', 'raise', 'input']);
    assert.deepEqual(events[2].states, { input1: true });
  });
});

describe('measurement selection', () => {
  it('reads instantaneous and energies by default, the contract keys included', () => {
    const keys = selectMeasurementFields({}, { unitId: 5 }).map((w) => w.field.key);
    for (const key of ['U12', 'V1', 'F', 'I1', 'In', 'P', 'PF3', 'EaPos', 'ErNeg', 'Es', 'hourMeter']) assert.ok(keys.includes(key), key);
    assert.equal(keys.filter((k) => k === 'hourMeter').length, 1, 'hourMeter read once');
  });

  it('narrows to named fields and refuses unknown names, listing the valid ones', () => {
    assert.deepEqual(selectMeasurementFields({ fields: ['I1', 'thdI1'] }, { unitId: 5 }).map((w) => w.field.key), ['I1', 'thdI1']);
    assert.throws(() => selectMeasurementFields({ fields: ['I9'] }, { unitId: 5 }), /unknown field "I9".*valid fields: hourMeter/);
    assert.throws(() => selectMeasurementFields({ groups: ['power'] }, { unitId: 5 }), /unknown group "power"/);
    assert.throws(() => selectMeasurementFields({ table: 'x' }, { unitId: 5 }), /unknown table "x"/);
  });

  it('maps the legacy tables onto the same groups', () => {
    const legacy = measurementFieldList('legacy16', ['energies']).map((f) => f.key);
    assert.deepEqual(legacy.sort(), ['EaPos', 'ErPos']);
    const b00 = measurementFieldList('legacyB00', ['energies']).map((f) => f.key);
    assert.deepEqual(b00.sort(), ['EaPos', 'ErPos', 'hourMeter']);
  });
});
