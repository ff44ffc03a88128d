/** The RTU reply decoder: every valid frame found whatever the chunking, nothing invented from noise. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendCrc, hasValidCrc } from '../../src/modbus/crc';
import { RtuReplyDecoder } from '../../src/transport/rtu-frames';

/** A reply frame as a meter sends it: a read's data, a write's echo, or an exception. */
const replyFrame = fc.oneof(
  fc.record({ unitId: fc.integer({ min: 1, max: 247 }), words: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 125 }) }).map(({ unitId, words }) => {
    const body = Buffer.alloc(3 + 2 * words.length);
    body[0] = unitId;
    body[1] = 3;
    body[2] = 2 * words.length;
    words.forEach((w, i) => body.writeUInt16BE(w, 3 + 2 * i));
    return appendCrc(body);
  }),
  fc.record({ unitId: fc.integer({ min: 1, max: 247 }), fn: fc.constantFrom(6, 16), a: fc.integer({ min: 0, max: 0xffff }), b: fc.integer({ min: 0, max: 0xffff }) }).map(({ unitId, fn, a, b }) => {
    const body = Buffer.alloc(6);
    body[0] = unitId;
    body[1] = fn;
    body.writeUInt16BE(a, 2);
    body.writeUInt16BE(b, 4);
    return appendCrc(body);
  }),
  fc.record({ unitId: fc.integer({ min: 1, max: 247 }), fn: fc.constantFrom(3, 6, 16), code: fc.integer({ min: 1, max: 11 }) }).map(({ unitId, fn, code }) =>
    appendCrc(Buffer.from([unitId, fn | 0x80, code])),
  ),
);

/** Cut `bytes` at the given points (sorted, deduplicated, inside the buffer). */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const end of [...at, bytes.length]) {
    if (end > start) chunks.push(bytes.subarray(start, end));
    start = Math.max(start, end);
  }
  return chunks;
}

describe('RTU reply decoder (property-based)', () => {
  it('finds every frame of a back-to-back stream, in order, however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(replyFrame, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, points) => {
        const decoder = new RtuReplyDecoder(50);
        const stream = Buffer.concat(frames);
        const found = cut(stream, points).flatMap((chunk) => decoder.push(chunk, 0).frames);
        assert.equal(found.length, frames.length);
        found.forEach((frame, i) => {
          const whole = Buffer.concat([Buffer.from([frame.unitId, frame.fn]), frame.body]);
          assert.deepEqual(whole, frames[i].subarray(0, frames[i].length - 2));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('tells in which chunk each frame began', () => {
    fc.assert(
      fc.property(fc.array(replyFrame, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (frames, points) => {
        const decoder = new RtuReplyDecoder(50);
        const stream = Buffer.concat(frames);
        const chunks = cut(stream, points);
        const startsAt: number[] = [];
        let offset = 0;
        for (const frame of frames) {
          startsAt.push(offset);
          offset += frame.length;
        }
        const chunkOfOffset = (o: number): number => {
          let seen = 0;
          for (let i = 0; i < chunks.length; i++) {
            if (o < seen + chunks[i].length) return i + 1;
            seen += chunks[i].length;
          }
          return chunks.length;
        };
        const found = chunks.flatMap((chunk) => decoder.push(chunk, 0).frames);
        assert.deepEqual(
          found.map((f) => f.firstChunk),
          startsAt.map(chunkOfOffset),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('makes no frame out of noise: whatever it returns has a valid CRC, and it keeps at most one frame of bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 6 }), (chunks) => {
        const decoder = new RtuReplyDecoder(50);
        for (const chunk of chunks) {
          for (const frame of decoder.push(Buffer.from(chunk), 0).frames) {
            const whole = Buffer.concat([Buffer.from([frame.unitId, frame.fn]), frame.body]);
            assert.ok(hasValidCrc(appendCrc(whole)));
          }
        }
        // What it holds back is at most one frame being completed (5 + 255 bytes).
        const held = (decoder as unknown as { buffer: Buffer }).buffer.length;
        assert.ok(held <= 260, `holds ${held} bytes`);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a frame after garbage once the line was silent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), replyFrame, (garbage, frame) => {
        const decoder = new RtuReplyDecoder(5);
        decoder.push(Buffer.from(garbage), 0);
        // The meter answers after a silence longer than a frame gap: a partial frame left is dropped.
        const found = decoder.push(frame, 100).frames;
        assert.equal(found.length, 1);
        assert.deepEqual(Buffer.concat([Buffer.from([found[0].unitId, found[0].fn]), found[0].body]), frame.subarray(0, frame.length - 2));
      }),
      { numRuns: 300 },
    );
  });
});
