/**
 * The DIRIS simulator over Modbus TCP on loopback, read and written with modbus-serial's
 * client and decoded with the package's codec, as a flow would see it.
 */
import assert from 'node:assert/strict';
import ModbusRTU from 'modbus-serial';
import { decodeField } from '../../src/codec';
import { getBlock, type FieldValue } from '../../src/registers';
import { startSimulator, type Simulator } from '../../src/simulator';
import { closeClient, failureOf } from '../helpers/modbus-test-client';

const START_MS = Date.UTC(2024, 5, 1, 12, 0, 0);
// Long enough for a loaded CI machine; a "no answer" check waits this long.
const CLIENT_TIMEOUT_MS = 1000;

type Decoded = Record<string, FieldValue>;

async function readBlock(client: ModbusRTU, blockId: string, count?: number): Promise<Decoded> {
  const block = getBlock(blockId);
  const size = count ?? block.size;
  const words = (await client.readHoldingRegisters(block.start, size)).data;
  const decoded: Decoded = {};
  for (const field of block.fields) {
    if (field.reserved || field.address + field.words > block.start + size) continue;
    decoded[field.key] = decodeField(field, words.slice(field.address - block.start, field.address - block.start + field.words));
  }
  return decoded;
}

const num = (decoded: Decoded, key: string): number => {
  assert.equal(typeof decoded[key], 'number', `${key} is a number`);
  return decoded[key] as number;
};

