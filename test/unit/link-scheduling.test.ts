/**
 * The link's scheduling on an injected clock: the real ModbusLink (scheduler, supervisor,
 * fair queue, unit health) over a ScriptedLine, with time moved by hand. Every bound here
 * is exact; the real-socket tests (test/integration/transport-*.test.ts) keep checking the
 * same behaviours on TCP, RTU over TCP and a serial pty without timing bounds.
 */
import assert from 'node:assert/strict';
import { ModbusLink, type LinkConfig, type LinkState } from '../../src/transport';
import { ManualClock } from '../helpers/manual-clock';
import { numbered, ScriptedLine } from '../helpers/scripted-line';

const HEALTHY = 5;
const SILENT = 9;

function setup(config: Partial<LinkConfig> = {}): { clock: ManualClock; line: ScriptedLine; link: ModbusLink; states: LinkState[] } {
  const clock = new ManualClock();
  const line = new ScriptedLine(clock);
  const link = new ModbusLink({ transport: 'tcp', host: 'meter.test', port: 502, ...config }, { clock, openChannel: line.open });
  const states: LinkState[] = [];
  link.on('state', (state) => states.push(state));
  return { clock, line, link, states };
}

describe('link scheduling on an injected clock', () => {
  const links: ModbusLink[] = [];
  afterEach(async () => {
    for (const link of links.splice(0)) await link.close();
  });
  function make(config: Partial<LinkConfig> = {}): ReturnType<typeof setup> {
    const made = setup(config);
    links.push(made.link);
    return made;
  }

  it('a silent unit id delays a healthy one by one timeout at most, and by nothing once backed off', async () => {
    const timeoutMs = 300;
    const { clock, line, link } = make({ timeoutMs, retries: 1, unitBackoffAfter: 2, unitBackoffInitialMs: 10_000 });
    line.silent.add(SILENT);
    await clock.settle(link.readHoldingRegisters(HEALTHY, 0, 1));

    for (let round = 0; round < 2; round++) {
      const start = clock.now();
      const silent = clock.settle(link.readHoldingRegisters(SILENT, 0, 2, { source: 'meter-9' }));
      const healthy = clock.track(link.readHoldingRegisters(HEALTHY, 10 + round, 2, { source: 'meter-5' }));
      const silentOutcome = await silent;
      const healthyOutcome = await clock.settle(healthy);
      assert.deepEqual(healthyOutcome.value, numbered(HEALTHY, 10 + round, 2));
      // First attempt of the silent unit (one timeout), then the healthy request, then the retry.
      assert.equal(healthyOutcome.at - start, timeoutMs + line.latencyMs, 'the healthy request waited exactly one timeout');
      assert.equal(silentOutcome.error?.kind, 'timeout');
      assert.equal(silentOutcome.at - start, 2 * timeoutMs + line.latencyMs, 'the retry went after the healthy request');
      assert.equal(silentOutcome.error?.message, `unit ${SILENT}: no answer within ${timeoutMs} ms (2 attempts)`);
    }
    assert.equal(link.health(SILENT).consecutiveFailures, 2);
    assert.equal(link.health(SILENT).backoffUntil, clock.now() + 10_000);

    const start = clock.now();
    const sentBefore = line.sent.length;
    for (let i = 0; i < 20; i++) {
      const silent = clock.settle(link.readHoldingRegisters(SILENT, 0, 2));
      assert.equal((await silent).error?.kind, 'backoff');
      assert.deepEqual((await clock.settle(link.readHoldingRegisters(HEALTHY, i, 2))).value, numbered(HEALTHY, i, 2));
    }
    assert.equal(line.sent.length - sentBefore, 20, 'only the healthy requests reached the line');
    assert.equal(clock.now() - start, 20 * line.latencyMs, 'twenty rounds cost twenty round trips, no timeout');
  });

  it('probes a backed-off unit once when the backoff ends, doubles the backoff when the probe fails, and takes it back', async () => {
    const timeoutMs = 100;
    const backoffMs = 300;
    const { clock, line, link } = make({ timeoutMs, retries: 1, unitBackoffAfter: 2, unitBackoffInitialMs: backoffMs, unitBackoffMaxMs: 4 * backoffMs });
    line.silent.add(SILENT);
    for (let i = 0; i < 2; i++) assert.equal((await clock.settle(link.readHoldingRegisters(SILENT, 0, 1, { retries: 0 }))).error?.kind, 'timeout');
    const backedOffAt = clock.now();
    assert.equal(link.health(SILENT).backoffUntil, backedOffAt + backoffMs);
    assert.equal((await clock.settle(link.readHoldingRegisters(SILENT, 0, 1))).error?.kind, 'backoff');

    // One ms before the end: still refused. At the end: one probe, the others refused.
    await clock.advance(backoffMs - 1);
    assert.equal((await clock.settle(link.readHoldingRegisters(SILENT, 0, 1))).error?.kind, 'backoff');
    await clock.advance(1);
    const timeoutsBefore = link.stats.timeouts;
    const probe = clock.track(link.readHoldingRegisters(SILENT, 0, 1));
    const other = await clock.settle(link.readHoldingRegisters(SILENT, 1, 1));
    assert.equal(other.error?.kind, 'backoff');
    assert.match(other.error?.message ?? '', /a probe request is checking whether it answers again/);
    const probeStart = clock.now();
    const probeOutcome = await clock.settle(probe);
    assert.equal(probeOutcome.error?.kind, 'timeout');
    assert.equal(probeOutcome.at - probeStart, timeoutMs, 'the probe is one attempt, never retried');
    assert.equal(link.stats.timeouts - timeoutsBefore, 1);
    assert.equal(link.health(SILENT).backoffUntil - clock.now(), 2 * backoffMs, 'the backoff doubled');

    // It answers again: the next probe clears the backoff.
    line.silent.clear();
    await clock.advance(2 * backoffMs);
    assert.deepEqual((await clock.settle(link.readHoldingRegisters(SILENT, 4, 2))).value, numbered(SILENT, 4, 2));
    assert.equal(link.health(SILENT).backoffUntil, 0);
    assert.equal(link.health(SILENT).consecutiveFailures, 0);
  });

  it('doubles a unit backoff up to its ceiling, failed probe after failed probe', async () => {
    const { clock, line, link } = make({ timeoutMs: 50, retries: 0, unitBackoffAfter: 1, unitBackoffInitialMs: 1000, unitBackoffMaxMs: 5000 });
    line.silent.add(SILENT);
    const lengths: number[] = [];
    await clock.settle(link.readHoldingRegisters(SILENT, 0, 1));
    for (let probe = 0; probe < 5; probe++) {
      const until = link.health(SILENT).backoffUntil;
      lengths.push(until - clock.now());
      await clock.advance(until - clock.now());
      await clock.settle(link.readHoldingRegisters(SILENT, 0, 1));
    }
    assert.deepEqual(lengths, [1000, 2000, 4000, 5000, 5000]);
  });

  it('fails a request still queued after queueTimeoutMs with queue-timeout, exactly then', async () => {
    const { clock, line, link } = make({ timeoutMs: 1000, retries: 0, queueTimeoutMs: 1500 });
    line.latency.set(6, 900);
    await clock.settle(link.readHoldingRegisters(HEALTHY, 0, 1));
    const start = clock.now();
    // Two requests of 900 ms each: the third would go out at 1800 ms, past its 1500 ms deadline.
    const busy = [1, 2].map((i) => clock.track(link.readHoldingRegisters(6, i, 1, { source: 'slow' })));
    const waiting = link.readHoldingRegisters(6, 9, 1, { source: 'slow' });
    const outcome = await clock.settle(waiting);
    assert.equal(outcome.error?.kind, 'queue-timeout');
    assert.equal(outcome.at - start, 1500);
    assert.match(outcome.error?.message ?? '', /not sent within 1500 ms \(queueTimeoutMs\)/);
    for (const request of busy) assert.ok((await clock.settle(request)).value, 'the requests on the wire are answered');
  });

  it('spaces requests by the inter-request delay, and a broadcast by its 100 ms turnaround', async () => {
    const { clock, line, link } = make({ interRequestDelayMs: 40 });
    await clock.settle(Promise.all([0, 1, 2].map((i) => link.readHoldingRegisters(HEALTHY, i, 1))));
    const gaps = line.sent.slice(1).map((s, i) => s.at - line.sent[i].at);
    assert.deepEqual(gaps, [line.latencyMs + 40, line.latencyMs + 40]);
    const broadcastAt = (await clock.settle(link.writeRegister(0, 400, 7))).at;
    await clock.settle(link.readHoldingRegisters(HEALTHY, 3, 1));
    assert.equal(line.sent.at(-1)!.at - broadcastAt, 100, 'the next request waits the broadcast turnaround');
  });

  it('reopens a refused line with backoff doubling to reconnectMaxMs, and fails waiting requests one timeout after the line went down', async () => {
    const { clock, line, link, states } = make({ timeoutMs: 300, reconnectInitialMs: 500, reconnectMaxMs: 2000 });
    line.refuse = true;
    const start = clock.now();
    const first = await clock.settle(link.readHoldingRegisters(HEALTHY, 0, 1));
    assert.equal(first.error?.kind, 'link');
    assert.match(first.error?.message ?? '', /^link to meter\.test:502 is down: .*ECONNREFUSED/);
    assert.equal(first.at - start, 300, 'a request waits one timeout for a line that will not open');
    await clock.advance(10_000);
    const gaps = line.opens.slice(1).map((at, i) => at - line.opens[i] - line.openMs);
    assert.deepEqual(gaps.slice(0, 5), [500, 1000, 2000, 2000, 2000]);
    assert.equal(link.stats.reconnects, 0);
    line.refuse = false;
    await clock.advance(2000 + line.openMs);
    assert.equal(link.state, 'connected');
    assert.deepEqual(states.slice(0, 2), ['connecting', 'reconnecting']);
    assert.deepEqual((await clock.settle(link.readHoldingRegisters(HEALTHY, 1, 1))).value, numbered(HEALTHY, 1, 1));
  });

  it('fails the request in flight at once when the line drops, reconnects after the initial backoff, and counts the reconnect', async () => {
    const { clock, line, link } = make({ timeoutMs: 3000, reconnectInitialMs: 500 });
    await clock.settle(link.readHoldingRegisters(HEALTHY, 0, 1));
    line.latencyMs = 2000;
    const inFlight = clock.track(link.readHoldingRegisters(HEALTHY, 0, 1));
    await clock.advance(100);
    const dropAt = clock.now();
    line.drop();
    const outcome = await clock.settle(inFlight);
    assert.equal(outcome.error?.kind, 'link');
    assert.equal(outcome.at, dropAt, 'failed at the drop, not at the 3000 ms timeout');
    assert.match(outcome.error?.message ?? '', /link to meter\.test:502 is down/);
    line.latencyMs = 10;
    const next = await clock.settle(link.readHoldingRegisters(6, 0, 1));
    assert.deepEqual(next.value, numbered(6, 0, 1));
    assert.equal(line.opens.at(-1)! - dropAt, 500);
    assert.equal(link.stats.reconnects, 1);
  });

  it('a broadcast resolves once written, without waiting for an answer', async () => {
    const { clock, link } = make({ timeoutMs: 2000 });
    await clock.settle(link.readHoldingRegisters(HEALTHY, 0, 1));
    const start = clock.now();
    assert.equal((await clock.settle(link.writeRegister(0, 400, 77))).at, start);
  });

  it('keeps nothing of answered requests alive: memory stays flat over thousands of polls', async () => {
    const { clock, link } = make({ timeoutMs: 1000 });
    const internals = link as unknown as { scheduler: { deadlineLine: unknown[] } };
    let most = 0;
    for (let poll = 0; poll < 1500; poll++) {
      // A poll: four reads from two sources, as a read-measurements node sends them.
      const reads = [0, 1, 2, 3].map((i) => link.readHoldingRegisters(HEALTHY, 100 * i, 2, { source: `node-${i % 2}` }));
      await clock.settle(Promise.all(reads));
      most = Math.max(most, internals.scheduler.deadlineLine.length);
    }
    // The deadline line holds queued requests (and a bounded tail of stale entries), not history.
    assert.ok(most <= 200, `the deadline line grew to ${most} entries over 6000 requests`);
    assert.deepEqual(link.diagnostics(), { queued: 0, inFlight: false, listeners: 1, unitsTracked: 1, timers: 0 });
  });

  it('close() fails everything waiting with kind closed and leaves no timer armed', async () => {
    const { clock, line, link, states } = make({ timeoutMs: 1000, reconnectInitialMs: 500 });
    line.silent.add(SILENT);
    await clock.settle(link.readHoldingRegisters(HEALTHY, 0, 1));
    const waiting = [link.readHoldingRegisters(SILENT, 0, 1), link.readHoldingRegisters(HEALTHY, 1, 1)].map((r) => clock.track(r));
    await clock.advance(10);
    await link.close();
    for (const request of waiting) assert.equal((await clock.settle(request)).error?.kind, 'closed');
    assert.equal(clock.pending, 0, 'a timer is left armed');
    assert.equal(line.isOpen, false);
    assert.deepEqual(link.diagnostics(), { queued: 0, inFlight: false, listeners: 0, unitsTracked: 1, timers: 0 });
    assert.equal(states.at(-1), 'closed');
  });
});
