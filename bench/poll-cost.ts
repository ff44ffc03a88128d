/**
 * Section 1: one full poll through ModbusLink + DirisDevice vs raw modbus-serial doing the
 * same four reads, over Modbus TCP on loopback; then heap/RSS growth over many polls.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { ModbusLink } from '../src/transport';
import { FULL_POLL_BLOCKS, ourPoller, plannedReads, rawPoller } from './contenders';
import type { MemoryReport } from './memory-child';
import type { SimulatorProcess } from './simulator-process';
import { fixed, interleave, median, megabytes, percentile, ratio, table, withTimeout } from './stats';

const UNIT_ID = 5;
const MEMORY_POLLS = 2000;
const PLAN = { warmup: 300, rounds: 10, perRound: 150, deadlineMs: 40_000 };

export interface SectionResult {
  /** Markdown for results.md (tables and notes). */
  markdown: string;
  /** A short table for the console. */
  console: string;
}

export async function pollCost(sims: SimulatorProcess): Promise<SectionResult> {
  const { port } = await sims.start({ transport: 'tcp', port: 0, unitIds: [UNIT_ID], seed: 1 });
  // The raw contender must send exactly what our device sends.
  const planned = await plannedReads(UNIT_ID);
  if (JSON.stringify(planned) !== JSON.stringify(FULL_POLL_BLOCKS)) {
    throw new Error(`the device reads ${JSON.stringify(planned)}, the raw contender ${JSON.stringify(FULL_POLL_BLOCKS)}`);
  }

  const ours = ourPoller({ transport: 'tcp', port }, UNIT_ID);
  const raw = await rawPoller({ transport: 'tcp', port }, UNIT_ID);
  // Our transport alone (queue, timeouts, reply checks) on a link of its own: splits our cost
  // into "link" and "plan + decode".
  const linkOnly = ourPoller({ transport: 'tcp', port }, UNIT_ID);
  const LINK_ONLY = 'ours, link only (ModbusLink, same 4 reads, no decoding)';
  let values = 0;
  let samples: Map<string, number[]>;
  try {
    values = await ours.poll();
    samples = await interleave(
      [
        { name: ours.name, once: () => ours.poll().then(() => undefined) },
        { name: raw.name, once: () => raw.poll().then(() => undefined) },
        { name: LINK_ONLY, once: () => readBlocks(linkOnly.link) },
      ],
      PLAN,
    );
  } finally {
    await Promise.all([ours.close(), raw.close(), linkOnly.close()]);
  }
  const rawTimes = samples.get(raw.name)!;
  const latencyRows = [ours.name, LINK_ONLY, raw.name].map((name) => {
    const times = samples.get(name)!;
    return [name, String(times.length), fixed(median(times), 3), fixed(percentile(times, 90), 3), ratio(median(times), median(rawTimes))];
  });
  const oursMedian = median(samples.get(ours.name)!);
  const linkMedian = median(samples.get(LINK_ONLY)!);
  const rawMedian = median(rawTimes);
  const latency = table(['contender', 'polls', 'median ms/poll', 'p90 ms/poll', 'vs raw (ratio of medians)'], latencyRows);

  const memory = await Promise.all(['ours', 'raw'].map((kind) => memoryRun(kind, port)));
  const memoryRows = memory.map((report) => {
    if (report.error || report.samples.length < 2) return [report.contender, 'n/a', 'n/a', 'n/a', report.error ?? 'no samples'];
    const first = report.samples[0];
    const last = report.samples[report.samples.length - 1];
    const heapPath = report.samples.map((s) => megabytes(s.heapUsed - first.heapUsed).replace(' MB', '')).join(' / ');
    return [
      report.contender,
      String(last.polls),
      megabytes(last.heapUsed - first.heapUsed),
      megabytes(last.rss - first.rss),
      `${heapPath} MB`,
    ];
  });
  const memoryTable = table(
    ['contender', 'polls', 'heap growth', 'RSS growth', `heap growth at 0 / ${MEMORY_POLLS / 4} / ${MEMORY_POLLS / 2} / ${MEMORY_POLLS} polls`],
    memoryRows,
  );

  const markdown = [
    `Modbus TCP on loopback, unit id ${UNIT_ID}, the simulator in its own process. Both contenders send the same`,
    `four reads (${FULL_POLL_BLOCKS.map((b) => `${b.address}x${b.count}`).join(', ')}); ours also decodes them into`,
    `${values} named, scaled values. Interleaved rounds (${PLAN.rounds} x ${PLAN.perRound} polls each, order reversed every other round), after ${PLAN.warmup} warm-up polls each.`,
    '',
    latency,
    '',
    `Target: ours within 1.25x of raw. Result: ${ratio(oursMedian, rawMedian)} (${oursMedian <= 1.25 * rawMedian ? 'met' : 'NOT met'}).`,
    `Of the ${fixed(oursMedian - rawMedian, 3)} ms a poll costs more than raw, the link (queue, timers, reply checks) takes`,
    `${fixed(linkMedian - rawMedian, 3)} ms and planning + decoding ${fixed(oursMedian - linkMedian, 3)} ms (differences of medians).`,
    '',
    `Memory over ${MEMORY_POLLS} polls, each contender alone in a child process started with --expose-gc`,
    '(both children at once, against the same simulator); measured after a forced GC, relative to the sample',
    'taken after 200 warm-up polls.',
    '',
    memoryTable,
  ].join('\n');
  return { markdown, console: `${latency}\n\n${memoryTable}` };
}

async function readBlocks(link: ModbusLink): Promise<void> {
  for (const block of FULL_POLL_BLOCKS) await link.readHoldingRegisters(UNIT_ID, block.address, block.count, { source: 'bench' });
}

function memoryRun(kind: string, port: number): Promise<MemoryReport> {
  const child = fork(path.join(__dirname, 'memory-child.js'), [kind, String(port), String(MEMORY_POLLS)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = new Promise<MemoryReport>((resolve) => {
    child.once('message', (message: MemoryReport) => resolve(message));
    child.once('exit', (code) => resolve({ contender: kind, samples: [], error: `child exited with code ${code} before reporting` }));
  });
  return withTimeout(report, 90_000, `memory run ${kind}`).finally(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}
