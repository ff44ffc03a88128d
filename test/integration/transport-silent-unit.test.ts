import assert from 'node:assert/strict';
import { type ModbusLink } from '../../src/transport';
import {
  startRtuOverTcpServer,
  startRtuSerialServer,
  startTcpServer,
  type FaultSettings,
  type RunningServer,
  type UnitLookup,
} from '../../src/simulator/protocol';
import type { LinkConfig, TransportKind } from '../../src/transport';
import { openPtyPair } from '../helpers/pty';
import { Cleanup, expectedValues, rejectsWithKind, unitsFor } from './transport-fixtures';

const BAUD = 19200;

/** Start a server of `transport` and say how a link reaches it. */
async function startLine(
  transport: TransportKind,
  cleanup: Cleanup,
  units: UnitLookup,
  faults: Partial<FaultSettings>,
): Promise<{ server: RunningServer; reach: LinkConfig }> {
  if (transport === 'rtu') {
    const pty = await openPtyPair();
    cleanup.add(() => pty.close());
    const server = cleanup.server(await startRtuSerialServer({ path: pty.b, baudRate: BAUD, units, faults }));
    return { server, reach: { transport, path: pty.a, baudRate: BAUD } };
  }
  const start = transport === 'tcp' ? startTcpServer : startRtuOverTcpServer;
  const server = cleanup.server(await start({ port: 0, units, faults }));
  return { server, reach: { transport, host: '127.0.0.1', port: server.port } };
}
const HEALTHY = 5;
const SILENT = 9;

/** Settle a promise into its outcome and how long it took. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value?: T; error?: Error & { kind?: string } }> {
  const started = Date.now();
  try {
    const value = await promise;
    return { ms: Date.now() - started, value };
  } catch (err) {
    return { ms: Date.now() - started, error: err as Error & { kind?: string } };
  }
}

/** Wait until a unit's backoff has run out. There is no event for "time passed"; the wait is bounded by the backoff the test configured. */
function backoffEnds(link: ModbusLink, unitId: number): Promise<void> {
  const remaining = link.health(unitId).backoffUntil - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, remaining) + 5));
}

