/**
 * The simulated DIRIS meter as a ModbusUnit, called directly (no transport): what a user
 * reading it through any transport would see, decoded with the package's own codec.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeField } from '../../src/codec';
import { getBlock, type FieldValue } from '../../src/registers';
import { DirisBus, DirisMeter, type DirisMeterOptions } from '../../src/simulator/diris';
import { ModbusException } from '../../src/simulator/protocol';

const START_MS = Date.UTC(2024, 0, 15, 8, 0, 0);

type Decoded = Record<string, FieldValue>;

/** A meter on a hand-driven clock. */
function meterAt(options: DirisMeterOptions = {}): { meter: DirisMeter; advance(ms: number): void } {
  let nowMs = START_MS;
  const meter = new DirisMeter({ restartMs: 2000, ...options, clock: () => nowMs });
  return { meter, advance: (ms) => (nowMs += ms) };
}

/** Every field of a block, decoded from the register image. */
function decodeBlock(meter: DirisMeter, blockId: string): Decoded {
  const block = getBlock(blockId);
  const words = meter.peek(block.start, block.size);
  const decoded: Decoded = {};
  for (const field of block.fields) {
    if (field.reserved) continue;
    decoded[field.key] = decodeField(field, words.slice(field.address - block.start, field.address - block.start + field.words));
  }
  return decoded;
}

function num(decoded: Decoded, key: string): number {
  const value = decoded[key];
  assert.equal(typeof value, 'number', `${key} should be a number, got ${JSON.stringify(value)}`);
  return value as number;
}

function exceptionCode(action: () => unknown): number {
  try {
    action();
  } catch (err) {
    if (err instanceof ModbusException) return err.code;
    throw err;
  }
  return assert.fail('expected a Modbus exception');
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-9);

