import assert from 'node:assert/strict';
import { decodeField } from '../../src/codec';
import { DeviceError, DirisDevice, MEASUREMENT_GROUPS, measurementGroupsOf } from '../../src/device';
import { getProfile, profileBlock, type ModelId } from '../../src/registers';
import { DirisMeter, startSimulator, type Simulator } from '../../src/simulator';
import { ModbusLink } from '../../src/transport';

/** One meter of each model on one line. */
const LINE: Record<number, ModelId> = { 5: 'A20', 6: 'A10', 7: 'A14', 8: 'E14', 9: 'E23', 10: 'E34' };
const UNIT_IDS = Object.keys(LINE).map(Number);

async function failure(promise: Promise<unknown>): Promise<DeviceError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DeviceError, `expected a DeviceError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

describe('every Socomec model on one line (plain API over loopback TCP)', () => {
  let sim: Simulator;
  let link: ModbusLink;
  const now = Date.UTC(2026, 0, 1);

  beforeEach(async () => {
    sim = await startSimulator({ transport: 'tcp', unitIds: [...UNIT_IDS, 11], models: LINE, seed: 3, clock: () => now, meter: { restartMs: 0 } });
    link = new ModbusLink({ transport: 'tcp', host: '127.0.0.1', port: sim.port, timeoutMs: 500, retries: 0 });
  });
  afterEach(async () => {
    await link.close();
    await sim.close();
  });

  it('identifies each model and polls it in the fewest requests its blocks allow, with its own fields only', async () => {
    for (const unitId of UNIT_IDS) {
      const profile = getProfile(LINE[unitId]);
      const device = new DirisDevice(link, unitId, { model: 'auto' });
      const identity = await device.readIdentity();
      assert.equal(identity.model, profile.id, `unit ${unitId}`);
      assert.equal(identity.modelName, profile.name);

      const groups = measurementGroupsOf(profile);
      const before = link.stats.requests;
      const reading = await device.readMeasurements({ groups });
      // Every group's fields lie in one block of at most 125 words: one request per block.
      const blocks = new Set(groups.map((g) => ({ instantaneous: 'instantaneous', energies: 'energies', maxAvg: 'maxAvg', harmonics: 'harmonics', fineEnergies: 'fineEnergies', tariffEnergies: 'tariffEnergies', temperatures: 'temperatures' })[g]));
      assert.equal(reading.requests, blocks.size, `${profile.name}: ${groups.join(', ')}`);
      assert.equal(link.stats.requests - before, blocks.size, 'the model was identified once, by readIdentity');

      // Each value is the simulator's register image decoded with the model's own field.
      const meter = sim.meters.get(unitId)!;
      for (const [key, value] of Object.entries(reading.payload)) {
        const block = [...blocks].map((id) => profileBlock(profile, id)).find((b) => b?.fields.some((f) => f.key === key && !f.reserved))!;
        const field = block.fields.find((f) => f.key === key)!;
        assert.deepEqual(value, decodeField(field, meter.peek(field.address, field.words)), `${profile.name} ${key}`);
      }
      // ... and the physics to the table's resolution.
      const m = meter.measurements();
      assert.ok(Math.abs((reading.payload.V1 as number) - m.V1) <= 0.005 + 1e-9, `${profile.name} V1 ${reading.payload.V1} vs ${m.V1}`);
      assert.ok(Math.abs((reading.payload.P as number) - m.P) <= 5 + 1e-9, `${profile.name} P ${reading.payload.P} vs ${m.P}`);
    }
  });

  it('leaves identity fields a model\'s table does not have out of the identity', async () => {
    const e14 = await new DirisDevice(link, 8, { model: 'auto' }).readIdentity();
    for (const key of ['buildDate', 'baseVersion', 'customizationVlo', 'customizationLoaded', 'options', 'optionSlots', 'retrofitActivated']) {
      assert.ok(!(key in e14), `a Countis E14 identity has no ${key}`);
    }
    assert.match(e14.productVersion, /^\d+\.\d+$/, 'major.minor only: revision and build are reserved');
    const a20 = await new DirisDevice(link, 5, { model: 'auto' }).readIdentity();
    assert.ok('buildDate' in a20 && 'optionSlots' in a20);
  });

  it('identifies a unit id once when several callers meet it at the same time', async () => {
    const before = link.stats.requests;
    await Promise.all([7, 7, 7].map((unitId) => new DirisDevice(link, unitId, { model: 'auto' }).readMeasurements({ groups: ['instantaneous'] })));
    assert.equal(link.stats.requests - before, 1 + 3, 'one identification, three reads');
  });

  it('leaves out what a model does not have, never 0', async () => {
    const read = (unitId: number) => new DirisDevice(link, unitId, { model: 'auto' }).readMeasurements({ groups: ['instantaneous', 'energies'] });
    const a10 = await read(6);
    assert.ok(!('iSys' in a10.payload) && !('vUnbalance' in a10.payload), 'A-10 has no Isys, no unbalance');
    assert.ok('pfIec' in a10.payload && 'hourMeter' in a10.payload);
    const e14 = await read(8);
    for (const key of ['V2', 'I2', 'U12', 'hourMeter', 'P2']) assert.ok(!(key in e14.payload), `E14 has no ${key}`);
    assert.ok(typeof e14.payload.totalEaPos === 'number' && typeof e14.payload.EaPos === 'number');
    const e34 = await read(10);
    for (const key of ['Es', 'ErNeg', 'totalErNeg', 'iSys']) assert.ok(!(key in e34.payload), `E34 has no ${key}`);
    assert.equal(e14.units.F, 'Hz');
  });

  it('writes settings with each model\'s codings and reads them back; refuses a model without the block', async () => {
    const a10 = new DirisDevice(link, 6, { model: 'auto' });
    const result = await a10.writeSettings({ ctSecondary: 1, ctPrimary: 200 });
    assert.deepEqual(result.changed.ctSecondary, { from: 5, to: 1 });
    assert.equal(sim.meters.get(6)!.peek(36353, 1)[0], 0, 'the A-10 codes 1 A as 0 at 36353');
    assert.equal((await a10.readSettings('commonSettings')).payload.ctSecondary, 1, 'and as 1 at 57345');

    const e34 = new DirisDevice(link, 10, { model: 'auto' });
    const written = await e34.writeSettings({ ctPrimary: 400, syncTopSeconds: 600 }, { block: 'commonSettings' });
    assert.equal(written.payload.ctPrimary, 400);
    assert.equal(written.payload.syncTopSeconds, 600);
    assert.equal(sim.meters.get(10)!.hasPendingSettings(), false, 'stored with 0xA1');

    const refused = await failure(new DirisDevice(link, 8, { model: 'auto' }).writeSettings({ ctPrimary: 100 }));
    assert.equal(refused.kind, 'input');
    assert.match(refused.message, /Countis E14 has no applicationSettings block \(its settings blocks: none\)/);
  });

  it('resets with each model\'s own command registers', async () => {
    const e23 = new DirisDevice(link, 9, { model: 'auto' });
    const before = await e23.readMeasurements({ groups: ['energies'] });
    const result = await e23.reset('energies', ['energies']);
    assert.deepEqual(result.reset, ['activeEnergyPos', 'reactiveEnergyPos', 'apparentEnergy', 'activeEnergyNeg', 'reactiveEnergyNeg']);
    const after = await e23.readMeasurements({ groups: ['energies'] });
    for (const key of ['EaPos', 'ErPos', 'Es', 'EaNeg', 'ErNeg']) assert.equal(after.payload[key], 0, key);
    assert.equal(after.payload.totalEaPos, before.payload.totalEaPos, 'totals are not resettable');

    const a14 = new DirisDevice(link, 7, { model: 'auto' });
    await a14.reset(['activeEnergyPos'], ['energies']);
    assert.equal((await a14.readMeasurements({ fields: ['EaPos'] })).payload.EaPos, 0);

    const e14 = new DirisDevice(link, 8, { model: 'auto' });
    const noHour = await failure(e14.reset('hourMeter', ['hourMeter']));
    assert.match(noHour.message, /Countis E14 has no "hourMeter" reset/);
    const noFactory = await failure(e14.loadFactoryConfiguration());
    assert.match(noFactory.message, /Countis E14 has no factoryConfig command/);
  });

  it('fails clearly when a pinned model disagrees with the meter, and reads with the pin otherwise', async () => {
    const wrong = await failure(new DirisDevice(link, 6, { model: 'A20' }).readMeasurements());
    assert.equal(wrong.kind, 'model-mismatch');
    assert.match(wrong.message, /set to model DIRIS A-20 but the meter identifies as DIRIS A-10/);
    const right = await new DirisDevice(link, 6, { model: 'A10' }).readMeasurements();
    assert.ok(typeof right.payload.V1 === 'number');
  });

  it('names a Socomec product without a profile, while read-identity still works', async () => {
    await sim.close();
    await link.close();
    sim = await startSimulator({ transport: 'tcp', unitIds: [12], seed: 3, clock: () => now, meter: { productName: 'DIRIS B30' } });
    link = new ModbusLink({ transport: 'tcp', host: '127.0.0.1', port: sim.port, timeoutMs: 500, retries: 0 });
    const device = new DirisDevice(link, 12, { model: 'auto' });
    const identity = await device.readIdentity();
    assert.equal(identity.productName, 'DIRIS B30');
    assert.equal(identity.model, null);
    for (const attempt of [device.readMeasurements(), device.readSettings(), device.reset('all', ['all']), device.readAlarms()]) {
      const err = await failure(attempt);
      assert.equal(err.kind, 'unsupported-model');
      assert.match(err.message, /DIRIS B30 .*has no register profile in this package \(supported: DIRIS A-10, .*\)/);
    }
  });

  it('reads a DIRIS A-10 with the 0.1 API (no model): identity and measurements, no exception 2', async () => {
    // 0.1 read 4 words at 36096 and 80 at 50512 from every meter: an A-10 answered exception 2 to both.
    const identity = await new DirisDevice(link, 6).readIdentity();
    assert.equal(identity.model, 'A10');
    assert.deepEqual(identity.options, { metering: false, communication: true, inputsOutputs: true });
    const reading = await new DirisDevice(link, 6).readMeasurements();
    assert.equal(typeof reading.payload.pfIec, 'number');
  });

  it('reads a meter with a customised name with its pinned model; auto refuses it, naming the product', async () => {
    sim.bus.meters.set(5, new DirisMeter({ model: 'A10', productName: 'PLANT 3 FEEDER', extendedName: 'FEEDER', clock: () => now }));
    const auto = await failure(new DirisDevice(link, 5, { model: 'auto' }).readMeasurements());
    assert.equal(auto.kind, 'unsupported-model');
    assert.match(auto.message, /PLANT 3 FEEDER \/ FEEDER has no register profile/);
    const pinned = await new DirisDevice(link, 5, { model: 'A10' }).readMeasurements();
    assert.ok(!('iSys' in pinned.payload) && typeof pinned.payload.V1 === 'number');
  });

  it('without a model (code from before profiles) reads the A-20 table and switches after an exception 2', async () => {
    const device = new DirisDevice(link, 6);
    const reading = await device.readMeasurements({ groups: ['instantaneous'] });
    assert.ok(!('iSys' in reading.payload), 'read with the A-10 table');
    assert.equal(typeof reading.payload.V1, 'number');
  });

  it('identifies a meter again after an exception 2 (the meter at a unit id was replaced by another model)', async () => {
    const device = new DirisDevice(link, 5, { model: 'auto' });
    assert.ok('iSys' in (await device.readMeasurements()).payload, 'an A-20 first');
    sim.bus.meters.set(5, new DirisMeter({ model: 'A10', clock: () => now }));
    const reading = await device.readMeasurements();
    assert.ok(!('iSys' in reading.payload) && typeof reading.payload.V1 === 'number', 'then read with the A-10 table, no error');
    assert.equal((await device.readIdentity()).model, 'A10');
  });

  it('identifies a meter again after it restarts', async () => {
    const device = new DirisDevice(link, 5, { model: 'auto' });
    await device.readMeasurements();
    const before = link.stats.requests;
    await device.restart();
    await device.readMeasurements();
    assert.equal(link.stats.requests - before, 1 + 1 + 2, 'restart, identification, two blocks');
  });

  it('lists the groups each model offers', () => {
    assert.deepEqual(measurementGroupsOf(getProfile('A10')), ['instantaneous', 'energies', 'maxAvg', 'harmonics', 'tariffEnergies', 'temperatures']);
    assert.deepEqual(measurementGroupsOf(getProfile('E14')), ['instantaneous', 'energies', 'fineEnergies', 'tariffEnergies']);
    assert.ok(MEASUREMENT_GROUPS.every((g) => measurementGroupsOf(getProfile('A20')).includes(g) || ['fineEnergies', 'tariffEnergies', 'temperatures'].includes(g)));
  });
});
