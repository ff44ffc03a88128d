/**
 * Sections 6 and 7: memory per meter with one TCP connection per meter, and the scale curve
 * (meters -> polls on time, event-loop delay, CPU per poll, heap, RSS), each job in a child
 * process of its own (bench/scale-child.ts) against simulators in the simulator process.
 *
 * Options (after `node dist/bench/run.js`, with or without section ids):
 *   --quick                  sizes 100,300, 4 s windows, 100 meters in the memory section
 *   --scale-sizes=100,300    meter counts of the scale curve (default 100,300,1000,2000,3000)
 *   --scale-seconds=12       measured window per size (default 12; 3 s of warm-up before it)
 *   --memory-meters=300      meters of the memory section (default 300)
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { SectionResult } from './poll-cost';
import type { MemoryJob, MemoryResult, ScaleJob, ScaleResult } from './scale-child';
import { SIM_METER, type SimulatorProcess } from './simulator-process';
import { fixed, megabytes, table, withTimeout } from './stats';

const PER_GATEWAY = 10;
const INTERVAL_MS = 1000;
const CHECKPOINTS = [256, 512, 1024];

export interface ScaleOptions {
  sizes: number[];
  windowMs: number;
  warmupMs: number;
  memoryMeters: number;
  quick: boolean;
}

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export function scaleOptions(): ScaleOptions {
  const quick = process.argv.includes('--quick');
  const sizes = (option('scale-sizes') ?? (quick ? '100,300' : '100,300,1000,2000,3000')).split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 20_000)) throw new Error(`--scale-sizes: whole numbers 1..20000, got ${option('scale-sizes')}`);
  const seconds = Number(option('scale-seconds') ?? (quick ? 4 : 12));
  if (!(seconds >= 1 && seconds <= 120)) throw new Error(`--scale-seconds: 1..120, got ${option('scale-seconds')}`);
  const memoryMeters = Number(option('memory-meters') ?? (quick ? 100 : 300));
  if (!Number.isInteger(memoryMeters) || memoryMeters < 1 || memoryMeters > 5000) throw new Error(`--memory-meters: 1..5000, got ${option('memory-meters')}`);
  return { sizes, windowMs: seconds * 1000, warmupMs: quick ? 2000 : 3000, memoryMeters, quick };
}

function runChild<T>(job: MemoryJob | ScaleJob, limitMs: number): Promise<T> {
  const child = fork(path.join(__dirname, 'scale-child.js'), [JSON.stringify(job), String(limitMs)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = new Promise<T>((resolve, reject) => {
    child.once('message', (message: { ok: boolean; result?: T; error?: string }) => (message.ok ? resolve(message.result as T) : reject(new Error(message.error))));
    child.once('exit', (code) => reject(new Error(`child exited with code ${code} before reporting`)));
  });
  return withTimeout(report, limitMs + 5000, `${job.kind} job`).finally(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

const kb = (bytes: number): string => `${fixed(bytes / 1024, 1)} KB`;

export async function memoryPerMeter(sims: SimulatorProcess): Promise<SectionResult> {
  const options = scaleOptions();
  const { port } = await sims.start({ transport: 'tcp', port: 0, unitIds: [1], seed: 6, meter: SIM_METER });
  const results: MemoryResult[] = [];
  const errors: string[] = [];
  for (const contender of ['ours', 'raw'] as const) {
    const job: MemoryJob = { kind: 'memory', contender, port, meters: options.memoryMeters, checkpoints: CHECKPOINTS };
    try {
      results.push(await runChild<MemoryResult>(job, 120_000));
    } catch (err) {
      errors.push(`${contender}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const header = ['contender', 'meters', ...['after the first poll', ...CHECKPOINTS.map((c) => `after ${c} requests`)].map((c) => `heap per meter ${c}`), 'RSS per meter at the end', 'failed polls'];
  const rows = results.map((r) => [
    r.contender,
    String(r.meters),
    ...r.points.map((p) => kb((p.heapUsed - r.baseline.heapUsed) / r.meters)),
    kb((r.points[r.points.length - 1].rss - r.baseline.rss) / r.meters),
    String(r.failedPolls),
  ]);
  const resultTable = table(header, rows);
  const ours = results.find((r) => r.contender.startsWith('ours'));
  const last = ours?.points[ours.points.length - 1];
  const perMeter = last && ours ? (last.heapUsed - ours.baseline.heapUsed) / ours.meters : NaN;
  const markdown = [
    `${options.memoryMeters} meters in a child process started with --expose-gc, each with its own Modbus TCP connection to the`,
    'simulator (its own process), all polling full polls (4 requests) back to back. Heap and RSS after a forced GC,',
    'minus those of the same process before any meter existed, divided by the meters; the request counts are per',
    'connection (a connection that kept something per finished request would grow from one column to the next).',
    '',
    resultTable,
    '',
    `Target: <= 48 KB of heap per meter, flat after the first 256 requests. Ours after ${CHECKPOINTS[CHECKPOINTS.length - 1]} requests a connection: ${kb(perMeter)}`,
    `(${perMeter <= 48 * 1024 ? 'met' : 'NOT met'}).`,
    ...(errors.length > 0 ? ['', `Failed: ${errors.join('; ')}`] : []),
  ].join('\n');
  return { markdown, console: resultTable };
}

export async function scaleCurve(sims: SimulatorProcess): Promise<SectionResult> {
  const options = scaleOptions();
  const unitIds = Array.from({ length: PER_GATEWAY }, (_, i) => i + 1);
  const { port } = await sims.start({ transport: 'tcp', port: 0, unitIds, seed: 7, meter: SIM_METER });
  const largest = Math.max(...options.sizes);
  const rows: string[][] = [];
  const profiles: string[] = [];
  for (const topology of ['tcp', 'gateway'] as const) {
    for (const meters of options.sizes) {
      const job: ScaleJob = {
        kind: 'scale',
        topology,
        port,
        meters,
        perGateway: PER_GATEWAY,
        intervalMs: INTERVAL_MS,
        warmupMs: options.warmupMs,
        windowMs: options.windowMs,
        profile: meters === largest,
      };
      const where = topology === 'tcp' ? 'one TCP connection each' : `${PER_GATEWAY} behind each gateway`;
      try {
        const r = await runChild<ScaleResult>(job, options.warmupMs + options.windowMs + 3 * INTERVAL_MS + 30_000);
        rows.push([
          where,
          String(meters),
          String(r.connections),
          `${fixed((100 * r.onTime) / Math.max(1, r.due), 1)} % (${r.onTime} / ${r.due})`,
          String(r.failed),
          String(r.skipped),
          `${fixed(r.loopP50Ms, 1)} / ${fixed(r.loopP99Ms, 1)} / ${fixed(r.loopMaxMs, 1)}`,
          fixed(r.cpuMsPerPoll, 3),
          `${fixed(100 * r.cpuShare, 0)} %`,
          megabytes(r.heapUsed),
          megabytes(r.rss),
          fixed(r.machineLoad, 1),
        ]);
        if (r.profileTop) {
          profiles.push(
            `Top five functions by self time, ${meters} meters (${where}), share of the non-idle samples of the window:`,
            '',
            ...r.profileTop.map((f, i) => `${i + 1}. ${fixed(100 * f.share, 1)} % \`${f.name}\``),
            '',
          );
        }
      } catch (err) {
        rows.push([where, String(meters), '', `failed: ${err instanceof Error ? err.message : String(err)}`, '', '', '', '', '', '', '', '']);
      }
    }
  }
  const resultTable = table(
    ['meters', 'count', 'connections', 'polls on time', 'failed', 'skipped (still busy)', 'event-loop delay p50 / p99 / max ms', 'CPU ms/poll', 'CPU (one core)', 'heap after GC', 'RSS', 'machine load'],
    rows,
  );
  const markdown = [
    `Every meter polled (full poll, 4 requests) every ${INTERVAL_MS} ms in one process, as one Node-RED would hold them, through`,
    'ModbusLink + DirisDevice, each size in a fresh child process; the simulator (every meter, one process) on the same',
    `machine. Meters either each on their own TCP connection, or ${PER_GATEWAY} unit ids behind each gateway connection (one request`,
    'in flight per connection, as on the RS-485 line behind it). Each poller starts at its own offset in the interval',
    `(meter i of n at i/n of it) and keeps its own schedule. ${options.warmupMs / 1000} s of warm-up, then a ${options.windowMs / 1000} s window: every poll due in`,
    'the window counts, and is on time when it ended without error within one interval of the instant it was due (a timer',
    'that fired late counts against it); "skipped" polls fell due while the previous one was still running. Event-loop',
    'delay from perf_hooks.monitorEventLoopDelay over the window (its 2 ms sampling period subtracted); CPU is the process\'s user + system over the window per',
    'poll started, and as a share of one core; heap after a forced GC at the end; machine load: the 1-minute load average',
    'at the end of the window, every process of the machine counted (2 cores: above 2, processes waited for a core). The',
    'largest size runs with the CPU profiler on (a sample every 1 ms), which adds to its CPU figures.',
    '',
    resultTable,
    '',
    ...profiles,
  ].join('\n');
  return { markdown, console: [resultTable, ...profiles].join('\n') };
}