describe('simulator meter: identity', () => {
  it('identifies as a Socomec DIRIS A20 with a valid build date and its option slots', () => {
    const { meter } = meterAt();
    const id = decodeBlock(meter, 'identification');
    assert.deepEqual(meter.peek(50000, 4), [0x53, 0x4f, 0x43, 0x4f]);
    assert.equal(id.signature, 'SOCO');
    assert.equal(id.family, 'Diris');
    assert.equal(meter.peek(50004, 1)[0], 400);
    assert.equal(id.productName, 'DIRIS A20');
    assert.equal(id.vendorName, 'SOCOMEC');
    assert.match(String(id.buildDate), /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const options = decodeBlock(meter, 'options');
    assert.deepEqual(options.optionCode, { metering: false, communication: true, inputsOutputs: true });
    assert.equal(options.optionSlot1, 'communication');
    assert.equal(options.optionSlot2, 'inputsOutputs');
  });

  it('takes the product name and serial from its options', () => {
    const { meter } = meterAt({ productName: 'DIRIS A10', serial: { yearWeek: 0x2233, sstL: 0x1234, order: 77 } });
    const id = decodeBlock(meter, 'identification');
    assert.equal(id.productName, 'DIRIS A10');
    assert.deepEqual([id.serialAaSs, id.serialSstL, id.serialOrder], [0x2233, 0x1234, 77]);
    assert.equal(decodeBlock(meter, 'factory').serialAaSs, 0x2233, 'block 0 carries the same serial');
  });
});

describe('simulator meter: measurements', () => {
  it('gives values that agree with each other like a real three-phase meter, for any seed and time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (seed, offsetS) => {
        let nowMs = START_MS + offsetS * 1000;
        const meter = new DirisMeter({ seed, clock: () => nowMs });
        nowMs += 1; // one more ms: the read happens after construction
        const m = decodeBlock(meter, 'instantaneous');
        const thd = decodeBlock(meter, 'harmonics');
        for (const [u, a, b] of [['U12', 'V1', 'V2'], ['U23', 'V2', 'V3'], ['U31', 'V3', 'V1']]) {
          const expected = Math.sqrt(3) * ((num(m, a) + num(m, b)) / 2);
          assert.ok(relative(num(m, u), expected) < 0.01, `${u} ${num(m, u)} vs sqrt(3) x V ${expected}`);
        }
        for (const phase of ['1', '2', '3', '']) {
          const [p, q, s, pf] = ['P', 'Q', 'S', 'PF'].map((k) => num(m, k + phase));
          assert.ok(relative(s * s, p * p + q * q) < 0.01, `S${phase}^2 = P^2 + Q^2`);
          assertClose(pf, p / s, 0.002, `PF${phase} = P/S`);
          assert.ok(pf >= 0.9 && pf <= 0.98, `PF${phase} ${pf} in 0.9..0.98`);
        }
        assert.deepEqual([m.pfType, m.pf1Type, m.pf2Type, m.pf3Type], ['lagging', 'lagging', 'lagging', 'lagging']);
        // Each phase value is rounded to 10 W, so three of them can be 15 W off the total, plus 5 W.
        assertClose(num(m, 'P'), num(m, 'P1') + num(m, 'P2') + num(m, 'P3'), 20, 'P = P1 + P2 + P3');
        assertClose(num(m, 'Q'), num(m, 'Q1') + num(m, 'Q2') + num(m, 'Q3'), 20, 'Q = Q1 + Q2 + Q3');
        assertClose(num(m, 'pfIec'), num(m, 'P') / (num(m, 'S1') + num(m, 'S2') + num(m, 'S3')), 0.002, 'IEC PF = P / sum of S');
        assertClose(num(m, 'iSys'), (num(m, 'I1') + num(m, 'I2') + num(m, 'I3')) / 3, 0.002, 'Isys');
        assertClose(num(m, 'vSys'), (num(m, 'V1') + num(m, 'V2') + num(m, 'V3')) / 3, 0.02, 'Vsys');
        assertClose(num(m, 'uSys'), (num(m, 'U12') + num(m, 'U23') + num(m, 'U31')) / 3, 0.02, 'Usys');
        assert.ok(num(m, 'F') >= 49.5 && num(m, 'F') <= 50.5, `F ${num(m, 'F')}`);
        for (const v of ['V1', 'V2', 'V3']) assert.ok(num(m, v) > 220 && num(m, v) < 240, `${v} ${num(m, v)}`);
        assert.ok(num(m, 'In') < 0.2 * num(m, 'iSys'), `In ${num(m, 'In')} is small next to Isys ${num(m, 'iSys')}`);
        assert.ok(num(m, 'vUnbalance') < 3 && num(m, 'iUnbalance') < 15, 'unbalance is a few %');
        for (const k of ['thdU12', 'thdU23', 'thdU31']) assert.ok(num(thd, k) >= 1 && num(thd, k) <= 3, `${k} ${num(thd, k)}`);
        for (const k of ['thdI1', 'thdI2', 'thdI3']) assert.ok(num(thd, k) >= 5 && num(thd, k) <= 15, `${k} ${num(thd, k)}`);
      }),
      { numRuns: 40 },
    );
  });

  it('is reproducible: same seed and clock give the same registers, another seed other values', () => {
    const infoBlocks = ['identification', 'instantaneous', 'energies', 'maxAvg', 'instantaneous16', 'harmonics', 'legacy32', 'legacy16', 'legacyB00'];
    const image = (seed: number): number[][] => {
      const { meter, advance } = meterAt({ seed });
      advance(90_000);
      return infoBlocks.map((id) => meter.peek(getBlock(id).start, getBlock(id).size));
    };
    assert.deepEqual(image(42), image(42));
    assert.notDeepEqual(image(42)[1], image(43)[1]);
  });

  it('varies the load smoothly over time', () => {
    const { meter, advance } = meterAt();
    const currents: number[] = [];
    for (let i = 0; i < 30; i++) {
      currents.push(num(decodeBlock(meter, 'instantaneous'), 'I1'));
      advance(60_000);
    }
    assert.ok(new Set(currents).size > 20, 'the current changes from minute to minute');
    for (let i = 1; i < currents.length; i++) {
      assert.ok(relative(currents[i], currents[i - 1]) < 0.05, `I1 ${currents[i - 1]} -> ${currents[i]} in one minute is smooth`);
    }
  });

  it('forcing a current moves the powers, the neutral current and the totals with it', () => {
    const { meter } = meterAt();
    const before = decodeBlock(meter, 'instantaneous');
    meter.override('I1', 80);
    const after = decodeBlock(meter, 'instantaneous');
    assert.equal(after.I1, 80);
    assertClose(num(after, 'S1'), num(after, 'V1') * 80, 10, 'S1 = V1 x I1');
    assert.ok(num(after, 'P') - num(before, 'P') > 5000, 'total P rises with I1');
    assert.ok(num(after, 'In') > num(before, 'In') + 30, 'the unbalance shows in the neutral');
    assertClose(num(decodeBlock(meter, 'instantaneous16'), 'I1'), 80 / 20, 0.001, 'the secondary table follows');
    meter.override('I1', undefined);
    assert.deepEqual(decodeBlock(meter, 'instantaneous'), before);
  });

  it('pins one field of one block with { blockId, key }', () => {
    const { meter } = meterAt();
    meter.override({ blockId: 'harmonics', key: 'thdI2' }, 42.5);
    assert.equal(decodeBlock(meter, 'harmonics').thdI2, 42.5);
    meter.clearOverrides();
    assert.notEqual(decodeBlock(meter, 'harmonics').thdI2, 42.5);
  });
});