describe('simulator over Modbus TCP', () => {
  let nowMs: number;
  let simulator: Simulator;
  let client: ModbusRTU;

  beforeEach(async () => {
    nowMs = START_MS;
    simulator = await startSimulator({ transport: 'tcp', port: 0, unitIds: [5, 6], seed: 3, clock: () => nowMs });
    client = new ModbusRTU();
    client.on('error', () => undefined);
    await client.connectTCP('127.0.0.1', { port: simulator.port });
    client.setTimeout(CLIENT_TIMEOUT_MS);
    client.setID(5);
  });

  afterEach(async () => {
    await closeClient(client);
    await simulator.close();
  });

  it('listens on the port it reports, on loopback', () => {
    assert.ok(simulator.port > 0);
    assert.equal(simulator.server.port, simulator.port);
  });

  it('identifies as SOCO / Diris (400) / DIRIS A20 / SOCOMEC', async () => {
    assert.deepEqual((await client.readHoldingRegisters(50000, 4)).data, [0x53, 0x4f, 0x43, 0x4f]);
    const id = await readBlock(client, 'identification');
    assert.equal(id.signature, 'SOCO');
    assert.equal(id.family, 'Diris');
    assert.equal(id.productName, 'DIRIS A20');
    assert.equal(id.vendorName, 'SOCOMEC');
  });

  it('serves instantaneous values that are consistent with each other', async () => {
    const m = await readBlock(client, 'instantaneous');
    assert.ok(Math.abs(num(m, 'U12') / (Math.sqrt(3) * ((num(m, 'V1') + num(m, 'V2')) / 2)) - 1) < 0.01, 'U12 = sqrt(3) V');
    const s = num(m, 'S');
    assert.ok(Math.abs(s * s - (num(m, 'P') ** 2 + num(m, 'Q') ** 2)) / (s * s) < 0.01, 'S^2 = P^2 + Q^2');
    assert.ok(Math.abs(num(m, 'PF') - num(m, 'P') / s) < 0.002, 'PF = P/S');
    assert.ok(Math.abs(num(m, 'P') - (num(m, 'P1') + num(m, 'P2') + num(m, 'P3'))) <= 20, 'P = sum of phases');
    assert.ok(num(m, 'F') >= 49.5 && num(m, 'F') <= 50.5);
  });

  it('counts energy and hours as the injected clock advances', async () => {
    const before = await readBlock(client, 'energies');
    nowMs += 2 * 3_600_000;
    const after = await readBlock(client, 'energies');
    assert.ok(Math.abs(num(after, 'hourMeter') - num(before, 'hourMeter') - 2) <= 0.011, 'two hours');
    assert.ok(num(after, 'EaPos') - num(before, 'EaPos') >= 20, `Ea+ grew by ${num(after, 'EaPos') - num(before, 'EaPos')} kWh in 2 h at ~28 kW`);
  });

  it('rescales primary currents when the CT ratio is written (function 6 and 16)', async () => {
    const i1 = num(await readBlock(client, 'instantaneous', 24), 'I1');
    await client.writeRegister(36354, 300); // CT primary 300 A (was 100)
    assert.ok(Math.abs(num(await readBlock(client, 'instantaneous', 24), 'I1') - 3 * i1) <= 0.003, 'x3');
    await client.writeRegisters(57345, [1, 300]); // secondary 1 A: ratio 300
    assert.ok(Math.abs(num(await readBlock(client, 'instantaneous', 24), 'I1') - 15 * i1) <= 0.015, 'x15');
    assert.deepEqual((await client.readHoldingRegisters(513, 2)).data, [1, 300], 'the legacy block shows the same settings');
  });

  it('refuses an invalid setting with exception 3 and leaves the registers as they were', async () => {
    const meter = simulator.meters.get(5)!;
    const before = meter.peek(36352, 18);
    assert.equal((await failureOf(client.writeRegister(36353, 2))).modbusCode, 3);
    assert.equal((await failureOf(client.writeRegisters(36352, [5, 5, 100, 0, 15, 15, 9]))).modbusCode, 3, 'pulse allocation 9');
    assert.deepEqual(meter.peek(36352, 18), before);
  });

  it('goes silent on restart (0xB2), then comes back without the unstored settings', async () => {
    await client.writeRegister(36354, 150);
    await client.writeRegister(57856, 0xb2);
    assert.equal((await failureOf(client.readHoldingRegisters(50000, 4))).errno, 'ETIMEDOUT', 'no answer while restarting');
    nowMs += 2000;
    assert.deepEqual((await client.readHoldingRegisters(36354, 1)).data, [100], 'unstored CT primary is gone');
    await client.writeRegister(36354, 150);
    await client.writeRegister(57856, 0xa1);
    await client.writeRegister(57856, 0xb2);
    nowMs += 2000;
    assert.deepEqual((await client.readHoldingRegisters(36354, 1)).data, [150], 'a stored one stays');
  });

  it('resets exactly the partial counter asked for, never the 0xC850 totals', async () => {
    const energies = await readBlock(client, 'energies');
    const totals = (await client.readHoldingRegisters(51311, 4)).data;
    await client.writeRegister(1024, 0x80);
    const after = await readBlock(client, 'energies');
    assert.equal(after.EaPos, 0);
    assert.deepEqual({ ...after, EaPos: energies.EaPos }, energies, 'the other counters are untouched');
    assert.deepEqual((await client.readHoldingRegisters(51311, 4)).data, totals);
    assert.equal((await failureOf(client.writeRegister(1024, 0x8))).modbusCode, 3);
  });

  it('raises the alarm an override causes, in both alarm blocks', async () => {
    await client.writeRegisters(36363, [1, 1, 60000, 0, 5]); // I above 60 A for 1 s
    simulator.meters.get(5)!.override('I3', 75.5);
    nowMs += 1000;
    const alarm = await readBlock(client, 'alarms');
    assert.equal(alarm.upperAlarmCause, 'I3');
    assert.equal(alarm.upperAlarmValue, 75500);
    assert.deepEqual(await readBlock(client, 'legacyAlarms'), alarm);
  });

  it('answers exception 2 past a block end and at undefined addresses, 3 for 126 registers, 1 for other functions', async () => {
    assert.equal((await failureOf(client.readHoldingRegisters(50512, 81))).modbusCode, 2, 'instantaneous is 80 words');
    assert.equal((await failureOf(client.readHoldingRegisters(40000, 2))).modbusCode, 2);
    assert.equal((await failureOf(client.readHoldingRegisters(768, 126))).modbusCode, 3);
    assert.equal((await failureOf(client.readCoils(0, 8))).modbusCode, 1);
    assert.equal((await failureOf(client.writeRegister(50528, 1))).modbusCode, 1, 'info blocks are read-only');
    assert.equal((await client.readHoldingRegisters(50512, 80)).data.length, 80, 'the whole block reads fine');
  });

  it('gives each unit id its own meter', async () => {
    await client.writeRegister(36354, 500);
    client.setID(6);
    assert.deepEqual((await client.readHoldingRegisters(36354, 1)).data, [100]);
    assert.equal((await readBlock(client, 'identification', 4)).signature, 'SOCO');
    client.setID(9);
    assert.equal((await failureOf(client.readHoldingRegisters(50000, 4))).errno, 'ETIMEDOUT', 'no meter at 9');
  });

  it('keeps a silent unit quiet while the other answers (live faults)', async () => {
    simulator.server.faults.silentUnits.add(6);
    client.setID(6);
    assert.equal((await failureOf(client.readHoldingRegisters(50000, 4))).errno, 'ETIMEDOUT');
    client.setID(5);
    assert.deepEqual((await client.readHoldingRegisters(50000, 4)).data, [0x53, 0x4f, 0x43, 0x4f]);
    simulator.server.faults.silentUnits.delete(6);
    client.setID(6);
    assert.deepEqual((await client.readHoldingRegisters(50000, 4)).data, [0x53, 0x4f, 0x43, 0x4f]);
  });
});