for (const transport of ['tcp', 'rtu-over-tcp', 'rtu'] as const) {
  describe(`transport with a silent unit id over ${transport}`, () => {
    const cleanup = new Cleanup();
    afterEach(() => cleanup.run());

    async function setup(timeoutMs: number, backoffMs: number): Promise<{ server: RunningServer; link: ModbusLink }> {
      const { lookup } = unitsFor([HEALTHY, SILENT]);
      const { server, reach } = await startLine(transport, cleanup, lookup, { silentUnits: new Set([SILENT]) });
      const link = cleanup.link({
        ...reach,
        timeoutMs,
        retries: 1,
        unitBackoffAfter: 2,
        unitBackoffInitialMs: backoffMs,
        unitBackoffMaxMs: backoffMs * 4,
      });
      await link.readHoldingRegisters(HEALTHY, 0, 1); // connected before measuring
      return { server, link };
    }

    it('does not delay the other unit ids by more than one timeout per request, then costs nothing once backed off', async () => {
      const timeoutMs = 300;
      const { server, link } = await setup(timeoutMs, 10_000);

      // Phase 1: the silent unit still gets asked; each healthy request waits at most one of its timeouts.
      const healthyMs: number[] = [];
      for (let round = 0; round < 2; round++) {
        let silentSettled = false;
        const silent = timed(link.readHoldingRegisters(SILENT, 0, 2, { source: 'meter-9' })).finally(() => {
          silentSettled = true;
        });
        const healthy = await timed(link.readHoldingRegisters(HEALTHY, 10 + round, 2, { source: 'meter-5' }));
        assert.deepEqual(healthy.value, expectedValues(HEALTHY, 10 + round, 2));
        assert.equal(silentSettled, false, "the healthy request went between the silent unit's attempts");
        healthyMs.push(healthy.ms);
        const outcome = await silent;
        assert.equal(outcome.error?.kind, 'timeout');
        assert.equal(outcome.error?.message, `unit ${SILENT}: no answer within ${timeoutMs} ms (2 attempts)`);
      }
      // How long the healthy request waited (exactly one timeout plus a round trip) is
      // asserted on the injected clock in test/unit/link-scheduling.test.ts; here, on a real
      // line, the order shows it: it went out between the silent unit's two attempts.

      // Phase 2: two requests without an answer put the unit in backoff: it fails at once, others run at full speed.
      const health = link.health(SILENT);
      assert.equal(health.consecutiveFailures, 2);
      assert.ok(health.backoffUntil > Date.now());
      const started = Date.now();
      const sentBefore = server.stats.requests;
      const rounds = 20;
      for (let i = 0; i < rounds; i++) {
        const silent = rejectsWithKind(link.readHoldingRegisters(SILENT, 0, 2, { source: 'meter-9' }), 'backoff');
        assert.deepEqual(await link.readHoldingRegisters(HEALTHY, i, 2, { source: 'meter-5' }), expectedValues(HEALTHY, i, 2));
        const err = await silent;
        assert.match(err.message, new RegExp(`^unit ${SILENT}: not asked until \\d{4}-\\d\\d-\\d\\dT`));
      }
      const fullSpeedMs = Date.now() - started;
      // Not one timeout paid in all those rounds: the silent unit's requests never reached the line.
      assert.equal(server.stats.requests - sentBefore, rounds, 'only the healthy requests reached the line');
      assert.equal(link.stats.timeouts, 4, 'no timeout after the backoff began');
      assert.equal(link.health(HEALTHY).consecutiveFailures, 0);
      // Measured numbers, for the report.
      console.log(`      [${transport}] healthy behind silent: ${healthyMs.join(', ')} ms; ${rounds} rounds in backoff: ${fullSpeedMs} ms`);
    });

    it('probes a backed-off unit once when its backoff ends, and takes it back when it answers', async () => {
      const timeoutMs = 100;
      const backoffMs = 300;
      const { server, link } = await setup(timeoutMs, backoffMs);
      for (let i = 0; i < 2; i++) await rejectsWithKind(link.readHoldingRegisters(SILENT, 0, 1), 'timeout');
      await rejectsWithKind(link.readHoldingRegisters(SILENT, 0, 1), 'backoff');

      // Still silent: the probe fails and the backoff doubles.
      await backoffEnds(link, SILENT);
      const timeoutsBefore = link.stats.timeouts;
      const probe = timed(link.readHoldingRegisters(SILENT, 0, 1));
      const other = await timed(link.readHoldingRegisters(SILENT, 1, 1));
      assert.equal(other.error?.kind, 'backoff', 'only one probe goes out');
      assert.match(other.error?.message ?? '', /probe/);
      const probeOutcome = await probe;
      assert.equal(probeOutcome.error?.kind, 'timeout');
      assert.equal(link.stats.timeouts - timeoutsBefore, 1, 'the probe is one attempt, never retried');
      // The doubling itself is asserted to the ms on the injected clock (test/unit/link-scheduling.test.ts).
      assert.ok(link.health(SILENT).backoffUntil > Date.now(), 'a failed probe starts a new backoff');

      // Answers again: the next probe succeeds and clears the backoff.
      server.faults.silentUnits.clear();
      await backoffEnds(link, SILENT);
      assert.deepEqual(await link.readHoldingRegisters(SILENT, 4, 2), expectedValues(SILENT, 4, 2));
      const health = link.health(SILENT);
      assert.equal(health.backoffUntil, 0);
      assert.equal(health.consecutiveFailures, 0);
      assert.ok(health.lastSuccessAt !== undefined);
      assert.deepEqual(await link.readHoldingRegisters(SILENT, 6, 1), expectedValues(SILENT, 6, 1));
    });
  });
}