describe('simulator meter: counters over time', () => {
  it('starts with plausible non-zero counters', () => {
    const { meter } = meterAt();
    const e = decodeBlock(meter, 'energies');
    assert.ok(num(e, 'EaPos') > 1000 && num(e, 'hourMeter') > 100, JSON.stringify(e));
    assert.ok(num(decodeBlock(meter, 'instantaneous16'), 'totalEaPos') >= num(e, 'EaPos') / 1000, 'totals hold at least the partial counter');
  });

  it('integrates energies and the hour meter as the clock advances, and nothing while it stands still', () => {
    const { meter, advance } = meterAt();
    const e0 = decodeBlock(meter, 'energies');
    const p0 = num(decodeBlock(meter, 'instantaneous'), 'P');
    assert.deepEqual(decodeBlock(meter, 'energies'), e0, 'no time, no energy');
    advance(3_600_000);
    const e1 = decodeBlock(meter, 'energies');
    const p1 = num(decodeBlock(meter, 'instantaneous'), 'P');
    assertClose(num(e1, 'hourMeter') - num(e0, 'hourMeter'), 1, 0.011, 'one hour on the hour meter');
    const gainedKwh = num(e1, 'EaPos') - num(e0, 'EaPos');
    // About the average active power (kW) times one hour; whole kWh counts, the load drifts.
    assert.ok(gainedKwh >= 0.75 * Math.min(p0, p1) / 1000 - 1 && gainedKwh <= 1.25 * Math.max(p0, p1) / 1000 + 1, `Ea+ +${gainedKwh} kWh for P ${p0}..${p1} W`);
    assert.ok(num(e1, 'Es') - num(e0, 'Es') >= gainedKwh, 'apparent energy grows at least as fast');
    assert.ok(num(e1, 'ErPos') > num(e0, 'ErPos'), 'a lagging load adds Er+');
    assert.equal(e1.EaNeg, e0.EaNeg, 'nothing is exported');
    const legacy = decodeBlock(meter, 'legacyB00');
    assert.equal(legacy.EaPos, e1.EaPos, 'the legacy split counter mirrors Ea+');
  });

  it('holds secondary values in the 16-bit tables: primary / CT ratio', () => {
    const { meter } = meterAt();
    const primary = decodeBlock(meter, 'instantaneous');
    const ratio = 100 / 5;
    for (const blockId of ['instantaneous16', 'legacy16', 'legacyB00']) {
      const secondary = decodeBlock(meter, blockId);
      for (const key of ['I1', 'I2', 'I3']) assertClose(num(secondary, key) * ratio, num(primary, key), 0.001 * ratio, `${blockId}.${key}`);
      for (const key of ['P', 'Q', 'S']) assertClose(num(secondary, key) * ratio, num(primary, key), 10 * ratio, `${blockId}.${key}`);
      for (const key of ['V1', 'U12', 'F', 'PF']) assert.equal(secondary[key], primary[key], `${blockId}.${key} is not ratio-scaled`);
    }
    const legacy32 = decodeBlock(meter, 'legacy32');
    for (const key of ['I1', 'P', 'Q3', 'V2', 'PF1']) assert.equal(legacy32[key], primary[key], `legacy32.${key} is primary`);
  });

  it('keeps the largest sync-period average as max/avg', () => {
    const { meter, advance } = meterAt();
    meter.writeRegisters(36356, [2, 2], 16); // 2 s sync for currents and powers
    meter.writeRegisters(1024, [0x3], 6);
    assert.equal(decodeBlock(meter, 'maxAvg').maxAvgI1, 0, 'reset max/avg starts at 0');
    advance(10_000);
    const normal = num(decodeBlock(meter, 'maxAvg'), 'maxAvgI1');
    assertClose(normal, num(decodeBlock(meter, 'instantaneous'), 'I1'), 0.02 * normal, 'max/avg tracks the average current');
    meter.setLoad(0.5);
    advance(10_000);
    assert.equal(decodeBlock(meter, 'maxAvg').maxAvgI1, normal, 'a lower load keeps the max');
    meter.setLoad(1.5);
    advance(10_000);
    const raised = num(decodeBlock(meter, 'maxAvg'), 'maxAvgI1');
    assert.ok(raised > 1.4 * normal, `a higher load raises it: ${normal} -> ${raised}`);
    assertClose(raised, num(decodeBlock(meter, 'instantaneous'), 'I1'), 0.02 * raised, 'to the new average current');
  });
});

