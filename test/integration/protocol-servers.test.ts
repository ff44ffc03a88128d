/**
 * The behaviour every slave kind shares, checked with modbus-serial's real client over
 * loopback TCP (Modbus TCP, RTU over TCP) and over a socat pty pair (RTU serial).
 */
import assert from 'node:assert/strict';
import type ModbusRTU from 'modbus-serial';
import type { UnitLookup } from '../../src/simulator/protocol';
import {
  TRANSPORT_KINDS,
  failureOf,
  frameRequest,
  openRawLink,
  startServerUnderTest,
  type ServerUnderTest,
} from '../helpers/modbus-test-client';
import { RegisterUnit, broadcastTo } from '../helpers/register-unit';

const METER_RANGE = { start: 100, count: 50 };

/**
 * Alive handles by kind, read two event-loop turns later: inside a callback Node still counts
 * the timer that is firing, and a closed handle (e.g. an exited child process) is only released
 * in the loop's close phase, which runs after the first setImmediate.
 */
async function activeResourceCounts(): Promise<Map<string, number>> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Resource kinds of which more are alive now than in `before`. */
async function resourcesLeftSince(before: Map<string, number>): Promise<string[]> {
  const extra: string[] = [];
  for (const [name, count] of await activeResourceCounts()) {
    if (count > (before.get(name) ?? 0)) extra.push(`${name} x${count - (before.get(name) ?? 0)}`);
  }
  return extra;
}

