/**
 * Section 3: ten DIRIS on one link (one ModbusLink, one TCP connection), each polling all four
 * groups for a fixed time, back to back and paced: polls/s in total and per unit, all healthy,
 * then with one unit id silent. Rounds alternate healthy / silent, each on a fresh link (so
 * every silent round pays the silent meter's first timeouts again).
 */
import { DirisDevice } from '../src/device';
import { ModbusLink } from '../src/transport';
import { ALL_GROUPS } from './contenders';
import type { SectionResult } from './poll-cost';
import type { SimulatorProcess } from './simulator-process';
import { fixed, formatSpread, median, nowMs, percentile, sleep, spread, table } from './stats';

const UNIT_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const SILENT_UNIT = 7;
const ROUND_MS = 4000;
const ROUNDS_EACH = 3;
/** A LAN meter's own limit is 250 ms (A40 manual); our loopback meters answer in well under 1 ms. */
const TIMEOUT_MS = 250;
/** After a failed poll a node would wait for its next interval; this stands in for it. */
const RETRY_AFTER_FAILURE_MS = 100;
/** Steady state: the window after the silent meter's first timeouts (it is in backoff by then). */
const SETTLED_AFTER_MS = 2000;
/** Paced mode: each meter polled every 100 ms, as a node with a 0.1 s poll interval would. */
const PACED_INTERVAL_MS = 100;

type Mode = 'back-to-back' | 'paced';

interface RoundResult {
  mode: Mode;
  silent: boolean;
  /** Per unit id: successful polls, as [completed at (ms from the round's start), took ms]. */
  done: Map<number, [number, number][]>;
  failures: Map<number, number>;
  timeouts: number;
  /** Process CPU (user + system) over the round's polling, ms. */
  cpuMs: number;
}

async function runRound(port: number, mode: Mode, silent: boolean): Promise<RoundResult> {
  const link = new ModbusLink({ transport: 'tcp', host: '127.0.0.1', port, timeoutMs: TIMEOUT_MS, retries: 1 });
  const done = new Map<number, [number, number][]>(UNIT_IDS.map((u) => [u, []]));
  const failures = new Map<number, number>(UNIT_IDS.map((u) => [u, 0]));
  let cpuStart = process.cpuUsage();
  let cpuMs = 0;
  try {
    // Connect first, so the round measures polling, not the TCP handshake.
    await link.readHoldingRegisters(UNIT_IDS[0], 50512, 2);
    cpuStart = process.cpuUsage();
    const start = nowMs();
    const end = start + ROUND_MS;
    const loops = UNIT_IDS.map(async (unitId, index) => {
      // Each meter is its own source, as each flow node is: the link's fair queue takes turns.
      const device = new DirisDevice(link, unitId, { source: `meter-${unitId}` });
      // Paced nodes are deployed at different moments: spread their phases over the interval.
      if (mode === 'paced') await sleep((index * PACED_INTERVAL_MS) / UNIT_IDS.length);
      while (nowMs() < end) {
        const began = nowMs();
        let failed = false;
        try {
          await device.readMeasurements({ groups: ALL_GROUPS });
          const finished = nowMs();
          done.get(unitId)!.push([finished - start, finished - began]);
        } catch {
          failures.set(unitId, failures.get(unitId)! + 1);
          failed = true;
        }
        // A failed poll waits like a node waits for its next interval (and so never spins).
        const pause = mode === 'paced' ? PACED_INTERVAL_MS - (nowMs() - began) : failed ? RETRY_AFTER_FAILURE_MS : 0;
        if (pause > 0) await sleep(Math.min(pause, end - nowMs()));
      }
    });
    await Promise.all(loops);
    const cpu = process.cpuUsage(cpuStart);
    cpuMs = (cpu.user + cpu.system) / 1000;
  } finally {
    await link.close();
  }
  return { mode, silent, done, failures, timeouts: link.stats.timeouts, cpuMs };
}

/** Polls/s of one unit over [from, to) ms of one round. */
function roundRate(round: RoundResult, unitId: number, from: number, to: number): number {
  return round.done.get(unitId)!.filter(([at]) => at >= from && at < to).length / ((to - from) / 1000);
}

/**
 * Polls/s per unit over [from, to) ms: each unit's rate in the round whose total (over
 * these units) is the median of the rounds, so one round hit by a noisy neighbour does not
 * decide the result.
 */
function medianRoundRates(rounds: readonly RoundResult[], unitIds: readonly number[], from: number, to: number): number[] {
  const perRound = rounds.map((r) => unitIds.map((u) => roundRate(r, u, from, to)));
  const byTotal = [...perRound].sort((a, b) => sum(a) - sum(b));
  return byTotal[Math.floor(byTotal.length / 2)];
}

