/**
 * A reply that comes late, however late, is never taken for the answer of another request.
 * Registers of equal length are read in turn (each read's values say which address they
 * came from) while every reply is delayed a multiple of the timeout; then the delay ends.
 */
import assert from 'node:assert/strict';
import type { LinkConfig } from '../../src/transport';
import { startRtuOverTcpServer, startRtuSerialServer, type RunningServer, type UnitLookup } from '../../src/simulator/protocol';
import { openPtyPair } from '../helpers/pty';
import { Cleanup, expectedValues, unitsFor } from './transport-fixtures';

const TIMEOUT_MS = 80;
const UNIT = 5;
/** Same length everywhere: a late reply to one would fit any other. */
const ADDRESSES = [10, 40, 70, 100];
const COUNT = 2;
const READS_WHILE_LATE = 20;
const READS_AFTER = 12;

const lines: Record<'rtu' | 'rtu-over-tcp', (cleanup: Cleanup, units: UnitLookup) => Promise<{ server: RunningServer; reach: LinkConfig }>> = {
  async rtu(cleanup, units) {
    const pty = await openPtyPair();
    cleanup.add(() => pty.close());
    const server = cleanup.server(await startRtuSerialServer({ path: pty.b, baudRate: 38400, units }));
    return { server, reach: { transport: 'rtu', path: pty.a, baudRate: 38400 } };
  },
  async 'rtu-over-tcp'(cleanup, units) {
    const server = cleanup.server(await startRtuOverTcpServer({ port: 0, units }));
    return { server, reach: { transport: 'rtu-over-tcp', host: '127.0.0.1', port: server.port } };
  },
};

interface Tally {
  right: number;
  wrong: string[];
  failed: number;
}

for (const kind of ['rtu', 'rtu-over-tcp'] as const) {
  describe(`late replies over ${kind === 'rtu' ? 'RTU on a socat pty pair' : 'RTU over TCP'}`, function () {
    this.timeout(60_000);
    const cleanup = new Cleanup();
    afterEach(() => cleanup.run());

    it('never delivers words that answer another request, for replies 1.5x to 6x the timeout late, and reads right at once after', async () => {
      const { lookup } = unitsFor([UNIT]);
      const { server, reach } = await lines[kind](cleanup, lookup);
      // No unit backoff: every read goes to the line, exposed to every late reply.
      const link = cleanup.link({ ...reach, timeoutMs: TIMEOUT_MS, retries: 1, unitBackoffAfter: 1000 });
      let turn = 0;
      const readNext = async (tally: Tally): Promise<boolean> => {
        const address = ADDRESSES[turn++ % ADDRESSES.length];
        try {
          const values = await link.readHoldingRegisters(UNIT, address, COUNT);
          const expected = expectedValues(UNIT, address, COUNT);
          if (JSON.stringify(values) === JSON.stringify(expected)) tally.right++;
          else tally.wrong.push(`read at ${address} gave ${JSON.stringify(values)}, expected ${JSON.stringify(expected)}`);
          return true;
        } catch {
          tally.failed++;
          return false;
        }
      };

      const report: string[] = [];
      let total = 0;
      for (const multiple of [1.5, 2, 2.5, 3.5, 6]) {
        const late: Tally = { right: 0, wrong: [], failed: 0 };
        server.faults.latencyMs = multiple * TIMEOUT_MS;
        for (let i = 0; i < READS_WHILE_LATE; i++) await readNext(late);
        assert.deepEqual(late.wrong, [], `replies ${multiple}x the timeout late`);

        server.faults.latencyMs = 0;
        const after: Tally = { right: 0, wrong: [], failed: 0 };
        // The meter first sends the late replies it still owes (in order, as a line does);
        // from the first right answer on, every read is right.
        let firstRightAt = -1;
        for (let i = 0; i < READS_AFTER; i++) {
          const ok = await readNext(after);
          if (ok && firstRightAt < 0) firstRightAt = i;
        }
        assert.deepEqual(after.wrong, [], `after replies ${multiple}x the timeout late`);
        assert.ok(firstRightAt >= 0, 'reads came right again');
        assert.equal(after.failed, firstRightAt, 'no read failed once the first came right');
        // The owed replies take at most `multiple` timeouts to drain.
        assert.ok(firstRightAt <= Math.ceil(multiple) + 2, `${firstRightAt} reads failed before the line was clear`);
        total += READS_WHILE_LATE + READS_AFTER;
        report.push(`${multiple}x: ${late.right}/${READS_WHILE_LATE} late-phase reads answered in time, ${firstRightAt} failed after`);
      }
      console.log(`      [${kind}] ${total} reads, 0 wrong; ${report.join('; ')}`);
    });
  });
}
