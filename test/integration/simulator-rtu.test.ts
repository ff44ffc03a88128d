/**
 * The DIRIS simulator over RTU: on a socat pty pair with the real serialport binding on
 * both ends (modbus-serial's buffered RTU client on the other end), and as raw RTU frames
 * over TCP, as a transparent serial gateway forwards them (modbus-serial's telnet client).
 */
import assert from 'node:assert/strict';
import ModbusRTU from 'modbus-serial';
import { decodeField } from '../../src/codec';
import { getBlock, type FieldValue } from '../../src/registers';
import { startSimulator, type Simulator } from '../../src/simulator';
import { closeClient, failureOf } from '../helpers/modbus-test-client';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const START_MS = Date.UTC(2024, 2, 10, 6, 30, 0);
const BAUD_RATE = 19200;
const CLIENT_TIMEOUT_MS = 1000;

function decode(blockId: string, words: number[]): Record<string, FieldValue> {
  const block = getBlock(blockId);
  const decoded: Record<string, FieldValue> = {};
  for (const field of block.fields) {
    if (field.reserved) continue;
    decoded[field.key] = decodeField(field, words.slice(field.address - block.start, field.address - block.start + field.words));
  }
  return decoded;
}

interface Link {
  simulator: Simulator;
  client: ModbusRTU;
  close(): Promise<void>;
}

async function rtuOnPty(clock: () => number): Promise<Link> {
  const pty: PtyPair = await openPtyPair();
  let simulator: Simulator | undefined;
  const client = new ModbusRTU();
  client.on('error', () => undefined);
  const close = async (): Promise<void> => {
    await closeClient(client);
    await simulator?.close();
    await pty.close();
  };
  try {
    simulator = await startSimulator({ transport: 'rtu', path: pty.a, baudRate: BAUD_RATE, unitIds: [5, 7], clock });
    await client.connectRTUBuffered(pty.b, { baudRate: BAUD_RATE });
  } catch (err) {
    await close();
    throw err;
  }
  client.setTimeout(CLIENT_TIMEOUT_MS);
  client.setID(5);
  return { simulator, client, close };
}

async function rtuOverTcp(clock: () => number): Promise<Link> {
  const simulator = await startSimulator({ transport: 'rtu-over-tcp', port: 0, unitIds: [5, 7], clock });
  const client = new ModbusRTU();
  client.on('error', () => undefined);
  const close = async (): Promise<void> => {
    await closeClient(client);
    await simulator.close();
  };
  try {
    await client.connectTelnet('127.0.0.1', { port: simulator.port });
  } catch (err) {
    await close();
    throw err;
  }
  client.setTimeout(CLIENT_TIMEOUT_MS);
  client.setID(5);
  return { simulator, client, close };
}

const kinds: Array<[string, (clock: () => number) => Promise<Link>]> = [
  ['RTU on a pty pair', rtuOnPty],
  ['RTU over TCP', rtuOverTcp],
];

for (const [name, open] of kinds) {
  describe(`simulator over ${name}`, () => {
    let nowMs: number;
    let link: Link;

    beforeEach(async () => {
      nowMs = START_MS;
      link = await open(() => nowMs);
    });

    afterEach(async () => {
      await link.close();
    });

    it('identifies as a SOCO Diris "DIRIS A20"', async () => {
      const id = decode('identification', (await link.client.readHoldingRegisters(50000, 66)).data);
      assert.deepEqual([id.signature, id.family, id.productName], ['SOCO', 'Diris', 'DIRIS A20']);
    });

    it('reads the instantaneous block exactly as the meter holds it, with sensible values', async () => {
      const words = (await link.client.readHoldingRegisters(50512, 80)).data;
      assert.deepEqual(words, link.simulator.meters.get(5)!.peek(50512, 80));
      const m = decode('instantaneous', words);
      assert.ok((m.V1 as number) > 220 && (m.V1 as number) < 240, `V1 ${m.V1}`);
      assert.ok(Math.abs((m.U23 as number) / (Math.sqrt(3) * (((m.V2 as number) + (m.V3 as number)) / 2)) - 1) < 0.01);
    });

    it('writes settings with function 16, stores them, and keeps them over a restart', async () => {
      await link.client.writeRegisters(36352, [3, 5, 400]); // 3NBL, CT 400 / 5
      await link.client.writeRegister(57856, 0xa1);
      await link.client.writeRegister(57856, 0xb2);
      assert.equal((await failureOf(link.client.readHoldingRegisters(36352, 3))).errno, 'ETIMEDOUT', 'restarting');
      nowMs += 2000;
      assert.deepEqual((await link.client.readHoldingRegisters(36352, 3)).data, [3, 5, 400]);
      assert.deepEqual((await link.client.readHoldingRegisters(512, 3)).data, [3, 5, 400], 'the legacy block agrees');
    });

    it('answers exceptions 2 and 3 and keeps the line usable; unit 7 is another meter', async () => {
      assert.equal((await failureOf(link.client.readHoldingRegisters(51536, 11))).modbusCode, 2, 'harmonics is 10 words');
      assert.equal((await failureOf(link.client.writeRegister(36360, 10))).modbusCode, 3, 'pulse duration 1..9');
      link.client.setID(7);
      const seven = (await link.client.readHoldingRegisters(50528, 2)).data;
      assert.deepEqual(seven, link.simulator.meters.get(7)!.peek(50528, 2));
      assert.notDeepEqual(seven, link.simulator.meters.get(5)!.peek(50528, 2));
    });
  });
}