/** The p-th percentile of poll times of these units over [from, to) ms. */
function pollTime(rounds: readonly RoundResult[], unitIds: readonly number[], from: number, to: number, p: number): number {
  const times = rounds.flatMap((r) => unitIds.flatMap((u) => r.done.get(u)!.filter(([at]) => at >= from && at < to).map(([, took]) => took)));
  return percentile(times, p);
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** CPU ms per successful poll of each round: "median (min-max)" over the rounds. */
function cpuPerPoll(rounds: readonly RoundResult[]): string {
  return formatSpread(spread(rounds.map((r) => r.cpuMs / Math.max(1, sum([...r.done.values()].map((d) => d.length))))), 3);
}

export async function multiUnitRate(sims: SimulatorProcess): Promise<SectionResult> {
  const sim = await sims.start({ transport: 'tcp', port: 0, unitIds: UNIT_IDS, seed: 3 });
  const rounds: RoundResult[] = [];
  for (const mode of ['back-to-back', 'paced'] as const) {
    for (let i = 0; i < ROUNDS_EACH * 2; i++) {
      const silent = i % 2 === 1;
      await sims.setSilent(sim.key, silent ? [SILENT_UNIT] : []);
      rounds.push(await runRound(sim.port, mode, silent));
    }
  }
  await sims.setSilent(sim.key, []);

  const others = UNIT_IDS.filter((u) => u !== SILENT_UNIT);
  const windows = [
    { name: `0-${ROUND_MS / 1000} s`, from: 0, to: ROUND_MS },
    { name: `${SETTLED_AFTER_MS / 1000}-${ROUND_MS / 1000} s`, from: SETTLED_AFTER_MS, to: ROUND_MS },
  ];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const mode of ['back-to-back', 'paced'] as const) {
    const healthy = rounds.filter((r) => r.mode === mode && !r.silent);
    const withSilent = rounds.filter((r) => r.mode === mode && r.silent);
    for (const w of windows) {
      const healthyRates = medianRoundRates(healthy, others, w.from, w.to);
      const silentRates = medianRoundRates(withSilent, others, w.from, w.to);
      const allRates = medianRoundRates(healthy, UNIT_IDS, w.from, w.to);
      rows.push([
        mode === 'paced' ? `paced, every ${PACED_INTERVAL_MS} ms` : mode,
        w.name,
        fixed(sum(allRates), 1),
        fixed(median(allRates), 1),
        fixed(sum(silentRates), 1),
        `${fixed(Math.min(...silentRates), 1)} / ${fixed(median(silentRates), 1)} / ${fixed(Math.max(...silentRates), 1)}`,
        `${fixed(sum(silentRates) / sum(healthyRates), 2)}x`,
        `${fixed(pollTime(healthy, others, w.from, w.to, 99), 1)} / ${fixed(pollTime(withSilent, others, w.from, w.to, 99), 1)}`,
        w.from === 0 ? `${cpuPerPoll(healthy)} / ${cpuPerPoll(withSilent)}` : '',
      ]);
    }
    const silentFailures = sum(withSilent.map((r) => r.failures.get(SILENT_UNIT)!)) / withSilent.length;
    const silentTimeouts = sum(withSilent.map((r) => r.timeouts)) / withSilent.length;
    const otherFailures = sum(withSilent.map((r) => sum(others.map((u) => r.failures.get(u)!))));
    const blockedShare = (silentTimeouts * TIMEOUT_MS) / ROUND_MS;
    notes.push(
      `- ${mode}: per silent round ${fixed(silentFailures, 1)} failed polls of unit ${SILENT_UNIT} and ${fixed(silentTimeouts, 1)} request timeouts,` +
        ` which held the line ${fixed(blockedShare * 100, 0)} % of the round; ${otherFailures} failed polls of the other 9 in all rounds.`,
    );
  }
  const rateTable = table(
    [
      'mode',
      'window',
      'all 10 healthy: polls/s total',
      'per unit (median)',
      `unit ${SILENT_UNIT} silent: other 9, polls/s total`,
      'per unit min / median / max',
      'other 9 vs same 9 all healthy',
      'p99 ms/poll of the 9, healthy / silent',
      'CPU ms/poll, median (min-max over rounds), healthy / silent',
    ],
    rows,
  );
  const markdown = [
    `One ModbusLink (Modbus TCP, loopback, timeout ${TIMEOUT_MS} ms, 1 retry, default unit backoff 1 s doubling to 60 s),`,
    `${UNIT_IDS.length} DirisDevices (unit ids ${UNIT_IDS[0]}..${UNIT_IDS[UNIT_IDS.length - 1]}), each its own queue source, each polling all four groups`,
    `(4 requests a poll) for ${ROUND_MS / 1000} s: back to back (what the line can carry) and paced (every ${PACED_INTERVAL_MS} ms, as a node polling`,
    `at 0.1 s, phases spread over the interval). ${ROUNDS_EACH} rounds all healthy and ${ROUNDS_EACH} with unit ${SILENT_UNIT} silent per mode, alternating, each on a fresh link (so`,
    'each silent round pays the first timeouts again). Rates are from the median round of each kind (by total); the second window',
    `starts after the silent meter's first timeouts, when it is backed off. CPU: the process's user + system CPU over each whole`,
    'round per successful poll.',
    '',
    rateTable,
    '',
    ...notes,
    '',
    `One request is on the wire at a time, so each timeout of the silent meter holds the line for ${TIMEOUT_MS} ms: that`,
    'is the whole cost to the others (it shows in their p99 poll time), and the unit backoff makes it rarer the longer',
    'the meter stays silent. Back to back, the 9 others share the line time the silent meter no longer uses, so their',
    'own rate may rise above the all-healthy one.',
  ].join('\n');
  return { markdown, console: rateTable };
}
