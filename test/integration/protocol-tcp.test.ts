/**
 * What only the socket-based slaves do: MBAP framing on Modbus TCP, closing connections
 * that do not speak it, and dropping connections on demand (both TCP kinds).
 */
import assert from 'node:assert/strict';
import { MBAP_HEADER_BYTES, encodeMbapFrame, startTcpServer } from '../../src/simulator/protocol';
import {
  failureOf,
  openRawLink,
  startServerUnderTest,
  type RawLink,
  type ServerUnderTest,
} from '../helpers/modbus-test-client';
import { RegisterUnit } from '../helpers/register-unit';

const readPdu = (address: number, count: number): Buffer =>
  Buffer.from([3, address >> 8, address & 0xff, count >> 8, count & 0xff]);

/** Split a stream of MBAP answers into frames. */
function mbapFrames(bytes: Buffer): Array<{ transactionId: number; unitId: number; pdu: Buffer }> {
  const frames = [];
  let offset = 0;
  while (offset + MBAP_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt16BE(offset + 4);
    frames.push({
      transactionId: bytes.readUInt16BE(offset),
      unitId: bytes[offset + 6],
      pdu: bytes.subarray(offset + MBAP_HEADER_BYTES, offset + 6 + length),
    });
    offset += 6 + length;
  }
  return frames;
}

describe('protocol: Modbus TCP framing', () => {
  let meter: RegisterUnit;
  let running: ServerUnderTest | undefined;
  const links: RawLink[] = [];

  beforeEach(async () => {
    meter = new RegisterUnit([{ start: 0, count: 200 }]).set(0, [10, 11, 12, 13]);
    running = await startServerUnderTest('tcp', (id) => (id === 1 || id === 2 ? meter : undefined));
  });

  afterEach(async () => {
    await Promise.all(links.splice(0).map((link) => link.close()));
    await running?.close();
    running = undefined;
  });

  async function link(): Promise<RawLink> {
    const opened = await openRawLink(running!);
    links.push(opened);
    return opened;
  }

  it('answers several requests sent in one chunk, echoing each transaction id and unit id', async () => {
    const raw = await link();
    raw.write(Buffer.concat([encodeMbapFrame(0x0101, 1, readPdu(0, 1)), encodeMbapFrame(0xfffe, 2, readPdu(2, 2))]));
    const answers = mbapFrames(await raw.receivedAtLeast(2 * MBAP_HEADER_BYTES + 4 + 6));
    assert.deepEqual(
      answers.map((a) => [a.transactionId, a.unitId, [...a.pdu]]),
      [
        [0x0101, 1, [3, 2, 0, 10]],
        [0xfffe, 2, [3, 4, 0, 12, 0, 13]],
      ],
    );
  });

  it('answers a request that arrives split over several writes', async () => {
    const raw = await link();
    const request = encodeMbapFrame(77, 1, readPdu(1, 1));
    for (const part of [request.subarray(0, 3), request.subarray(3, 8), request.subarray(8)]) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      raw.write(part);
    }
    const [answer] = mbapFrames(await raw.receivedAtLeast(MBAP_HEADER_BYTES + 4));
    assert.equal(answer.transactionId, 77);
    assert.deepEqual([...answer.pdu], [3, 2, 0, 11]);
  });

  it('closes a connection that sends a protocol id other than 0, and only that one', async () => {
    const bad = await link();
    const good = await link();
    const frame = encodeMbapFrame(1, 1, readPdu(0, 1));
    frame.writeUInt16BE(1, 2);
    bad.write(frame);
    await bad.closed;
    assert.equal(bad.received().length, 0);
    good.write(encodeMbapFrame(2, 1, readPdu(0, 1)));
    assert.equal(mbapFrames(await good.receivedAtLeast(MBAP_HEADER_BYTES + 4))[0].transactionId, 2);
    assert.equal(running!.server.stats.rejectedFrames, 1);
  });

  it('closes a connection whose MBAP length is impossible instead of waiting for 60000 bytes', async () => {
    const raw = await link();
    const frame = encodeMbapFrame(1, 1, readPdu(0, 1));
    frame.writeUInt16BE(60000, 4);
    raw.write(frame);
    await raw.closed;
    assert.equal(raw.received().length, 0);
  });

  it('refuses to start on a port given as something other than an integer 0..65535', async () => {
    await assert.rejects(startTcpServer({ port: 70000, units: () => undefined }), /port must be an integer 0\.\.65535, got 70000/);
    await assert.rejects(
      startTcpServer({ units: undefined as never }),
      /units must be a function/,
    );
    await assert.rejects(
      startTcpServer({ units: () => undefined, faults: { latencyMs: -5 } }),
      /faults\.latencyMs must be a finite number >= 0, got -5/,
    );
  });

  it('reports a clear error when the port is already taken', async () => {
    await assert.rejects(
      startTcpServer({ port: running!.server.port, units: () => undefined }),
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${running!.server.port}: .*EADDRINUSE`),
    );
  });
});

for (const kind of ['tcp', 'rtu-over-tcp'] as const) {
  describe(`protocol: dropping connections (${kind})`, () => {
    let running: ServerUnderTest | undefined;
    const meter = new RegisterUnit([{ start: 0, count: 10 }]).set(0, [42]);

    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it('dropConnections() makes a connected client see a close, and the server keeps listening', async () => {
      running = await startServerUnderTest(kind, () => meter);
      const first = await running.connectClient();
      assert.deepEqual((await first.readHoldingRegisters(0, 1)).data, [42]);
      const sawClose = new Promise<void>((resolve) => first.on('close', () => resolve()));
      running.server.dropConnections();
      await sawClose;
      assert.equal(first.isOpen, false);
      const failure = await failureOf(first.readHoldingRegisters(0, 1));
      assert.match(failure.message ?? '', /Port Not Open/);
      const second = await running.connectClient();
      assert.deepEqual((await second.readHoldingRegisters(0, 1)).data, [42]);
    });
  });
}
