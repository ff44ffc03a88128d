import assert from 'node:assert/strict';
import { ModbusLink, type LinkConfig } from '../../src/transport';
import { startRtuOverTcpServer, startRtuSerialServer, type RunningServer, type UnitLookup } from '../../src/simulator/protocol';
import { openPtyPair } from '../helpers/pty';
import {
  Cleanup,
  assertResourcesBackTo,
  expectedValues,
  rejectsWithKind,
  resourceBaseline,
  unitsFor,
} from './transport-fixtures';

const BAUD = 38400;

/** A running RTU slave and the link config that reaches it. */
interface RtuLine {
  server: RunningServer;
  linkConfig: LinkConfig;
}

const lines: Record<'rtu' | 'rtu-over-tcp', (cleanup: Cleanup, units: UnitLookup) => Promise<RtuLine>> = {
  async rtu(cleanup, units) {
    const pty = await openPtyPair();
    cleanup.add(() => pty.close());
    const server = cleanup.server(await startRtuSerialServer({ path: pty.b, baudRate: BAUD, units }));
    return { server, linkConfig: { transport: 'rtu', path: pty.a, baudRate: BAUD } };
  },
  async 'rtu-over-tcp'(cleanup, units) {
    const server = cleanup.server(await startRtuOverTcpServer({ port: 0, units }));
    return { server, linkConfig: { transport: 'rtu-over-tcp', host: '127.0.0.1', port: server.port } };
  },
};

for (const kind of ['rtu', 'rtu-over-tcp'] as const) {
  describe(`transport over ${kind === 'rtu' ? 'RTU on a socat pty pair (real serialport binding)' : 'RTU over TCP'}`, () => {
    const cleanup = new Cleanup();
    afterEach(() => cleanup.run());

    async function open(extra: Partial<LinkConfig> = {}): Promise<{ server: RunningServer; link: ModbusLink }> {
      const { lookup } = unitsFor([1, 5, 6, 17]);
      const { server, linkConfig } = await lines[kind](cleanup, lookup);
      const link = cleanup.link({ ...linkConfig, timeoutMs: 400, ...extra });
      return { server, link };
    }

    it('reads several unit ids through one link', async () => {
      const { link } = await open();
      for (const unitId of [1, 5, 6, 17]) {
        assert.deepEqual(await link.readHoldingRegisters(unitId, 40, 3), expectedValues(unitId, 40, 3));
      }
      assert.deepEqual(await link.readHoldingRegisters(6, 0, 125), expectedValues(6, 0, 125));
      await link.writeRegisters(17, 900, [11, 22]);
      assert.deepEqual(await link.readHoldingRegisters(17, 900, 2), [11, 22]);
    });

    it('keeps framing intact when many sources ask for many unit ids at once', async () => {
      const { link, server } = await open();
      const requests = Array.from({ length: 30 }, (_, i) => {
        const unitId = [1, 5, 6, 17][i % 4];
        return link
          .readHoldingRegisters(unitId, i * 7, 1 + (i % 5), { source: `node-${i % 3}` })
          .then((values) => assert.deepEqual(values, expectedValues(unitId, i * 7, 1 + (i % 5))));
      });
      await Promise.all(requests);
      assert.equal(link.stats.errors, 0);
      assert.equal(server.stats.answered, 30);
    });

    it('never takes a late reply for the next request to the same unit', async () => {
      const { server, link } = await open({ timeoutMs: 400, retries: 0 });
      await link.readHoldingRegisters(5, 0, 1);
      server.faults.latencyMs = 600; // the answer to the next request comes 200 ms after its timeout
      await rejectsWithKind(link.readHoldingRegisters(5, 100, 2), 'timeout');
      // Answered 250 ms after sending: if sent at once, the late reply above (same unit, same
      // function, same length) would arrive first and pass for this answer.
      server.faults.latencyMs = 250;
      assert.deepEqual(await link.readHoldingRegisters(5, 200, 2), expectedValues(5, 200, 2));
      assert.deepEqual(await link.readHoldingRegisters(5, 300, 2), expectedValues(5, 300, 2));
    });

    it('does not make other unit ids wait for a late reply, and they get their own answers', async () => {
      const timeoutMs = 400;
      const { server, link } = await open({ timeoutMs, retries: 0 });
      await link.readHoldingRegisters(5, 0, 1);
      // Unit 5 answers 1000 ms after its request: 600 ms after its timeout.
      server.faults.latencyMs = 1000;
      await rejectsWithKind(link.readHoldingRegisters(5, 100, 2), 'timeout');
      server.faults.latencyMs = 100;
      const started = Date.now();
      assert.deepEqual(await link.readHoldingRegisters(6, 100, 2), expectedValues(6, 100, 2));
      // Its answer takes 100 ms; held back until unit 5's late reply it would take 700 ms or
      // more. The bound leaves one whole timeout of slack for a loaded machine.
      assert.ok(Date.now() - started < 100 + timeoutMs, `unit 6 waited ${Date.now() - started} ms`);
    });

    it("does not take a retry's late duplicate for the next request", async () => {
      const { server, link } = await open({ timeoutMs: 400, retries: 1 });
      await link.readHoldingRegisters(5, 0, 1);
      server.faults.latencyMs = 600;
      // The retry is answered by the first attempt's late reply (same request, same values)...
      assert.deepEqual(await link.readHoldingRegisters(5, 100, 2), expectedValues(5, 100, 2));
      // ...and the retry's own answer is still on its way: the next read of the same length
      // gets its own values or no answer, never the duplicate.
      server.faults.latencyMs = 500;
      const next = await link.readHoldingRegisters(5, 200, 2).catch((err: { kind?: string }) => err.kind);
      assert.ok(next === 'timeout' || JSON.stringify(next) === JSON.stringify(expectedValues(5, 200, 2)), `got ${JSON.stringify(next)}`);
      server.faults.latencyMs = 0;
      assert.deepEqual(await link.readHoldingRegisters(5, 300, 2), expectedValues(5, 300, 2));
    });

    it('reports a bad CRC as framing, and the link keeps working', async () => {
      const { server, link } = await open();
      server.faults.garbledUnits.add(5);
      const err = await rejectsWithKind(link.readHoldingRegisters(5, 10, 2), 'framing');
      assert.match(err.message, /^unit 5: bad reply: CRC error/);
      assert.deepEqual(await link.readHoldingRegisters(6, 10, 2), expectedValues(6, 10, 2));
      server.faults.garbledUnits.clear();
      assert.deepEqual(await link.readHoldingRegisters(5, 10, 2), expectedValues(5, 10, 2));
    });

    it('names exceptions over RTU framing too', async () => {
      const { server, link } = await open();
      server.faults.exceptionAt.set(50512, 2);
      const err = await rejectsWithKind(link.readHoldingRegisters(5, 50512, 2), 'exception');
      assert.equal(err.message, 'unit 5: Modbus exception 2 (illegal data address) at 50512');
      assert.deepEqual(await link.readHoldingRegisters(5, 1, 1), expectedValues(5, 1, 1));
    });

    it('close() releases the line at once and leaves no timer', async () => {
      const { lookup } = unitsFor([5]);
      const { server, linkConfig } = await lines[kind](cleanup, lookup);
      const baseline = await resourceBaseline();
      server.faults.latencyMs = 300;
      const link = new ModbusLink({ ...linkConfig, timeoutMs: 1000 });
      const waiting = [link.readHoldingRegisters(5, 0, 1), link.readHoldingRegisters(5, 1, 1)].map((r) =>
        rejectsWithKind(r, 'closed'),
      );
      await new Promise<void>((resolve) => link.on('state', (state: string) => state === 'connected' && resolve()));
      await link.close();
      await Promise.all(waiting);
      // The simulator's own serial port flips between a pending fs read (FSReqCallback) and a
      // poll wait, so that entry comes and goes; our port's release is proven below instead:
      // serialport locks the device (TIOCEXCL), so a leaked port would make the reopen fail.
      await assertResourcesBackTo(baseline, kind === 'rtu' ? ['FSReqCallback'] : []);
      // The port (or gateway socket) is free again: a new link opens it and works.
      server.faults.latencyMs = 0;
      const again = cleanup.link({ ...linkConfig, timeoutMs: 1000 });
      assert.deepEqual(await again.readHoldingRegisters(5, 2, 1), expectedValues(5, 2, 1));
    });
  });
}

