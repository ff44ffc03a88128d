import assert from 'node:assert/strict';
import { decodeField } from '../../src/codec';
import { DeviceError, DirisDevice } from '../../src/device';
import { getBlock, getField } from '../../src/registers';
import { startSimulator, type Simulator } from '../../src/simulator';
import { startRtuOverTcpServer, startTcpServer, type ModbusUnit, type RunningServer } from '../../src/simulator/protocol';
import { ModbusLink } from '../../src/transport';

/** The value a field holds in the simulator's register image, decoded without Modbus. */
function simValue(sim: Simulator, unitId: number, blockId: string, key: string) {
  const field = getField(blockId, key);
  return decodeField(field, sim.meters.get(unitId)!.peek(field.address, field.words));
}

for (const transport of ['tcp', 'rtu-over-tcp'] as const) {
  describe(`DIRIS device over ${transport} (plain API, no Node-RED)`, () => {
    let sim: Simulator;
    let link: ModbusLink;
    const now = Date.UTC(2026, 0, 1);

    beforeEach(async () => {
      // A fixed clock keeps the simulator's values still between our read and peek.
      sim = await startSimulator({ transport, unitIds: [5, 6], seed: 7, clock: () => now });
      link = new ModbusLink({ transport, host: '127.0.0.1', port: sim.port, timeoutMs: 500, retries: 0 });
    });
    afterEach(async () => {
      await link.close();
      await sim.close();
    });

    it('reads instantaneous, energies, max/avg and harmonics in 4 requests with named, scaled values', async () => {
      const reading = await new DirisDevice(link, 5).readMeasurements({ groups: ['instantaneous', 'energies', 'maxAvg', 'harmonics'] });
      assert.equal(reading.requests, 4);
      assert.equal(link.stats.requests, 4);
      for (const [blockId, key] of [['instantaneous', 'V1'], ['instantaneous', 'P'], ['instantaneous', 'PF'], ['energies', 'EaPos'], ['maxAvg', 'maxAvgI1'], ['harmonics', 'thdI1']]) {
        assert.equal(reading.payload[key], simValue(sim, 5, blockId, key), key);
      }
      assert.ok((reading.payload.V1 as number) > 200 && (reading.payload.V1 as number) < 260, `V1 ${reading.payload.V1}`);
      assert.equal(reading.units.V1, 'V');
      assert.equal(reading.units.EaPos, 'kWh');
      assert.ok(['leading', 'lagging', 'undefined'].includes(reading.payload.pfType as string));
    });

    it('reads a list of groups or fields changed in place as changed (the plan is kept per selection, not per array)', async () => {
      const device = new DirisDevice(link, 5);
      const groups = ['instantaneous'];
      assert.equal('EaPos' in (await device.readMeasurements({ groups })).payload, false);
      groups.push('energies');
      assert.equal(typeof (await device.readMeasurements({ groups })).payload.EaPos, 'number');
      const fields = ['V1'];
      assert.deepEqual(Object.keys((await device.readMeasurements({ fields })).payload), ['V1']);
      fields[0] = 'I1';
      assert.deepEqual(Object.keys((await device.readMeasurements({ fields })).payload), ['I1']);
    });

    it('reads the other unit id on the same link as its own meter', async () => {
      const [a, b] = await Promise.all([new DirisDevice(link, 5).readMeasurements({ fields: ['I1'] }), new DirisDevice(link, 6).readMeasurements({ fields: ['I1'] })]);
      assert.equal(a.payload.I1, simValue(sim, 5, 'instantaneous', 'I1'));
      assert.equal(b.payload.I1, simValue(sim, 6, 'instantaneous', 'I1'));
      assert.notEqual(a.payload.I1, b.payload.I1);
    });

    it('identifies the meter', async () => {
      const identity = await new DirisDevice(link, 5).readIdentity({ details: true });
      assert.equal(identity.signature, 'SOCO');
      assert.equal(identity.family, 'Diris');
      assert.equal(identity.productName, 'DIRIS A20');
      assert.match(identity.productVersion, /^\d+\.\d+\.\d+\.\d+$/);
      assert.deepEqual(Object.keys(identity.details ?? {}), ['customization', 'calibration', 'legacyOptions']);
    });

    it('writes settings all-or-nothing, stores them and reports what changed', async () => {
      const device = new DirisDevice(link, 5);
      const block = getBlock('applicationSettings');
      const before = sim.meters.get(5)!.peek(block.start, block.size);
      await assert.rejects(device.writeSettings({ ctPrimary: 150, networkType: 'bogus' }), (err: DeviceError) => err.kind === 'input' && err.problems?.length === 1);
      assert.deepEqual(sim.meters.get(5)!.peek(block.start, block.size), before, 'a refused payload writes nothing');

      const dry = await device.writeSettings({ ctPrimary: 150 }, { dryRun: true });
      assert.deepEqual(dry.changed.ctPrimary?.to, 150);
      assert.deepEqual(sim.meters.get(5)!.peek(block.start, block.size), before, 'a dry run writes nothing');

      const result = await device.writeSettings({ ctPrimary: 150, ctSecondary: 1, networkType: '3NBL' });
      assert.deepEqual(result.changed.ctPrimary, { from: dry.changed.ctPrimary.from, to: 150 });
      assert.equal(result.payload.networkType, '3NBL');
      assert.equal(result.writes, 2, 'one write for the three contiguous fields, one store command');
      assert.equal(simValue(sim, 5, 'applicationSettings', 'ctPrimary'), 150);
      assert.equal(sim.meters.get(5)!.hasPendingSettings(), false, 'the store command was sent');
    });

    it('undoes a settings write that needs two requests when the meter refuses the second, and says what it restored', async () => {
      const device = new DirisDevice(link, 5);
      const meter = sim.meters.get(5)!;
      const block = getBlock('applicationSettings');
      const before = meter.peek(block.start, block.size);
      assert.equal(simValue(sim, 5, 'applicationSettings', 'networkType'), '4NBL');
      // networkType (36352) and syncCurrentAvgMax (36356) are two write requests.
      sim.server.faults.refuseWrite = { nth: 2, code: 4 };
      await assert.rejects(device.writeSettings({ networkType: '4BL', syncCurrentAvgMax: '5min' }), (err: DeviceError) => {
        assert.equal(err.kind, 'exception');
        assert.equal(err.modbusCode, 4);
        assert.match(err.message, /^meter 5 on .*: writing syncCurrentAvgMax \(applicationSettings \(36352\)\) failed: .*exception 4/);
        assert.match(err.message, /restored networkType = "4NBL"; the meter's settings are as before$/);
        assert.deepEqual(err.restored, ['networkType']);
        assert.equal(err.changedOnMeter, undefined);
        return true;
      });
      assert.deepEqual(meter.peek(block.start, block.size), before, 'the first request was written back');
      assert.equal(meter.hasPendingSettings(), false, 'nothing is left unstored');
    });

    it('lists exactly which settings are changed on the meter when writing them back fails too', async () => {
      const device = new DirisDevice(link, 5);
      // The second request (syncCurrentAvgMax) and the third (networkType written back) are refused.
      sim.server.faults.refuseWrite = { nth: 2, code: 4, count: 2 };
      await assert.rejects(device.writeSettings({ networkType: '4BL', syncCurrentAvgMax: '5min' }), (err: DeviceError) => {
        assert.equal(err.kind, 'exception');
        assert.match(err.message, /writing syncCurrentAvgMax .* failed: .*exception 4.*; restoring failed: now changed on the meter \(not stored\): networkType = "4BL" \(was "4NBL"\)$/);
        assert.deepEqual(err.changedOnMeter, { networkType: { from: '4NBL', to: '4BL' } });
        assert.deepEqual(err.restored, []);
        return true;
      });
      // The error told the truth: the meter holds exactly that change.
      assert.equal(simValue(sim, 5, 'applicationSettings', 'networkType'), '4BL');
      assert.equal(simValue(sim, 5, 'applicationSettings', 'syncCurrentAvgMax'), '15min');
      sim.server.faults.refuseWrite = undefined;
      const fixed = await device.writeSettings({ networkType: '4NBL' });
      assert.deepEqual(fixed.changed, { networkType: { from: '4BL', to: '4NBL' } });
    });

    it('says which settings may be changed when a write gets no answer, after trying to write them back', async () => {
      // The meter applies each write at once, but from its first write on answers after the timeout:
      // the write and its undo both go unanswered.
      const meter = sim.meters.get(5)!;
      const slowAfterWrite: ModbusUnit = {
        readHoldingRegisters: (address, count) => meter.readHoldingRegisters(address, count),
        writeRegisters: (address, values, fn) => {
          meter.writeRegisters(address, values, fn);
          server.faults.latencyMs = 250;
        },
      };
      const options = { host: '127.0.0.1', port: 0, units: (unitId: number) => (unitId === 5 ? slowAfterWrite : undefined) };
      const server: RunningServer = transport === 'tcp' ? await startTcpServer(options) : await startRtuOverTcpServer(options);
      const quick = new ModbusLink({ transport, host: '127.0.0.1', port: server.port, timeoutMs: 150, retries: 0 });
      try {
        await assert.rejects(new DirisDevice(quick, 5).writeSettings({ networkType: '4BL' }), (err: DeviceError) => {
          assert.equal(err.kind, 'timeout');
          assert.match(err.message, /writing networkType .*no answer within 150 ms; maybe changed on the meter \(no answer\): networkType = "4BL" \(was "4NBL"\)$/);
          assert.deepEqual(err.problems, ['networkType may be "4BL" on the meter']);
          return true;
        });
        // It was written back, late: the meter is as before.
        assert.equal(simValue(sim, 5, 'applicationSettings', 'networkType'), '4NBL');
      } finally {
        await quick.close();
        await server.close();
      }
    });

    it('undoes written settings when the store command fails', async () => {
      const device = new DirisDevice(link, 5);
      const meter = sim.meters.get(5)!;
      const block = getBlock('applicationSettings');
      const before = meter.peek(block.start, block.size);
      // One write for the run, then the store command (0xA1) is refused.
      sim.server.faults.refuseWrite = { nth: 2, code: 4 };
      await assert.rejects(device.writeSettings({ ctPrimary: 150 }), (err: DeviceError) => {
        assert.match(err.message, /command store .*failed: .*exception 4.*restored ctPrimary = \d+; the meter's settings are as before$/);
        return true;
      });
      assert.deepEqual(meter.peek(block.start, block.size), before);
      assert.equal(meter.hasPendingSettings(), false);
    });

    it('resets exactly what it is asked and allowed to', async () => {
      const device = new DirisDevice(link, 5);
      const energyBefore = simValue(sim, 5, 'energies', 'EaPos') as number;
      assert.ok(energyBefore > 0);
      const result = await device.reset('hourMeter', ['hourMeter']);
      assert.deepEqual(result, { mask: 0x40, reset: ['hourMeter'] });
      assert.equal(simValue(sim, 5, 'energies', 'hourMeter'), 0);
      assert.equal(simValue(sim, 5, 'energies', 'EaPos'), energyBefore);
      await assert.rejects(device.reset('energies', ['hourMeter']), /not allowed by this node/);
    });

    it('fails clearly, naming the meter and the block, when a unit id does not answer', async () => {
      sim.server.faults.silentUnits.add(6);
      await assert.rejects(new DirisDevice(link, 6).readMeasurements({ fields: ['I1'] }), (err: DeviceError) => {
        assert.equal(err.kind, 'timeout');
        assert.match(err.message, /meter 6 on .*instantaneous \(50512\)/);
        return true;
      });
      const healthy = await new DirisDevice(link, 5).readMeasurements({ fields: ['I1'] });
      assert.equal(healthy.payload.I1, simValue(sim, 5, 'instantaneous', 'I1'));
    });
  });
}
