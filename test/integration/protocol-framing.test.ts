/**
 * The pure parts of the slave layer: CRC, PDU handling, RTU stream framing and MBAP
 * framing. No sockets; these pin down the rules the servers rely on.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MbapDecoder,
  ModbusException,
  RtuFrameDecoder,
  crc16,
  encodeMbapFrame,
  encodeRtuFrame,
  exceptionPdu,
  handlePdu,
  type ModbusUnit,
} from '../../src/simulator/protocol';
import { RegisterUnit } from '../helpers/register-unit';

function readRequest(fn: number, address: number, count: number): Buffer {
  const pdu = Buffer.alloc(5);
  pdu[0] = fn;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(count, 3);
  return pdu;
}

function writeMultipleRequest(address: number, values: number[]): Buffer {
  const pdu = Buffer.alloc(6 + 2 * values.length);
  pdu[0] = 16;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(values.length, 3);
  pdu[5] = 2 * values.length;
  values.forEach((value, i) => pdu.writeUInt16BE(value, 6 + 2 * i));
  return pdu;
}

describe('protocol: CRC-16', () => {
  it('matches the well-known CRC of a read request and leaves zero over a whole frame', () => {
    // Well-known frame: 01 03 00 00 00 0A has CRC C5 CD (low byte first on the wire).
    assert.equal(crc16(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a])), 0xcdc5);
    // And a frame with its own CRC appended leaves a zero remainder.
    const frame = encodeRtuFrame(0x11, Buffer.from([0x03, 0x00, 0x6b, 0x00, 0x03]));
    assert.equal(crc16(frame), 0);
  });
});

describe('protocol: handlePdu', () => {
  const unit = new RegisterUnit([{ start: 100, count: 20 }]).set(100, [1, 2, 3, 0xffff]);

  it('reads registers with function 3 and 4 as byte count then big-endian words', () => {
    for (const fn of [3, 4]) {
      assert.deepEqual(handlePdu(unit, readRequest(fn, 100, 4)), Buffer.from([fn, 8, 0, 1, 0, 2, 0, 3, 0xff, 0xff]));
    }
  });

  it('answers exception 3 for a read count of 0 or above 125', () => {
    assert.deepEqual(handlePdu(unit, readRequest(3, 100, 0)), exceptionPdu(3, 3));
    assert.deepEqual(handlePdu(unit, readRequest(3, 100, 126)), exceptionPdu(3, 3));
  });

  it('answers exception 2 (from the unit) for registers outside its ranges', () => {
    assert.deepEqual(handlePdu(unit, readRequest(3, 119, 2)), Buffer.from([0x83, 2]));
  });

  it('writes one register with function 6 and echoes the request', () => {
    const request = Buffer.from([6, 0, 105, 0x12, 0x34]);
    assert.deepEqual(handlePdu(unit, request), request);
    assert.deepEqual(unit.get(105, 1), [0x1234]);
  });

  it('writes several registers with function 16 and answers address and count', () => {
    assert.deepEqual(handlePdu(unit, writeMultipleRequest(110, [7, 8, 9])), Buffer.from([16, 0, 110, 0, 3]));
    assert.deepEqual(unit.get(110, 3), [7, 8, 9]);
  });

  it('answers exception 3 when a function 16 byte count disagrees with the register count', () => {
    const bad = writeMultipleRequest(110, [7, 8]);
    bad[5] = 3;
    assert.deepEqual(handlePdu(unit, bad), exceptionPdu(16, 3));
    assert.deepEqual(handlePdu(unit, writeMultipleRequest(0, new Array(124).fill(0))), exceptionPdu(16, 3));
  });

  it('answers exception 1 for functions it does not serve, exception 3 for a short PDU', () => {
    assert.deepEqual(handlePdu(unit, Buffer.from([1, 0, 0, 0, 1])), exceptionPdu(1, 1));
    assert.deepEqual(handlePdu(unit, Buffer.from([0x2b, 0x0e, 1, 0])), exceptionPdu(0x2b, 1));
    assert.deepEqual(handlePdu(unit, Buffer.from([3, 0, 100])), exceptionPdu(3, 3));
    assert.equal(handlePdu(unit, Buffer.alloc(0)), undefined);
  });

  it('answers any PDU of arbitrary bytes without throwing, echoing its function code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 260 }), (bytes) => {
        const answer = handlePdu(unit, Buffer.from(bytes));
        assert.ok(answer !== undefined && answer.length >= 2);
        assert.equal(answer[0] & 0x7f, bytes[0] & 0x7f);
      }),
    );
  });

  it('answers exception 4 when the unit fails with anything but a ModbusException', () => {
    const broken: ModbusUnit = {
      readHoldingRegisters: () => {
        throw new TypeError('bug in the unit');
      },
      writeRegisters: () => {
        throw new ModbusException(3, 'value out of range');
      },
    };
    assert.deepEqual(handlePdu(broken, readRequest(3, 0, 1)), exceptionPdu(3, 4));
    assert.deepEqual(handlePdu(broken, Buffer.from([6, 0, 0, 0, 1])), exceptionPdu(6, 3));
    const wrongShape: ModbusUnit = { readHoldingRegisters: () => [1, 70000], writeRegisters: () => undefined };
    assert.deepEqual(handlePdu(wrongShape, readRequest(3, 0, 2)), exceptionPdu(3, 4));
  });
});

describe('protocol: RTU stream framing', () => {
  const frames = [
    encodeRtuFrame(5, readRequest(3, 50512, 10)),
    encodeRtuFrame(7, writeMultipleRequest(57344, [1, 2, 3])),
    encodeRtuFrame(5, Buffer.from([6, 0xe2, 0, 0, 0xa1])),
    encodeRtuFrame(9, Buffer.from([0x2b, 0x0e, 1, 0])),
  ];
  const stream = Buffer.concat(frames);

  it('finds the same frames however the stream is split into chunks', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const decoder = new RtuFrameDecoder(1000, () => 0);
        const bounds = [0, ...cuts.sort((x, y) => x - y), stream.length];
        const found = [];
        for (let i = 0; i + 1 < bounds.length; i++) found.push(...decoder.push(stream.subarray(bounds[i], bounds[i + 1])).frames);
        assert.deepEqual(
          found.map((frame) => encodeRtuFrame(frame.unitId, frame.pdu)),
          frames,
        );
      }),
    );
  });

  it('skips a frame with a bad CRC and still finds the good frame right behind it', () => {
    const bad = Buffer.from(frames[0]);
    bad[bad.length - 1] ^= 0x55;
    const decoder = new RtuFrameDecoder(1000, () => 0);
    const result = decoder.push(Buffer.concat([bad, frames[1]]));
    assert.deepEqual(result.frames.map((frame) => frame.unitId), [7]);
    assert.ok(result.rejected >= 1);
  });

  it('drops garbage claiming a long frame once a valid frame follows it', () => {
    // "unit 1, function 16, byte count 200" would wait for 209 bytes if believed.
    const garbage = Buffer.from([1, 16, 0, 0, 0, 100, 200, 1, 2]);
    const decoder = new RtuFrameDecoder(1000, () => 0);
    const result = decoder.push(Buffer.concat([garbage, frames[0]]));
    assert.deepEqual(result.frames.map((frame) => frame.pdu), [readRequest(3, 50512, 10)]);
  });

  it('never throws on arbitrary bytes, and then still finds a good frame sent after a silence', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        let now = 0;
        const decoder = new RtuFrameDecoder(5, () => now);
        for (const chunk of chunks) decoder.push(Buffer.from(chunk));
        now = 1000;
        const found = decoder.push(frames[0]).frames;
        assert.deepEqual(encodeRtuFrame(found[0].unitId, found[0].pdu), frames[0]);
      }),
    );
  });

  it('forgets a partial frame after a silence, so the next frame parses cleanly', () => {
    let now = 0;
    const decoder = new RtuFrameDecoder(5, () => now);
    assert.deepEqual(decoder.push(Buffer.from([1, 16, 0, 0])).frames, []);
    now = 100;
    const result = decoder.push(frames[2]);
    assert.deepEqual(result.frames.map((frame) => frame.unitId), [5]);
    assert.equal(result.rejected, 1);
  });
});

describe('protocol: MBAP framing', () => {
  it('decodes several requests in one chunk and a request split over chunks, keeping transaction ids', () => {
    const first = encodeMbapFrame(0x1234, 1, readRequest(3, 0, 1));
    const second = encodeMbapFrame(0xbeef, 2, writeMultipleRequest(10, [1, 2]));
    const decoder = new MbapDecoder();
    const all = Buffer.concat([first, second]);
    const part1 = decoder.push(all.subarray(0, first.length + 3));
    const part2 = decoder.push(all.subarray(first.length + 3));
    assert.deepEqual(part1.requests.map((r) => r.transactionId), [0x1234]);
    assert.deepEqual(part2.requests.map((r) => [r.transactionId, r.unitId]), [[0xbeef, 2]]);
    assert.deepEqual(part2.requests[0].pdu, writeMultipleRequest(10, [1, 2]));
  });

  it('reports a fatal error for a protocol id other than 0 or an impossible length', () => {
    const wrongProtocol = encodeMbapFrame(1, 1, readRequest(3, 0, 1));
    wrongProtocol.writeUInt16BE(7, 2);
    assert.match(new MbapDecoder().push(wrongProtocol).fatal ?? '', /protocol id must be 0, got 7/);
    const absurd = encodeMbapFrame(1, 1, readRequest(3, 0, 1));
    absurd.writeUInt16BE(5000, 4);
    assert.match(new MbapDecoder().push(absurd).fatal ?? '', /length must be 2\.\.254, got 5000/);
  });
});