describe('transport on a serial line that goes away', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('reports the loss, fails requests with link errors, and does not crash', async () => {
    const pty = await openPtyPair();
    let ptyClosed = false;
    cleanup.add(() => (ptyClosed ? undefined : pty.close()));
    const { lookup } = unitsFor([5]);
    const server = cleanup.server(await startRtuSerialServer({ path: pty.b, baudRate: BAUD, units: lookup }));
    const link = cleanup.link({
      transport: 'rtu',
      path: pty.a,
      baudRate: BAUD,
      timeoutMs: 300,
      reconnectInitialMs: 50,
    });
    assert.deepEqual(await link.readHoldingRegisters(5, 0, 1), expectedValues(5, 0, 1));
    await server.close();
    const reconnecting = new Promise<string | undefined>((resolve) =>
      link.on('state', (state: string, detail?: string) => state === 'reconnecting' && resolve(detail)),
    );
    await pty.close(); // the "USB adapter" is unplugged
    ptyClosed = true;
    assert.match((await reconnecting) ?? '', new RegExp(`link to ${pty.a} is down`));
    const err = await rejectsWithKind(link.readHoldingRegisters(5, 0, 1), 'link');
    assert.match(err.message, new RegExp(pty.a));
  });

  it('derives the inter-request delay from the baud rate', () => {
    const at9600 = new ModbusLink({ transport: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600, parity: 'even' });
    assert.ok(Math.abs(at9600.config.interRequestDelayMs - (3.5 * 11 * 1000) / 9600) < 1e-9);
    const at38400 = new ModbusLink({ transport: 'rtu', path: '/dev/ttyUSB0', baudRate: 38400 });
    assert.equal(at38400.config.interRequestDelayMs, 1.75);
    const set = new ModbusLink({ transport: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600, interRequestDelayMs: 20 });
    assert.equal(set.config.interRequestDelayMs, 20);
    const tcp = new ModbusLink({ transport: 'tcp', host: '127.0.0.1', port: 502 });
    assert.equal(tcp.config.interRequestDelayMs, 0);
  });
});
