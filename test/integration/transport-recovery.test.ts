import assert from 'node:assert/strict';
import { ModbusLink, type LinkState } from '../../src/transport';
import { startRtuOverTcpServer, startTcpServer, type RunningServer } from '../../src/simulator/protocol';
import {
  Cleanup,
  resourceBaseline,
  assertResourcesBackTo,
  expectedValues,
  rejectsWithKind,
  unitsFor,
  waitForState,
} from './transport-fixtures';

const starters = {
  tcp: startTcpServer,
  'rtu-over-tcp': startRtuOverTcpServer,
} as const;

for (const transport of ['tcp', 'rtu-over-tcp'] as const) {
  describe(`transport recovery over ${transport}`, () => {
    const cleanup = new Cleanup();
    afterEach(() => cleanup.run());
    const { lookup } = unitsFor([5, 6]);

    async function serve(port = 0): Promise<RunningServer> {
      return cleanup.server(await starters[transport]({ port, units: lookup }));
    }

    function linkTo(port: number, timeoutMs = 1000): ModbusLink {
      return cleanup.link({
        transport,
        host: '127.0.0.1',
        port,
        timeoutMs,
        reconnectInitialMs: 50,
        reconnectMaxMs: 400,
      });
    }

    it('opens lazily, on the first request', async () => {
      const server = await serve();
      const link = linkTo(server.port);
      const states: LinkState[] = [];
      link.on('state', (state: LinkState) => states.push(state));
      assert.equal(link.state, 'idle');
      assert.deepEqual(await link.readHoldingRegisters(5, 1, 2), expectedValues(5, 1, 2));
      assert.deepEqual(states, ['connecting', 'connected']);
    });

    it('recovers by itself after the server drops the connection', async () => {
      const server = await serve();
      const link = linkTo(server.port);
      assert.deepEqual(await link.readHoldingRegisters(5, 0, 2), expectedValues(5, 0, 2));
      const reconnecting = waitForState(link, 'reconnecting', 2000);
      server.dropConnections();
      await reconnecting;
      // Asked while the link is down: waits for the reconnect instead of failing.
      assert.deepEqual(await link.readHoldingRegisters(6, 10, 3), expectedValues(6, 10, 3));
      assert.equal(link.state, 'connected');
      assert.equal(link.stats.reconnects, 1);
      // And again: every drop is recovered, not only the first.
      const again = waitForState(link, 'reconnecting', 2000);
      server.dropConnections();
      await again;
      assert.deepEqual(await link.readHoldingRegisters(5, 3, 1), expectedValues(5, 3, 1));
      assert.equal(link.stats.reconnects, 2);
    });

    it('fails a request in flight at once when the connection drops, then works again', async () => {
      let onArrival: (() => void) | undefined;
      // The server looks the unit up as soon as a request arrives: that tells us it is on the wire.
      const server = cleanup.server(
        await starters[transport]({
          port: 0,
          units: (unitId) => {
            onArrival?.();
            return lookup(unitId);
          },
        }),
      );
      const link = linkTo(server.port, 3000);
      await link.readHoldingRegisters(5, 0, 1);
      server.faults.latencyMs = 2000;
      const arrived = new Promise<void>((resolve) => (onArrival = resolve));
      const started = Date.now();
      const inFlight = link.readHoldingRegisters(5, 0, 1);
      await arrived;
      onArrival = undefined;
      server.dropConnections();
      const err = await rejectsWithKind(inFlight, 'link');
      assert.ok(Date.now() - started < 3000, `failed after ${Date.now() - started} ms, at the 3000 ms timeout rather than at the drop`);
      assert.match(err.message, new RegExp(`link to 127\\.0\\.0\\.1:${server.port} is down`));
      server.faults.latencyMs = 0;
      assert.deepEqual(await link.readHoldingRegisters(6, 0, 1), expectedValues(6, 0, 1));
    });

    it('recovers after the server is closed and restarted on the same port', async () => {
      const first = await starters[transport]({ port: 0, units: lookup });
      const port = first.port;
      const link = linkTo(port, 300);
      assert.deepEqual(await link.readHoldingRegisters(5, 0, 1), expectedValues(5, 0, 1));
      const reconnecting = waitForState(link, 'reconnecting', 2000);
      await first.close();
      await reconnecting;
      // While the server is away, requests wait up to their timeout (exactly one: see
      // test/unit/link-scheduling.test.ts, on the injected clock), then fail with 'link'.
      const err = await rejectsWithKind(link.readHoldingRegisters(5, 0, 1), 'link');
      assert.match(err.message, new RegExp(`^link to 127\\.0\\.0\\.1:${port} is down: .*ECONNREFUSED`));
      assert.equal(link.state, 'reconnecting');

      await serve(port);
      await waitForState(link, 'connected', 3000);
      assert.deepEqual(await link.readHoldingRegisters(6, 20, 2), expectedValues(6, 20, 2));
    });

    it('reports an unreachable server as link errors and stops retrying on close', async () => {
      const baseline = await resourceBaseline();
      const server = await serve();
      const port = server.port;
      await server.close(); // nothing listens on this port now
      const link = new ModbusLink({ transport, host: '127.0.0.1', port, timeoutMs: 200, reconnectInitialMs: 20 });
      const states: LinkState[] = [];
      link.on('state', (state: LinkState) => states.push(state));
      const err = await rejectsWithKind(link.readHoldingRegisters(5, 0, 1), 'link');
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(states.includes('reconnecting'));
      await link.close();
      await assertResourcesBackTo(baseline);
      assert.equal(link.state, 'closed');
    });
  });
}
