import { strict as assert } from 'node:assert';
import { rtuFrameGapMs as linkFrameGapMs } from '../../src/transport/config';
import { frameBitsPerCharacter, rtuFrameGapMs, rtuReplyDueMs, rtuWireTimeMs } from '../../src/simulator/protocol';

describe('RTU wire timing of the simulator', () => {
  const BAUD_RATES = [2400, 4800, 9600, 19200, 38400, 57600, 115200];
  const FRAMES = [
    { dataBits: 8, parity: 'none', stopBits: 1 },
    { dataBits: 8, parity: 'even', stopBits: 1 },
    { dataBits: 8, parity: 'none', stopBits: 2 },
    { dataBits: 7, parity: 'odd', stopBits: 1 },
  ] as const;

  it('counts the frame\'s own bits a character: 8N1 10, 8E1 and 8N2 11, 7O1 10', () => {
    assert.deepEqual(FRAMES.map((f) => frameBitsPerCharacter(f)), [10, 11, 11, 10]);
  });

  it('answers when the reply would have fully arrived: request, the silence ending it, reply (9600 8N1, 125 registers: 277.6 ms)', () => {
    // 8-byte request + 255-byte reply at 10 bits a character, plus one 3.5-character silence.
    assert.equal(rtuReplyDueMs(8, 255, 9600, 10).toFixed(1), (((8 + 255) * 10 * 1000) / 9600 + (3.5 * 10 * 1000) / 9600).toFixed(1));
    assert.equal(rtuReplyDueMs(8, 255, 9600, 10).toFixed(1), '277.6');
  });

  it("leaves the silence after the reply to the master: the simulator's delay plus the link's own gap is the exchange's line time, no gap counted twice", () => {
    for (const frame of FRAMES) {
      const bits = frameBitsPerCharacter(frame);
      for (const baudRate of BAUD_RATES) {
        const linkGap = linkFrameGapMs({ baudRate, ...frame });
        assert.ok(Math.abs(linkGap - rtuFrameGapMs(baudRate, bits)) < 1e-9, `gap at ${baudRate} ${JSON.stringify(frame)}`);
        for (const count of [1, 10, 80, 125]) {
          const line = rtuWireTimeMs(8, 5 + 2 * count, baudRate, bits);
          const due = rtuReplyDueMs(8, 5 + 2 * count, baudRate, bits);
          assert.ok(Math.abs(due + linkGap - line) < 1e-9, `${baudRate} baud, ${count} registers: ${due} + ${linkGap} vs ${line}`);
        }
      }
    }
  });
});
