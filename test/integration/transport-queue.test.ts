/** The queue stays cheap however long it gets, and no request waits in it for ever. */
import assert from 'node:assert/strict';
import { ModbusLink } from '../../src/transport';
import { linkConfigFromSettings } from '../../src/nodes/connection-settings';
import { startTcpServer } from '../../src/simulator/protocol';
import { Cleanup, expectedValues, rejectsWithKind, unitsFor } from './transport-fixtures';
import { closedPort } from '../helpers/ports';

/** Submit `count` reads to a link that cannot open; returns the ms the submitting took and the settled promises. */
async function submitWhileDown(cleanup: Cleanup, port: number, count: number): Promise<{ ms: number; outcomes: Promise<string>[] }> {
  const link = cleanup.link({ transport: 'tcp', host: '127.0.0.1', port, timeoutMs: 300, queueLimit: 100_000 });
  const started = performance.now();
  const outcomes: Promise<string>[] = [];
  for (let i = 0; i < count; i++) {
    outcomes.push(link.readHoldingRegisters(5, i % 100, 1).then(
      () => 'answered',
      (err: { kind?: string }) => String(err.kind),
    ));
  }
  return { ms: performance.now() - started, outcomes };
}

describe('transport queue', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('queues 40,000 requests while the link is opening in well under a second each 10,000, and fails every one as link down', async function () {
    this.timeout(30_000);
    const port = await closedPort();
    const { ms, outcomes } = await submitWhileDown(cleanup, port, 40_000);
    const kinds = new Set(await Promise.all(outcomes));
    // Every request fails as 'link' one timeout after it could not be sent: none is lost.
    assert.deepEqual([...kinds], ['link']);
    console.log(`      40,000 requests submitted while opening in ${ms.toFixed(0)} ms`);
    // Expiry that scanned the queue on every submit took 7.4 s here; a tenth of that is generous.
    assert.ok(ms < 2000, `submitting 40,000 requests took ${ms.toFixed(0)} ms`);
  });

  it('fails a request that waited longer than queueTimeoutMs unsent, naming the limit, and keeps serving', async () => {
    const { lookup } = unitsFor([5, 9]);
    const server = cleanup.server(await startTcpServer({ port: 0, units: lookup, faults: { silentUnits: new Set([9]) } }));
    const link = cleanup.link({
      transport: 'tcp',
      host: '127.0.0.1',
      port: server.port,
      timeoutMs: 200,
      retries: 0,
      unitBackoffAfter: 1000,
      queueTimeoutMs: 300,
    });
    await link.readHoldingRegisters(5, 0, 1);
    // One source, first in first out: three reads of the silent unit, then one of a healthy one.
    const silent = [0, 1, 2].map((i) =>
      link.readHoldingRegisters(9, i, 1, { source: 'poller' }).then(
        () => 'answered',
        (err: { kind?: string }) => String(err.kind),
      ),
    );
    const healthy = link.readHoldingRegisters(5, 10, 1, { source: 'poller' });
    const err = await rejectsWithKind(healthy, 'queue-timeout');
    assert.equal(err.message, `unit 5: not sent within 300 ms (queueTimeoutMs): tcp 127.0.0.1:${server.port} carries more requests than it can serve`);
    const outcomes = await Promise.all(silent);
    // The first two were sent (200 ms each) and got no answer; the third waited past 300 ms.
    assert.deepEqual(outcomes, ['timeout', 'timeout', 'queue-timeout']);
    assert.deepEqual(await link.readHoldingRegisters(5, 10, 1), expectedValues(5, 10, 1));
    assert.equal(link.diagnostics().timers, 0, 'no expiry timer left once the queue is empty');
  });

  it('takes queueTimeoutMs and the silent-meter backoff ceiling from the connection settings', () => {
    const config = linkConfigFromSettings({ transport: 'tcp', host: 'meter', port: 502, queueTimeoutMs: '4000', unitBackoffMaxMs: '15000' });
    const link = new ModbusLink(config);
    assert.equal(link.config.queueTimeoutMs, 4000);
    assert.equal(link.config.unitBackoffMaxMs, 15_000);
    const defaults = new ModbusLink(linkConfigFromSettings({ transport: 'tcp', host: 'meter', port: 502, timeoutMs: 700, queueTimeoutMs: '' }));
    assert.equal(defaults.config.queueTimeoutMs, 7000, 'blank: 10 x the timeout');
    assert.equal(defaults.config.unitBackoffMaxMs, 60_000);
    assert.throws(() => new ModbusLink(linkConfigFromSettings({ transport: 'tcp', host: 'meter', port: 502, queueTimeoutMs: 'soon' })), /queueTimeoutMs must be an integer 1\.\.3600000, got NaN/);
  });
});
