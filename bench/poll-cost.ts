/**
 * Section 1: one full poll through ModbusLink + DirisDevice vs raw modbus-serial doing the
 * same four reads, over Modbus TCP on loopback; then heap/RSS growth over many polls.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { ModbusLink } from '../src/transport';
import { FULL_POLL_BLOCKS, inMemoryPoller, ourPoller, plannedReads, rawPoller } from './contenders';
import type { MemoryReport } from './memory-child';
import { SIM_METER, type SimulatorProcess } from './simulator-process';
import { fixed, formatRatio, formatSpread, interleaveRuns, megabytes, roundRatios, summarize, table, withTimeout, type RoundSample } from './stats';

const UNIT_ID = 5;
const MEMORY_POLLS = 2000;
const RUNS = 3;
const PLAN = { warmup: 300, rounds: 30, perRound: 100, deadlineMs: 30_000 };
/** The issue's targets for the link + device alone, against raw modbus-serial. */
const TARGET = { cpu: 1.1 };

export interface SectionResult {
  /** Markdown for results.md (tables and notes). */
  markdown: string;
  /** A short table for the console. */
  console: string;
}

/** The table every contender section prints: time and CPU per poll, each with its spread, and both ratios to a reference. */
export function costTable(names: readonly string[], samples: Map<string, RoundSample[]>, reference: string): string {
  const rows = names.map((name) => {
    const rounds = samples.get(name) ?? [];
    const summary = summarize(rounds);
    const refRounds = samples.get(reference) ?? [];
    return [
      name,
      String(summary.polls),
      formatSpread(summary.timeRounds),
      fixed(summary.timeP90, 3),
      formatSpread(summary.cpuRounds),
      name === reference ? '1.00x' : formatRatio(roundRatios(rounds, refRounds, 'time')),
      name === reference ? '1.00x' : formatRatio(roundRatios(rounds, refRounds, 'cpu')),
    ];
  });
  return table(
    ['contender', 'polls', 'time ms/poll, median (min-max)', 'p90 ms', 'CPU ms/poll, median (min-max)', 'time vs ref', 'CPU vs ref'],
    rows,
  );
}

export async function pollCost(sims: SimulatorProcess): Promise<SectionResult> {
  const { port } = await sims.start({ transport: 'tcp', port: 0, unitIds: [UNIT_ID], seed: 1, meter: SIM_METER });
  // The raw contender must send exactly what our device sends.
  const planned = await plannedReads(UNIT_ID);
  if (JSON.stringify(planned) !== JSON.stringify(FULL_POLL_BLOCKS)) {
    throw new Error(`the device reads ${JSON.stringify(planned)}, the raw contender ${JSON.stringify(FULL_POLL_BLOCKS)}`);
  }
  const OURS = 'ours (ModbusLink + DirisDevice)';
  const RAW = 'raw modbus-serial';
  // Our transport alone (queue, timeouts, reply checks) on a link of its own: splits our cost
  // into "link" and "plan + decode".
  const LINK_ONLY = 'ours, link only (ModbusLink, same 4 reads, no decoding)';
  let values = 0;
  let decodeOnlyName = '';
  const samples = await interleaveRuns(
    RUNS,
    async () => {
      const ours = ourPoller({ transport: 'tcp', port }, UNIT_ID);
      const raw = await rawPoller({ transport: 'tcp', port }, UNIT_ID);
      const linkOnly = ourPoller({ transport: 'tcp', port }, UNIT_ID);
      const decodeOnly = await inMemoryPoller({ transport: 'tcp', port }, UNIT_ID);
      decodeOnlyName = decodeOnly.name;
      values = await ours.poll();
      return {
        contenders: [
          { name: OURS, once: () => ours.poll().then(() => undefined) },
          { name: RAW, once: () => raw.poll().then(() => undefined) },
          { name: LINK_ONLY, once: () => readBlocks(linkOnly.link) },
          { name: decodeOnly.name, once: () => decodeOnly.poll().then(() => undefined) },
        ],
        close: () => Promise.all([ours.close(), raw.close(), linkOnly.close()]).then(() => undefined),
      };
    },
    PLAN,
  );
  const latency = costTable([OURS, LINK_ONLY, decodeOnlyName, RAW], samples, RAW);
  const decodeSummary = summarize(samples.get(decodeOnlyName)!);
  const oursSummary = summarize(samples.get(OURS)!);
  const linkSummary = summarize(samples.get(LINK_ONLY)!);
  const rawSummary = summarize(samples.get(RAW)!);
  const cpuRatio = roundRatios(samples.get(OURS)!, samples.get(RAW)!, 'cpu');
  const timeRatio = roundRatios(samples.get(OURS)!, samples.get(RAW)!, 'time');
  const us = (ms: number): string => `${fixed(ms * 1000, 1)} us`;

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
    `Modbus TCP on loopback, unit id ${UNIT_ID}, the simulator in its own process. Every contender sends the same`,
    `four reads (${FULL_POLL_BLOCKS.map((b) => `${b.address}x${b.count}`).join(', ')}); ours also decodes them into`,
    `${values} named, scaled values. ${RUNS} runs (fresh connections each) of ${PLAN.rounds} interleaved rounds of ${PLAN.perRound} polls per contender`,
    `(order reversed every other round), after ${PLAN.warmup} warm-up polls each. Time: the median poll of each round; CPU: the process's`,
    'user + system CPU over the round divided by its polls. Each cell gives the median over all rounds of all runs and',
    '(min-max) over those rounds; a ratio is taken round by round (both contenders ran in that round) and summarised the same way.',
    '',
    latency,
    '',
    `Target: the link and device alone within ${TARGET.cpu}x of raw modbus-serial in CPU per poll. Result: ${formatRatio(cpuRatio)}`,
    `(${cpuRatio.median <= TARGET.cpu ? 'met' : 'NOT met'} at the median); time per poll ${formatRatio(timeRatio)}.`,
    `CPU per poll, medians over rounds: ours ${us(oursSummary.cpuRounds.median)}, link only ${us(linkSummary.cpuRounds.median)}, raw ${us(rawSummary.cpuRounds.median)}:`,
    `the link (queue, timers, reply checks) costs ${us(linkSummary.cpuRounds.median - rawSummary.cpuRounds.median)} more than raw, planning + decoding the 64 values`,
    `${us(oursSummary.cpuRounds.median - linkSummary.cpuRounds.median)} (differences of medians); planning and decoding alone, on a link answering`,
    `from memory: ${us(decodeSummary.cpuRounds.median)} per poll (min-max over rounds ${us(decodeSummary.cpuRounds.min)}-${us(decodeSummary.cpuRounds.max)}).`,
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
