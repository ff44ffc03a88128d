import assert from 'node:assert/strict';
import { startTcpServer } from '../../src/simulator/protocol';
import type { LinkError } from '../../src/transport';
import { Cleanup, unitsFor } from './transport-fixtures';

describe('transport: retries per request', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('sends a silent unit id the link\'s retries, and only once when the request says retries: 0', async () => {
    const { lookup } = unitsFor([5]);
    const server = cleanup.server(await startTcpServer({ units: lookup, faults: { silentUnits: new Set([9]) } }));
    // A long unit backoff threshold keeps both requests on the wire.
    const link = cleanup.link({ transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 200, retries: 2, unitBackoffAfter: 10 });

    const before = server.stats.requests;
    await assert.rejects(link.readHoldingRegisters(9, 0, 1), (err: LinkError) => err.kind === 'timeout');
    assert.equal(server.stats.requests - before, 3, 'one attempt and two retries');

    const middle = server.stats.requests;
    await assert.rejects(link.readHoldingRegisters(9, 0, 1, { retries: 0 }), (err: LinkError) => err.kind === 'timeout');
    assert.equal(server.stats.requests - middle, 1, 'no retry');
  });

  it('refuses a bad retries value before sending anything', async () => {
    const { lookup } = unitsFor([5]);
    const server = cleanup.server(await startTcpServer({ units: lookup }));
    const link = cleanup.link({ transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 200 });
    await assert.rejects(link.readHoldingRegisters(5, 0, 1, { retries: -1 }), /retries must be an integer 0\.\.10, got -1/);
    assert.equal(server.stats.requests, 0);
  });
});