describe('simulator meter: settings', () => {
  it('shares network type and CT ratio between the three settings blocks, and rescales primary values', () => {
    const { meter } = meterAt();
    const before = decodeBlock(meter, 'instantaneous');
    const secondaryBefore = decodeBlock(meter, 'instantaneous16');
    meter.writeRegisters(36354, [200], 6);
    assert.equal(decodeBlock(meter, 'commonSettings').ctPrimary, 200);
    assert.equal(decodeBlock(meter, 'legacySettings').ctPrimary, 200);
    const after = decodeBlock(meter, 'instantaneous');
    assertClose(num(after, 'I1'), 2 * num(before, 'I1'), 0.002, 'I1 doubles');
    assertClose(num(after, 'P'), 2 * num(before, 'P'), 20, 'P doubles');
    assert.equal(after.V1, before.V1, 'voltages do not depend on the CT');
    assert.deepEqual(decodeBlock(meter, 'instantaneous16'), secondaryBefore, 'what the meter measures (secondary) is unchanged');
    meter.writeRegisters(57344, [6, 1, 200], 16); // 2NBL, CT 200 / 1 A
    assert.equal(decodeBlock(meter, 'applicationSettings').networkType, '2NBL');
    assertClose(num(decodeBlock(meter, 'instantaneous'), 'I1'), 10 * num(before, 'I1'), 0.01, 'ratio 200');
  });

  it('refuses a value out of range, outside the enum or not allowed with exception 3, changing nothing', () => {
    const { meter } = meterAt();
    const blocks = ['applicationSettings', 'commonSettings', 'legacySettings'].map((id) => getBlock(id));
    const image = (): number[][] => blocks.map((b) => meter.peek(b.start, b.size));
    const before = image();
    const refused: Array<[number, number[]]> = [
      [36352, [7]], // network type 7 is not in the enum
      [512, [6]], // the legacy block has no 2NBL
      [36353, [2]], // CT secondary is 1 or 5
      [36354, [0]], // CT primary 1..10000
      [57346, [10001]],
      [36367, [100]], // hysteresis 0..99
      [36364, [0]], // alarm delay 1..999
      [36356, [3]], // sync period not in the list
      [36352, [3, 5, 250, 0, 4]], // a good multi-write with one bad word (sync 4)
    ];
    for (const [address, values] of refused) {
      assert.equal(exceptionCode(() => meter.writeRegisters(address, values, values.length === 1 ? 6 : 16)), 3, `write ${values} at ${address}`);
    }
    assert.deepEqual(image(), before, 'no refused write changed a register');
    assert.equal(meter.hasPendingSettings(), false);
  });

  it('accepts and keeps reserved words inside a settings block', () => {
    const { meter } = meterAt();
    const whole = meter.peek(36352, 18);
    whole[3] = 0x1234; // 36355 is reserved
    meter.writeRegisters(36352, whole, 16);
    assert.deepEqual(meter.peek(36352, 18), whole);
  });

  it('keeps written settings after a restart only when stored (0xA1), and restores defaults with 0xC3', () => {
    const { meter, advance } = meterAt();
    meter.writeRegisters(36354, [250], 6);
    assert.equal(decodeBlock(meter, 'applicationSettings').ctPrimary, 250, 'readable at once');
    assert.equal(meter.hasPendingSettings(), true);
    meter.writeRegisters(57856, [0xb2], 6);
    assert.equal(meter.isRestarting(), true);
    advance(1999);
    assert.equal(meter.isRestarting(), true, 'silent for the restart time');
    advance(1);
    assert.equal(meter.isRestarting(), false);
    assert.equal(decodeBlock(meter, 'applicationSettings').ctPrimary, 100, 'an unstored change is lost');

    meter.writeRegisters(36354, [250], 6);
    meter.writeRegisters(57856, [0xa1], 6);
    assert.equal(meter.hasPendingSettings(), false);
    meter.writeRegisters(57856, [0xb2], 6);
    advance(2000);
    assert.equal(decodeBlock(meter, 'applicationSettings').ctPrimary, 250, 'a stored change survives');

    meter.writeRegisters(57856, [0xc3], 6);
    assert.equal(decodeBlock(meter, 'applicationSettings').ctPrimary, 100, 'factory configuration');
    meter.writeRegisters(57856, [0xb2], 6);
    advance(2000);
    assert.equal(decodeBlock(meter, 'legacySettings').ctPrimary, 100, 'and it is kept');
    assert.equal(exceptionCode(() => meter.writeRegisters(57856, [0x55], 6)), 3, 'unknown action');
  });
});