for (const kind of TRANSPORT_KINDS) {
  describe(`protocol servers: ${kind}`, () => {
    let meter1: RegisterUnit;
    let meter2: RegisterUnit;
    let units: UnitLookup;
    let running: ServerUnderTest | undefined;

    beforeEach(() => {
      meter1 = new RegisterUnit([METER_RANGE]).set(100, [230_00 % 65536, 4_999, 50, 0xffff]);
      meter2 = new RegisterUnit([METER_RANGE]).set(100, [11, 22, 33]);
      const byId = new Map([
        [1, meter1],
        [2, meter2],
      ]);
      units = (unitId) => (unitId === 0 ? broadcastTo([meter1, meter2]) : byId.get(unitId));
    });

    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    async function start(faults?: Parameters<typeof startServerUnderTest>[2]): Promise<ModbusRTU> {
      running = await startServerUnderTest(kind, units, faults);
      return running.connectClient();
    }

    it('reads holding and input registers the unit holds', async () => {
      const client = await start();
      assert.deepEqual((await client.readHoldingRegisters(100, 4)).data, meter1.get(100, 4));
      assert.deepEqual((await client.readInputRegisters(101, 2)).data, meter1.get(101, 2));
      client.setID(2);
      assert.deepEqual((await client.readHoldingRegisters(100, 3)).data, [11, 22, 33]);
    });

    it('writes one register (function 6) and several (function 16), and reads them back', async () => {
      const client = await start();
      await client.writeRegister(110, 0xa1);
      await client.writeRegisters(120, [1, 2, 3, 65535]);
      assert.deepEqual(meter1.get(110, 1), [0xa1]);
      assert.deepEqual(meter1.writes.map((w) => w.fn), [6, 16]);
      assert.deepEqual((await client.readHoldingRegisters(120, 4)).data, [1, 2, 3, 65535]);
      assert.deepEqual(meter2.get(120, 4), [0, 0, 0, 0], 'another unit is untouched');
    });

    it('answers exception 1 for an unsupported function, 2 outside the unit ranges, 3 for 126 registers', async () => {
      const client = await start();
      assert.equal((await failureOf(client.readCoils(100, 8))).modbusCode, 1);
      assert.equal((await failureOf(client.readHoldingRegisters(140, 20))).modbusCode, 2);
      assert.equal((await failureOf(client.writeRegister(99, 1))).modbusCode, 2);
      assert.equal((await failureOf(client.readHoldingRegisters(100, 126))).modbusCode, 3);
      // The line is still usable after exceptions.
      assert.equal((await client.readHoldingRegisters(100, 1)).data.length, 1);
    });

    it('answers an injected exception for any read or write touching the faulty address, live', async () => {
      const client = await start();
      running!.server.faults.exceptionAt.set(105, 6);
      assert.equal((await failureOf(client.readHoldingRegisters(100, 10))).modbusCode, 6);
      assert.equal((await failureOf(client.writeRegisters(104, [1, 2]))).modbusCode, 6);
      assert.deepEqual((await client.readHoldingRegisters(106, 2)).data, meter1.get(106, 2), 'a range beside it is fine');
      running!.server.faults.exceptionAt.delete(105);
      assert.equal((await client.readHoldingRegisters(100, 10)).data.length, 10);
    });

    it('does not answer an unknown unit id, while a known unit on the same server does', async () => {
      const client = await start();
      client.setID(9);
      // No answer shows as the client's own timeout (CLIENT_TIMEOUT_MS), bounded by it.
      assert.equal((await failureOf(client.readHoldingRegisters(100, 1))).errno, 'ETIMEDOUT');
      client.setID(2);
      assert.deepEqual((await client.readHoldingRegisters(100, 1)).data, [11]);
      assert.equal(running!.server.stats.ignored, 1);
    });

    it('keeps a silent unit quiet (and its registers unwritten) while another unit answers', async () => {
      const client = await start({ silentUnits: new Set([1]) });
      assert.equal((await failureOf(client.writeRegister(100, 7))).errno, 'ETIMEDOUT');
      assert.deepEqual(meter1.get(100, 1), [230_00 % 65536], 'a silent unit is absent: it performs nothing');
      client.setID(2);
      assert.deepEqual((await client.readHoldingRegisters(100, 2)).data, [11, 22]);
      running!.server.faults.silentUnits.delete(1);
      client.setID(1);
      assert.equal((await client.readHoldingRegisters(100, 1)).data[0], 230_00 % 65536);
    });

    it('performs a broadcast write (unit id 0) on every unit without answering', async () => {
      const client = await start();
      client.setID(0);
      assert.equal((await failureOf(client.writeRegisters(130, [5, 6]))).errno, 'ETIMEDOUT');
      assert.deepEqual(meter1.get(130, 2), [5, 6]);
      assert.deepEqual(meter2.get(130, 2), [5, 6]);
      assert.equal(running!.server.stats.answered, 0);
    });

    it('sends a garbled answer for a garbled unit, which the client rejects', async () => {
      const client = await start({ garbledUnits: new Set([1]) });
      const failure = await failureOf(client.readHoldingRegisters(100, 4));
      assert.equal(failure.modbusCode, undefined);
      assert.notEqual(failure.errno, 'ETIMEDOUT', 'the answer arrived but was refused');
      assert.match(failure.message ?? '', /CRC error|Data length error/);
      client.setID(2);
      assert.deepEqual((await client.readHoldingRegisters(100, 1)).data, [11]);
    });

    it('delays every answer by latencyMs', async () => {
      const latencyMs = 120;
      const client = await start({ latencyMs });
      client.setTimeout(latencyMs + 1000);
      const started = performance.now();
      await client.readHoldingRegisters(100, 1);
      // Never sooner than the latency (the simulator re-arms a timer that fired early).
      assert.ok(performance.now() - started >= latencyMs, `answer came after ${performance.now() - started} ms`);
      running!.server.faults.latencyMs = 0;
      const again = performance.now();
      await client.readHoldingRegisters(100, 1);
      assert.ok(performance.now() - again < latencyMs, 'latency can be switched off live');
    });

    it('counts requests, answers and ignored requests', async () => {
      const client = await start();
      await client.readHoldingRegisters(100, 1);
      client.setID(5);
      await failureOf(client.readHoldingRegisters(100, 1));
      assert.deepEqual(
        { ...running!.server.stats },
        { requests: 2, answered: 1, ignored: 1, rejectedFrames: 0 },
      );
    });

    it('close() leaves no socket, port or timer behind, even with an answer still pending', async () => {
      const before = await activeResourceCounts();
      const underTest = await startServerUnderTest(kind, units, { latencyMs: 60_000 });
      const link = await openRawLink(underTest);
      link.write(frameRequest(kind, 1, Buffer.from([3, 0, 100, 0, 1])));
      // Let the request reach the server, so its delayed answer is scheduled.
      while (underTest.server.stats.requests === 0) await new Promise((resolve) => setImmediate(resolve));
      await underTest.server.close();
      if (kind !== 'rtu-serial') await link.closed; // TCP clients see the connection go
      await link.close();
      await underTest.close();
      assert.equal(underTest.server.stats.answered, 0);
      assert.equal(link.received().length, 0, 'the pending answer was never written');
      assert.deepEqual(await resourcesLeftSince(before), []);
    });
  });
}
