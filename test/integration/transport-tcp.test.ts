import assert from 'node:assert/strict';
import { ModbusLink, describeLink, modbusExceptionName, type LinkConfig } from '../../src/transport';
import { startTcpServer, type RunningServer } from '../../src/simulator/protocol';
import {
  Cleanup,
  activeResources,
  resourceBaseline,
  assertResourcesBackTo,
  expectedValues,
  rejectsWithKind,
  unitsFor,
} from './transport-fixtures';

describe('transport over Modbus TCP', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function serve(ids: number[]): Promise<{ server: RunningServer; units: ReturnType<typeof unitsFor>['units'] }> {
    const { lookup, units } = unitsFor(ids);
    const server = cleanup.server(await startTcpServer({ port: 0, units: lookup }));
    return { server, units };
  }

  function tcpLink(server: RunningServer, extra: Partial<LinkConfig> = {}): ModbusLink {
    return cleanup.link({ transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 500, ...extra });
  }

  it('reads several unit ids through one link, each getting its own registers', async () => {
    const { server } = await serve([1, 5, 10, 247]);
    const link = tcpLink(server);
    for (const unitId of [1, 5, 10, 247]) {
      assert.deepEqual(await link.readHoldingRegisters(unitId, 100, 4), expectedValues(unitId, 100, 4));
    }
    // The largest read the protocol allows.
    assert.deepEqual(await link.readHoldingRegisters(5, 0, 125), expectedValues(5, 0, 125));
    assert.equal(link.state, 'connected');
  });

  it('keeps exactly one request on the wire even when many are made at once', async () => {
    const { server } = await serve([1, 2, 3]);
    const arrivals: number[] = [];
    const latencyMs = 30;
    server.faults.latencyMs = latencyMs;
    const link = tcpLink(server);
    await link.readHoldingRegisters(1, 0, 1); // connected, so the measurements below are of requests only
    const requests = Array.from({ length: 9 }, (_, i) => {
      const unitId = (i % 3) + 1;
      return link.readHoldingRegisters(unitId, 10 * i, 2, { source: `node-${unitId}` }).then((values) => {
        arrivals.push(Date.now());
        return { unitId, address: 10 * i, values };
      });
    });
    const results = await Promise.all(requests);
    for (const { unitId, address, values } of results) assert.deepEqual(values, expectedValues(unitId, address, 2));
    // Had requests overlapped, answers (each delayed by latencyMs) would come close together.
    const sorted = arrivals.slice().sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(sorted[i] - sorted[i - 1] >= latencyMs - 5, `answers ${i - 1} and ${i} came ${sorted[i] - sorted[i - 1]} ms apart`);
    }
  });

  it('writes one register (function 6) and several (function 16), and the unit holds them', async () => {
    const { server, units } = await serve([5]);
    const link = tcpLink(server);
    await link.writeRegister(5, 300, 0xbeef);
    await link.writeRegisters(5, 310, [1, 2, 65535]);
    assert.deepEqual(units.get(5)?.get(300, 1), [0xbeef]);
    assert.deepEqual(units.get(5)?.get(310, 3), [1, 2, 65535]);
    assert.deepEqual(units.get(5)?.writes.map((w) => w.fn), [6, 16]);
    assert.deepEqual(await link.readHoldingRegisters(5, 310, 3), [1, 2, 65535]);
  });

  it('broadcasts writes to unit 0 without waiting for an answer, and refuses broadcast reads', async () => {
    const { server, units } = await serve([5, 6]);
    const link = tcpLink(server, { timeoutMs: 2000 });
    await link.readHoldingRegisters(5, 0, 1);
    const started = Date.now();
    await link.writeRegister(0, 400, 77);
    // It resolves at once (exactly: test/unit/link-scheduling.test.ts); here, before the timeout would.
    assert.ok(Date.now() - started < 2000, 'a broadcast must not wait for the timeout');
    // The next request proves the broadcast went out before it (one request at a time, in order).
    await link.readHoldingRegisters(5, 0, 1);
    assert.deepEqual(units.get(5)?.get(400, 1), [77]);
    assert.deepEqual(units.get(6)?.get(400, 1), [77]);
    const err = await rejectsWithKind(link.readHoldingRegisters(0, 0, 1), 'input');
    assert.match(err.message, /broadcast/);
  });

  it('names Modbus exceptions and does not retry them', async () => {
    const { server } = await serve([5]);
    const link = tcpLink(server);
    const cases: Array<[number, number, string]> = [
      [50512, 2, 'illegal data address'],
      [700, 3, 'illegal data value'],
      [701, 4, 'server device failure'],
      [702, 6, 'server busy'],
      [703, 11, 'gateway target failed to respond'],
    ];
    for (const [address, code] of cases) server.faults.exceptionAt.set(address, code);
    for (const [address, code, name] of cases) {
      const before = server.stats.requests;
      const count = address === 50512 ? 2 : 1;
      const err = (await rejectsWithKind(link.readHoldingRegisters(5, address, count), 'exception')) as Error & {
        modbusCode?: number;
        unitId?: number;
      };
      assert.equal(err.modbusCode, code);
      assert.equal(err.unitId, 5);
      assert.equal(modbusExceptionName(code), name);
      assert.equal(err.message, `unit 5: Modbus exception ${code} (${name}) at ${address}`);
      assert.equal(server.stats.requests - before, 1, 'an exception is an answer: no retry');
    }
    const health = link.health(5);
    assert.equal(health.consecutiveFailures, 0, 'a unit that answers with exceptions is alive');
    assert.equal(health.backoffUntil, 0);
  });

  it('reports a damaged answer as framing and keeps working', async () => {
    const { server } = await serve([5]);
    const link = tcpLink(server);
    server.faults.garbledUnits.add(5);
    const err = await rejectsWithKind(link.readHoldingRegisters(5, 20, 3), 'framing');
    assert.match(err.message, /^unit 5: bad reply/);
    server.faults.garbledUnits.clear();
    assert.deepEqual(await link.readHoldingRegisters(5, 20, 3), expectedValues(5, 20, 3));
    assert.equal(link.state, 'connected');
  });

  it('rejects bad requests with an input error naming the field, before sending anything', async () => {
    const { server } = await serve([5]);
    const link = tcpLink(server);
    const bad: Array<[Promise<unknown>, RegExp]> = [
      [link.readHoldingRegisters(248, 0, 1), /unitId must be an integer 0\.\.247, got 248/],
      [link.readHoldingRegisters(-1, 0, 1), /unitId/],
      [link.readHoldingRegisters(1.5, 0, 1), /unitId/],
      [link.readHoldingRegisters(5, 65536, 1), /address must be an integer 0\.\.65535/],
      [link.readHoldingRegisters(5, 0, 0), /count must be an integer 1\.\.125, got 0/],
      [link.readHoldingRegisters(5, 0, 126), /count must be an integer 1\.\.125, got 126/],
      [link.readHoldingRegisters(5, 65500, 100), /runs past register 65535/],
      [link.writeRegister(5, 0, 65536), /value must be an integer 0\.\.65535, got 65536/],
      [link.writeRegister(5, 0, -1), /value/],
      [link.writeRegisters(5, 0, []), /values must be an array of 1\.\.123 registers, got 0 values/],
      [link.writeRegisters(5, 0, new Array<number>(124).fill(0)), /got 124 values/],
      [link.writeRegisters(5, 0, [1, 2.5]), /values\[1\] must be an integer/],
      [link.writeRegisters(5, 65535, [1, 2]), /runs past register 65535/],
      [link.readHoldingRegisters(5, 0, 1, { priority: 'urgent' as 'high' }), /priority/],
    ];
    for (const [request, message] of bad) {
      const err = await rejectsWithKind(request, 'input');
      assert.match(err.message, message);
    }
    assert.equal(server.stats.requests, 0, 'nothing reached the server');
    assert.equal(link.state, 'idle', 'bad input does not even open the link');
  });

  it('validates the link config in the constructor, naming the bad field', () => {
    const cases: Array<[LinkConfig, RegExp]> = [
      [{ transport: 'tcp', host: '', port: 502 }, /host/],
      [{ transport: 'tcp', host: 'bad host', port: 502 }, /host/],
      [{ transport: 'tcp', host: '127.0.0.1', port: 70000 }, /port must be an integer 1\.\.65535, got 70000/],
      [{ transport: 'tcp', host: '127.0.0.1' }, /port/],
      [{ transport: 'rtu', path: '' }, /path/],
      [{ transport: 'rtu', path: '/dev/ttyUSB0', baudRate: 0 }, /baudRate/],
      [{ transport: 'rtu', path: '/dev/ttyUSB0', parity: 'mark' as 'odd' }, /parity/],
      [{ transport: 'tcp', host: '127.0.0.1', port: 502, timeoutMs: 0 }, /timeoutMs/],
      [{ transport: 'tcp', host: '127.0.0.1', port: 502, timeoutMs: Number.NaN }, /timeoutMs/],
      [{ transport: 'tcp', host: '127.0.0.1', port: 502, queueLimit: 0 }, /queueLimit/],
      [{ transport: 'tcp', host: '127.0.0.1', port: 502, reconnectInitialMs: 500, reconnectMaxMs: 100 }, /reconnectMaxMs/],
      [{ transport: 'serial' as 'rtu' }, /transport must be one of tcp, rtu, rtu-over-tcp/],
    ];
    for (const [config, message] of cases) {
      assert.throws(
        () => new ModbusLink(config),
        (err: Error & { kind?: string }) => err.name === 'LinkError' && err.kind === 'input' && message.test(err.message),
        `config ${JSON.stringify(config)} should fail with ${message}`,
      );
    }
  });

  it('describes links in one line', () => {
    assert.equal(describeLink({ transport: 'tcp', host: '127.0.0.1', port: 502 }), 'tcp 127.0.0.1:502');
    assert.equal(describeLink({ transport: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600 }), 'rtu /dev/ttyUSB0 9600 8N1');
    assert.equal(
      describeLink({ transport: 'rtu', path: '/dev/ttyS1', baudRate: 19200, parity: 'even', stopBits: 1 }),
      'rtu /dev/ttyS1 19200 8E1',
    );
    assert.equal(describeLink({ transport: 'rtu-over-tcp', host: '10.0.0.5', port: 4001 }), 'rtu-over-tcp 10.0.0.5:4001');
  });

  it('bounds the queue: beyond queueLimit requests fail at once, and the queue drains', async () => {
    const { server } = await serve([5]);
    server.faults.latencyMs = 40;
    const link = tcpLink(server, { queueLimit: 5 });
    await link.readHoldingRegisters(5, 0, 1);
    let answered = false;
    const accepted = Array.from({ length: 6 }, (_, i) =>
      link.readHoldingRegisters(5, i, 1).finally(() => (answered = true)),
    ); // 1 in flight + 5 waiting
    const refused = Array.from({ length: 3 }, (_, i) => link.readHoldingRegisters(5, 100 + i, 1));
    for (const request of refused) {
      const err = await rejectsWithKind(request, 'queue-full');
      assert.match(err.message, /queueLimit 5/);
    }
    assert.equal(answered, false, 'queue-full comes at once, before even the request in flight is answered');
    const values = await Promise.all(accepted);
    values.forEach((v, i) => assert.deepEqual(v, expectedValues(5, i, 1)));
    assert.equal(link.diagnostics().queued, 0);
    assert.deepEqual(await link.readHoldingRegisters(5, 9, 1), expectedValues(5, 9, 1), 'works again once drained');
  });

  it('is fair: a flood from one source does not hold back another source for more than a couple of slots', async () => {
    const { server } = await serve([5, 6]);
    server.faults.latencyMs = 5;
    const link = tcpLink(server);
    await link.readHoldingRegisters(5, 0, 1);
    const order: string[] = [];
    const flood = Array.from({ length: 40 }, (_, i) =>
      link.readHoldingRegisters(5, i, 1, { source: 'poller-A' }).then(() => order.push(`A${i}`)),
    );
    const single = link.readHoldingRegisters(6, 7, 1, { source: 'node-B' }).then((values) => {
      order.push('B');
      return values;
    });
    assert.deepEqual(await single, expectedValues(6, 7, 1));
    await Promise.all(flood);
    const position = order.indexOf('B');
    assert.ok(position <= 2, `B was answered after ${position} of A's requests (order ${order.slice(0, 5).join(',')})`);
  });

  it("sends 'high' priority requests (writes) before waiting normal reads", async () => {
    const { server } = await serve([5]);
    server.faults.latencyMs = 5;
    const link = tcpLink(server);
    await link.readHoldingRegisters(5, 0, 1);
    const order: string[] = [];
    const reads = Array.from({ length: 10 }, (_, i) =>
      link.readHoldingRegisters(5, i, 1, { source: 'poller' }).then(() => order.push(`read${i}`)),
    );
    const write = link.writeRegister(5, 500, 1, { source: 'poller' }).then(() => order.push('write'));
    await Promise.all([...reads, write]);
    assert.ok(order.indexOf('write') <= 1, `the write went out at position ${order.indexOf('write')}`);
  });

  it('does not grow listeners or records over 200 failing requests', async () => {
    const { server } = await serve([5]);
    const link = tcpLink(server, { timeoutMs: 250, retries: 0, unitBackoffAfter: 1000 });
    server.faults.exceptionAt.set(10, 2);
    await rejectsWithKind(link.readHoldingRegisters(5, 10, 1), 'exception');
    const before = link.diagnostics();
    for (let i = 0; i < 180; i++) await rejectsWithKind(link.readHoldingRegisters(5, 10, 1), 'exception');
    server.faults.silentUnits.add(5);
    for (let i = 0; i < 20; i++) await rejectsWithKind(link.readHoldingRegisters(5, 0, 1), 'timeout');
    const after = link.diagnostics();
    assert.ok(before.listeners > 0);
    assert.equal(after.listeners, before.listeners, 'listener count stays flat');
    assert.equal(after.unitsTracked, before.unitsTracked);
    assert.equal(after.queued, 0);
    assert.equal(link.stats.timeouts, 20);
    assert.equal(link.stats.errors, 201);
  });

  it('close() releases the socket, fails waiting requests with kind closed, and leaves no timer', async () => {
    const { server } = await serve([5]);
    server.faults.latencyMs = 200;
    const resourcesBefore = await resourceBaseline();
    const link = new ModbusLink({ transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 1000 });
    const pending = [link.readHoldingRegisters(5, 0, 1), link.readHoldingRegisters(5, 1, 1), link.writeRegister(5, 2, 3)];
    const failures = pending.map((request) => rejectsWithKind(request, 'closed'));
    await new Promise<void>((resolve) => link.once('state', (state: string) => state === 'connected' && resolve()));
    assert.ok(activeResources().length > resourcesBefore.length, 'the link holds a socket while open');
    await link.close();
    for (const err of await Promise.all(failures)) assert.match(err.message, /was closed/);
    assert.equal(link.state, 'closed');
    await assertResourcesBackTo(resourcesBefore);
    await rejectsWithKind(link.readHoldingRegisters(5, 0, 1), 'closed');
  });
});
