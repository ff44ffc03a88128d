/**
 * Many meters on one line from one poller: group rates merged per meter, one health record
 * per meter, a silent meter that costs only itself, and the line's budget measured on a
 * real RTU line (a socat pty pair, the simulator answering after the wire time).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { LinePoller, type FailedPoll, type LineBudget, type PolledReading } from '../../src/device';
import { startSimulator, type Simulator } from '../../src/simulator';
import { ModbusLink } from '../../src/transport';
import { openPtyPair, type PtyPair } from '../helpers/pty';

describe('line poller', function () {
  this.timeout(30_000);
  let sim: Simulator | undefined;
  let link: ModbusLink | undefined;
  let poller: LinePoller | undefined;
  let pty: PtyPair | undefined;

  afterEach(async () => {
    await poller?.stop();
    await link?.close();
    await sim?.close();
    await pty?.close();
    poller = link = sim = pty = undefined;
  });

  it('reads each meter at each group\'s rate, merged, and a silent meter costs only itself', async () => {
    sim = await startSimulator({ transport: 'tcp', port: 0, unitIds: [5, 6, 7], seed: 2, faults: { silentUnits: new Set([7]) } });
    link = new ModbusLink({ transport: 'tcp', host: '127.0.0.1', port: sim.port, timeoutMs: 150, retries: 0 });
    poller = new LinePoller(link, {
      unitIds: [5, 6, 7],
      rates: [
        { groups: ['instantaneous'], everyMs: 300 },
        { groups: ['energies'], everyMs: 900 },
      ],
    });
    const readings: PolledReading[] = [];
    const failures: FailedPoll[] = [];
    poller.on('reading', (r: PolledReading) => readings.push(r));
    poller.on('failure', (f: FailedPoll) => failures.push(f));
    poller.start();
    // Until meter 5 has had its energies read twice (at 0 and 900 ms).
    while (readings.filter((r) => r.unitId === 5 && r.groups.includes('energies')).length < 2) await once(poller, 'reading');
    await poller.stop();

    for (const unitId of [5, 6]) {
      const mine = readings.filter((r) => r.unitId === unitId);
      assert.ok(mine.length >= 3, `meter ${unitId}: ${mine.length} reads`);
      for (const r of mine) {
        assert.ok(typeof r.reading.payload.V1 === 'number', 'instantaneous values in every read');
        assert.equal(typeof r.reading.payload.EaPos === 'number', r.groups.includes('energies'), 'energies only when due, in the same read');
      }
      assert.equal(poller.health(unitId)?.errors, 0);
    }
    assert.ok(failures.length > 0 && failures.every((f) => f.unitId === 7));
    const silent = poller.health(7)!;
    assert.equal(silent.errors, silent.reads);
    assert.ok(silent.timeouts >= 1, 'its first reads time out (then it is backed off)');
    assert.equal(silent.lastSuccessAt, undefined);
    assert.match(silent.lastError ?? '', /meter 7 .*no answer|not asked until/);
  });

  it('says when the polls ask more of an RTU line than it carries, and the interval it could keep; and not below', async () => {
    pty = await openPtyPair();
    sim = await startSimulator({ transport: 'rtu', path: pty.b, baudRate: 9600, wireTiming: true, unitIds: [5, 6, 7, 8], seed: 2 });
    link = new ModbusLink({ transport: 'rtu', path: pty.a, baudRate: 9600, timeoutMs: 1000 });
    const full = ['instantaneous', 'energies', 'maxAvg', 'harmonics'] as const;

    // Four full polls (4 requests each, 0.33 s of wire time at 9600 8N1) every second: more than the line carries.
    poller = new LinePoller(link, { unitIds: [5, 6, 7, 8], rates: [{ groups: [...full], everyMs: 1000 }], budgetWindowMs: 3000 });
    poller.start();
    const [warning] = (await once(poller, 'budget')) as [LineBudget];
    assert.equal(warning.exceeded, true);
    // One more round, so that every meter's read time is counted in the estimate.
    for (let i = 0; i < 4; i++) await once(poller, 'reading');
    const over = poller.budget();
    await poller.stop();
    assert.equal(over.exceeded, true);
    assert.ok(over.offeredLoad > 1, `offered load ${over.offeredLoad}`);
    // 4 x 0.33 s of wire time, kept under 90 %: about 1.5 s.
    assert.ok(over.achievableEveryMs !== undefined && over.achievableEveryMs >= 1300 && over.achievableEveryMs < 2000, `achievable ${over.achievableEveryMs} ms`);

    // The same polls every 4 s leave the line mostly idle: no warning.
    poller = new LinePoller(link, { unitIds: [5, 6, 7, 8], rates: [{ groups: [...full], everyMs: 4000 }], budgetWindowMs: 3000 });
    let warned = false;
    poller.on('budget', (b: LineBudget) => (warned ||= b.exceeded));
    const rounds: PolledReading[] = [];
    poller.on('reading', (r: PolledReading) => rounds.push(r));
    poller.start();
    while (rounds.length < 4) await once(poller, 'reading');
    const budget = poller.budget();
    await poller.stop();
    assert.equal(warned, false);
    assert.equal(budget.exceeded, false, `offered load ${budget.offeredLoad}`);
    assert.ok(budget.offeredLoad < 0.5, `offered load ${budget.offeredLoad}`);
    console.log(`      9600 baud, 4 meters, full polls: every 1 s asks ${(over.offeredLoad * 100).toFixed(0)}% of the line (could keep every ${over.achievableEveryMs} ms); every 4 s ${(budget.offeredLoad * 100).toFixed(0)}%`);
  });

  it('counts a slow group by what it adds to the fast read: instantaneous every second and the rest every 30 s fit where full polls would not', async () => {
    pty = await openPtyPair();
    sim = await startSimulator({ transport: 'rtu', path: pty.b, baudRate: 9600, wireTiming: true, unitIds: [5, 6, 7], seed: 2 });
    link = new ModbusLink({ transport: 'rtu', path: pty.a, baudRate: 9600, timeoutMs: 1000 });
    // Three meters: full polls every second would ask about 100 % of the line (3 x 0.33 s).
    poller = new LinePoller(link, {
      unitIds: [5, 6, 7],
      rates: [
        { groups: ['instantaneous'], everyMs: 1000 },
        { groups: ['energies', 'maxAvg', 'harmonics'], everyMs: 30_000 },
      ],
    });
    let warned = false;
    poller.on('budget', (b: LineBudget) => (warned ||= b.exceeded));
    const reads: PolledReading[] = [];
    poller.on('reading', (r: PolledReading) => reads.push(r));
    poller.start();
    // The first round reads everything (merged), the next two the instantaneous values alone.
    while (reads.length < 9) await once(poller, 'reading');
    const budget = poller.budget();
    await poller.stop();
    assert.deepEqual(
      reads.map((r) => r.groups.length),
      [4, 4, 4, 1, 1, 1, 1, 1, 1],
    );
    assert.equal(warned, false, 'the first, merged round is no measure of the fast rate alone');
    assert.equal(budget.exceeded, false, `offered load ${budget.offeredLoad}`);
    assert.ok(budget.offeredLoad > 0.3 && budget.offeredLoad < 0.9, `offered load ${budget.offeredLoad}`);
  });
});