describe('simulator meter: reset command 1024', () => {
  const snapshot = (meter: DirisMeter): Decoded => {
    const e = decodeBlock(meter, 'energies');
    const m = decodeBlock(meter, 'maxAvg');
    const t = decodeBlock(meter, 'instantaneous16');
    return {
      hourMeter: e.hourMeter, EaPos: e.EaPos, ErPos: e.ErPos, Es: e.Es, EaNeg: e.EaNeg, ErNeg: e.ErNeg,
      maxAvgI1: m.maxAvgI1, maxAvgI2: m.maxAvgI2, maxAvgI3: m.maxAvgI3, maxAvgIn: m.maxAvgIn,
      maxAvgPPos: m.maxAvgPPos, maxAvgQPos: m.maxAvgQPos, maxAvgS: m.maxAvgS,
      totalEaPos: t.totalEaPos, totalEaNeg: t.totalEaNeg, totalErPos: t.totalErPos, totalErNeg: t.totalErNeg,
    };
  };
  const cases: Array<[number, string[]]> = [
    [0x1, ['maxAvgI1', 'maxAvgI2', 'maxAvgI3', 'maxAvgIn']],
    [0x2, ['maxAvgPPos', 'maxAvgQPos', 'maxAvgS']],
    [0x40, ['hourMeter']],
    [0x80, ['EaPos']],
    [0x100, ['ErPos']],
    [0x200, ['Es']],
    [0x400, ['EaNeg']],
    [0x800, ['ErNeg']],
    [0x80 | 0x400, ['EaPos', 'EaNeg']],
    [0x1000, ['hourMeter', 'EaPos', 'ErPos', 'Es', 'EaNeg', 'ErNeg', 'maxAvgI1', 'maxAvgI2', 'maxAvgI3', 'maxAvgIn', 'maxAvgPPos', 'maxAvgQPos', 'maxAvgS']],
  ];
  for (const [mask, cleared] of cases) {
    it(`0x${mask.toString(16)} clears exactly ${cleared.length > 4 ? 'every partial counter and max/avg' : cleared.join(', ')}, never the totals`, () => {
      const { meter } = meterAt();
      const before = snapshot(meter);
      for (const key of Object.keys(before)) assert.notEqual(before[key], 0, `${key} starts non-zero`);
      meter.writeRegisters(1024, [mask], 6);
      const after = snapshot(meter);
      const expected = { ...before, ...Object.fromEntries(cleared.map((key) => [key, 0])) };
      assert.deepEqual(after, expected);
    });
  }

  it('refuses undefined bits with exception 3 and function 16 with exception 1, clearing nothing', () => {
    const { meter } = meterAt();
    const before = snapshot(meter);
    assert.equal(exceptionCode(() => meter.writeRegisters(1024, [0x4], 6)), 3);
    assert.equal(exceptionCode(() => meter.writeRegisters(1024, [0x80 | 0x2000], 6)), 3);
    assert.equal(exceptionCode(() => meter.writeRegisters(1024, [0x80], 16)), 1);
    assert.deepEqual(snapshot(meter), before);
  });
});

