/**
 * What only the RTU slaves do (RTU over TCP and RTU on a pty pair): CRC checks, resynchronising
 * after garbage, broadcast, garbled CRCs, wire timing, and serial port failures.
 */
import assert from 'node:assert/strict';
import { encodeRtuFrame, frameBitsPerCharacter, rtuReplyDueMs, startRtuSerialServer } from '../../src/simulator/protocol';
import {
  openRawLink,
  startServerUnderTest,
  TEST_BAUD_RATE,
  type RawLink,
  type ServerUnderTest,
} from '../helpers/modbus-test-client';
import { openPtyPair } from '../helpers/pty';
import { RegisterUnit } from '../helpers/register-unit';

const readPdu = (address: number, count: number): Buffer =>
  Buffer.from([3, address >> 8, address & 0xff, count >> 8, count & 0xff]);

for (const kind of ['rtu-over-tcp', 'rtu-serial'] as const) {
  describe(`protocol: RTU framing (${kind})`, () => {
    let meter: RegisterUnit;
    let running: ServerUnderTest | undefined;
    let raw: RawLink | undefined;

    beforeEach(() => {
      meter = new RegisterUnit([{ start: 0, count: 200 }]).set(0, [0x1234, 0x5678, 0x9abc]);
    });

    afterEach(async () => {
      await raw?.close();
      await running?.close();
      raw = undefined;
      running = undefined;
    });

    async function start(faults?: Parameters<typeof startServerUnderTest>[2]): Promise<RawLink> {
      running = await startServerUnderTest(kind, (id) => (id === 0 || id === 1 ? meter : undefined), faults);
      raw = await openRawLink(running);
      return raw;
    }

    /** The answer frame a correct slave sends for reading `count` registers from `address`. */
    const expectedReadAnswer = (address: number, count: number): Buffer => {
      const words = meter.get(address, count);
      const pdu = Buffer.alloc(2 + 2 * count);
      pdu[0] = 3;
      pdu[1] = 2 * count;
      words.forEach((word, i) => pdu.writeUInt16BE(word, 2 + 2 * i));
      return encodeRtuFrame(1, pdu);
    };

    it('gives no answer to a request with a bad CRC, and answers the good request right behind it', async () => {
      const link = await start();
      const corrupted = encodeRtuFrame(1, readPdu(0, 1));
      corrupted[corrupted.length - 2] ^= 0x01;
      link.write(Buffer.concat([corrupted, encodeRtuFrame(1, readPdu(1, 2))]));
      const expected = expectedReadAnswer(1, 2);
      // Answers come in request order, so had the bad request been answered its answer would come first.
      assert.deepEqual(await link.receivedAtLeast(expected.length), expected);
      assert.equal(running!.server.stats.requests, 1);
      assert.ok(running!.server.stats.rejectedFrames >= 1);
    });

    it('is not wedged by garbage that looks like the start of a long write', async () => {
      const link = await start();
      // "unit 1, function 16, 100 registers, 200 bytes follow": a naive parser would wait for 209 bytes.
      link.write(Buffer.from([1, 16, 0, 0, 0, 100, 200, 7, 7]));
      link.write(encodeRtuFrame(1, readPdu(0, 3)));
      const expected = expectedReadAnswer(0, 3);
      assert.deepEqual(await link.receivedAtLeast(expected.length), expected);
    });

    it('answers exception 1 to a function it does not serve, finding the frame end by its CRC', async () => {
      const link = await start();
      // Function 0x2B/0x0E (read device identification) has no fixed length.
      link.write(encodeRtuFrame(1, Buffer.from([0x2b, 0x0e, 0x01, 0x00])));
      const expected = encodeRtuFrame(1, Buffer.from([0xab, 0x01]));
      assert.deepEqual(await link.receivedAtLeast(expected.length), expected);
    });

    it('does not answer a broadcast read', async () => {
      const link = await start();
      link.write(Buffer.concat([encodeRtuFrame(0, readPdu(0, 1)), encodeRtuFrame(1, readPdu(2, 1))]));
      const expected = expectedReadAnswer(2, 1);
      assert.deepEqual(await link.receivedAtLeast(expected.length), expected, 'only the unit-1 answer arrives');
      assert.equal(running!.server.stats.ignored, 1);
    });

    it('garbles an answer by flipping its CRC, leaving the rest intact', async () => {
      const link = await start({ garbledUnits: new Set([1]) });
      link.write(encodeRtuFrame(1, readPdu(0, 2)));
      const correct = expectedReadAnswer(0, 2);
      const received = await link.receivedAtLeast(correct.length);
      assert.deepEqual(received.subarray(0, -2), correct.subarray(0, -2));
      assert.notDeepEqual(received.subarray(-2), correct.subarray(-2));
    });
  });
}

describe('protocol: RTU on a serial port', () => {
  let running: ServerUnderTest | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('with wireTiming, a 125-register read at 9600 baud 8N1 answers when its last byte would arrive on a real line', async () => {
    const meter = new RegisterUnit([{ start: 0, count: 125 }]);
    running = await startServerUnderTest('rtu-serial', () => meter, undefined, { wireTiming: true });
    const client = await running.connectClient(3000);
    // 8N1: 10 bits a character. Request 8 bytes, the silence ending it, reply 5 + 250 bytes.
    const dueMs = rtuReplyDueMs(8, 5 + 250, TEST_BAUD_RATE, frameBitsPerCharacter({ dataBits: 8, parity: 'none', stopBits: 1 }));
    assert.ok(dueMs > 275 && dueMs < 280, `(8 + 255) x 10 bits at 9600 baud + 3.5 characters is ~277.6 ms, computed ${dueMs}`);
    const started = performance.now();
    const answer = await client.readHoldingRegisters(0, 125);
    const elapsed = performance.now() - started;
    assert.equal(answer.data.length, 125);
    // Timers may fire up to a millisecond early against performance.now().
    assert.ok(elapsed >= dueMs - 2, `a 125-register read took ${elapsed.toFixed(1)} ms, expected >= ${dueMs.toFixed(1)}`);
  });

  it('rejects a device path that does not exist, naming it', async () => {
    await assert.rejects(
      startRtuSerialServer({ path: '/dev/pts/no-such-pty', baudRate: 9600, units: () => undefined }),
      /cannot open serial port \/dev\/pts\/no-such-pty/,
    );
  });

  it('rejects impossible line settings, naming the option', async () => {
    await assert.rejects(startRtuSerialServer({ path: '/dev/null', baudRate: 0, units: () => undefined }), /baudRate must be a positive integer, got 0/);
    await assert.rejects(
      startRtuSerialServer({ path: '/dev/null', baudRate: 9600, parity: 'mark' as never, units: () => undefined }),
      /parity must be 'none', 'even' or 'odd', got mark/,
    );
    await assert.rejects(startRtuSerialServer({ path: '', baudRate: 9600, units: () => undefined }), /path must be a non-empty serial device path/);
  });

  it('survives the far end of the line disappearing, and still closes cleanly', async () => {
    const pty = await openPtyPair();
    const server = await startRtuSerialServer({ path: pty.a, baudRate: 9600, units: () => undefined });
    try {
      await pty.close();
    } finally {
      await server.close();
    }
    assert.equal(server.stats.requests, 0);
  });
});
