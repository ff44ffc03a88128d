/**
 * The simulator's latency fault never answers early. Node's timers count whole milliseconds
 * on the event loop's clock, so a timer may fire up to about a millisecond before the
 * fractional time it was set for; the answer waits for its own due time all the same.
 */
import assert from 'node:assert/strict';
import { SlaveCore } from '../../src/simulator/protocol/slave-core';
import { RegisterUnit } from '../helpers/register-unit';

describe('simulator latency', () => {
  it('answers no sooner than latencyMs after the request, in 200 requests with a fractional latency', async () => {
    const unit = new RegisterUnit([{ start: 100, count: 4 }]);
    const latencyMs = 2.6;
    const core = new SlaveCore((id) => (id === 1 ? unit : undefined), { latencyMs });
    const readFour = Buffer.from([0x03, 0x00, 0x64, 0x00, 0x04]);
    const early: number[] = [];
    for (let i = 0; i < 200; i++) {
      const after = await new Promise<number>((resolve) => {
        const servedAt = performance.now();
        core.serve(1, readFour, () => {
          resolve(performance.now() - servedAt);
          return true;
        });
      });
      if (after < latencyMs) early.push(after);
    }
    core.stop();
    assert.deepEqual(
      early.map((ms) => ms.toFixed(2)),
      [],
      'answers sent before their latency',
    );
  });
});