describe('simulator meter: threshold alarm', () => {
  it('raises an upper alarm after the delay, reports cause, max value and duration, and clears with hysteresis', () => {
    const { meter, advance } = meterAt();
    // Alarm on I, upper threshold 50 A (raw mA), 3 s delay, 10 % hysteresis.
    meter.writeRegisters(36363, [1, 3, 50000, 0, 10], 16);
    const alarm = (): Decoded => decodeBlock(meter, 'alarms');
    meter.override('I2', 60);
    advance(2000);
    assert.equal(alarm().upperAlarmCause, 'none', 'not before the delay');
    advance(2000);
    assert.equal(alarm().upperAlarmCause, 'I2');
    assert.equal(alarm().upperAlarmValue, 60000);
    meter.override('I2', 65);
    advance(5000);
    assert.deepEqual(alarm(), { lowerAlarmCause: 'none', lowerAlarmValue: 0, upperAlarmCause: 'I2', upperAlarmValue: 65000, alarmDuration: 6 });
    assert.deepEqual(decodeBlock(meter, 'legacyAlarms'), alarm(), 'the legacy alarm block shows the same');
    meter.override('I2', 46); // below 50 A but inside the 10 % hysteresis
    advance(1000);
    assert.equal(alarm().upperAlarmCause, 'I2', 'still active inside the hysteresis');
    meter.override('I2', 44);
    advance(1000);
    assert.deepEqual(alarm(), { lowerAlarmCause: 'none', lowerAlarmValue: 0, upperAlarmCause: 'none', upperAlarmValue: 0, alarmDuration: 0 });
  });

  it('raises a lower alarm on a voltage dip, and the output follows the alarm when allocated to it', () => {
    const { meter, advance } = meterAt();
    meter.writeRegisters(36358, [2], 6); // output allocated to the alarm
    meter.writeRegisters(36363, [4, 1, 65535, 22000, 2], 16); // V, 1 s, lower 220.00 V
    meter.override('V3', 205.5);
    advance(1500);
    const alarm = decodeBlock(meter, 'alarms');
    assert.equal(alarm.lowerAlarmCause, 'V3');
    assert.equal(alarm.lowerAlarmValue, 20550);
    assert.deepEqual((decodeBlock(meter, 'inputsOutputs').outputStates as Record<string, boolean>).output1, true);
    meter.override('V3', undefined);
    advance(1000);
    assert.equal(decodeBlock(meter, 'alarms').lowerAlarmCause, 'none');
    assert.equal((decodeBlock(meter, 'inputsOutputs').outputStates as Record<string, boolean>).output1, false);
  });
});

describe('simulator meter: inputs and outputs', () => {
  it('shows the states set through the hook in both input blocks', () => {
    const { meter } = meterAt();
    meter.setInputs([true, false, true]);
    meter.setOutputs([true]);
    assert.deepEqual(decodeBlock(meter, 'inputs'), { input1: true, input2: false, input3: true });
    const io = decodeBlock(meter, 'inputsOutputs');
    assert.equal(io.inputCount, 3);
    assert.equal(io.outputCount, 1);
    assert.equal(meter.peek(51969, 1)[0], 0b101);
    assert.equal(meter.peek(51971, 1)[0], 0b1);
  });
});

describe('simulator meter: Modbus rules', () => {
  it('answers exception 2 past a block end or at an undefined address, 3 for 126 registers', () => {
    const { meter } = meterAt();
    assert.equal(meter.readHoldingRegisters(50590, 2).length, 2, 'the last words of a block read fine');
    assert.equal(exceptionCode(() => meter.readHoldingRegisters(50590, 3)), 2, 'one word past the end');
    assert.equal(exceptionCode(() => meter.readHoldingRegisters(60000, 1)), 2, 'no block there');
    assert.equal(exceptionCode(() => meter.readHoldingRegisters(0, 60)), 2, 'block 0 is 58 words');
    assert.equal(exceptionCode(() => meter.readHoldingRegisters(50512, 126)), 3);
    assert.equal(meter.readHoldingRegisters(768, 125).length, 125, '125 words inside a 150-word block');
  });

  it('refuses reads of command registers and writes to info blocks with exception 1, changing nothing', () => {
    const { meter } = meterAt();
    const identity = meter.peek(50000, 66);
    assert.equal(exceptionCode(() => meter.readHoldingRegisters(57856, 1)), 1);
    assert.equal(exceptionCode(() => meter.readHoldingRegisters(1024, 1)), 1);
    assert.equal(exceptionCode(() => meter.writeRegisters(50000, [0x41], 6)), 1);
    assert.equal(exceptionCode(() => meter.writeRegisters(50512, [1, 2], 16)), 1);
    assert.equal(exceptionCode(() => meter.writeRegisters(57857, [0xa1], 6)), 2, 'no command at 57857');
    assert.equal(exceptionCode(() => meter.writeRegisters(57856, [0xa1], 16)), 1, 'commands take function 6 only');
    assert.deepEqual(meter.peek(50000, 66), identity);
  });

  it('keeps block 0 read-only unless unlockFactory is on; accepts industrialization writes', () => {
    const locked = meterAt().meter;
    const before = locked.peek(0, 58);
    assert.equal(locked.readHoldingRegisters(0, 58).length, 58);
    assert.equal(exceptionCode(() => locked.writeRegisters(52, [9], 6)), 1);
    assert.deepEqual(locked.peek(0, 58), before);
    const unlocked = meterAt({ unlockFactory: true }).meter;
    unlocked.writeRegisters(52, [9], 6);
    assert.equal(unlocked.peek(52, 1)[0], 9);
    locked.writeRegisters(36845, [100, 140], 16);
    assert.deepEqual(locked.peek(36845, 2), [100, 140]);
  });
});

describe('simulator bus', () => {
  it('gives each unit id its own meter, ignores others, and hides a restarting meter', () => {
    let nowMs = START_MS;
    const bus = new DirisBus([5, 6], { clock: () => nowMs });
    const five = bus.lookup(5) as DirisMeter;
    const six = bus.lookup(6) as DirisMeter;
    assert.ok(five && six && five !== six);
    assert.equal(bus.lookup(7), undefined);
    assert.notDeepEqual(five.peek(50528, 2), six.peek(50528, 2), 'different meters, different currents');
    five.writeRegisters(36354, [300], 6);
    assert.equal(six.setting('ctPrimary'), 100, 'settings are per meter');
    five.writeRegisters(57856, [0xb2], 6);
    assert.equal(bus.lookup(5), undefined, 'silent while restarting');
    nowMs += 2000;
    assert.equal(bus.lookup(5), five);
  });

  it('performs a broadcast write (unit id 0) on every meter', () => {
    const bus = new DirisBus([5, 6], { clock: () => START_MS });
    bus.lookup(0)!.writeRegisters(36354, [400], 6);
    assert.deepEqual([...bus.meters.values()].map((m) => m.setting('ctPrimary')), [400, 400]);
  });
});

describe('simulated meter: refreshMs (load tests)', () => {
  const block = getBlock('instantaneous');
  const read = (meter: DirisMeter): number[] => meter.readHoldingRegisters(block.start, block.size);

  it('serves a measurement block unchanged for refreshMs of its clock, then computes it again', () => {
    const { meter, advance } = meterAt({ refreshMs: 1000 });
    const first = read(meter);
    advance(900);
    assert.deepEqual(read(meter), first, 'within refreshMs: the same words');
    advance(200);
    assert.notDeepEqual(read(meter), first, 'after refreshMs: values of the new time');
  });

  it('refreshes at once after an override or a write, whatever refreshMs says', () => {
    const { meter } = meterAt({ refreshMs: 60_000 });
    const before = decodeBlock(meter, 'instantaneous');
    read(meter);
    meter.override('I1', 80);
    assert.equal(num(decodeBlock(meter, 'instantaneous'), 'I1'), 80);
    meter.override('I1', undefined);
    assert.equal(num(decodeBlock(meter, 'instantaneous'), 'I1'), num(before, 'I1'));
  });

  it('computes every read without it, as before', () => {
    const { meter, advance } = meterAt();
    const first = read(meter);
    advance(100);
    assert.notDeepEqual(read(meter), first);
  });

  it('refuses a negative refreshMs, naming it', () => {
    assert.throws(() => new DirisMeter({ refreshMs: -1 }), /refreshMs must be >= 0, got -1/);
  });
});
