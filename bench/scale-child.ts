/**
 * Many meters in one process, as one Node-RED with thousands of meters would hold them, in a
 * child process of its own (started with --expose-gc) so its CPU, heap and event loop are the
 * meters' alone; the simulators run in yet another process. Two jobs, chosen by the first
 * argument (a JSON job):
 *
 * - "memory": N meters, one TCP connection each, polled back to back; heap and RSS after a forced
 *   GC before any meter exists, after every connection's first poll, after 256 requests per
 *   connection and after twice that (flat from there: nothing kept per finished request).
 * - "scale": N meters polled at a fixed interval, each poller starting at its own offset in the
 *   interval; counts polls on time, event-loop delay, CPU per poll, heap, RSS, and optionally the
 *   top functions of a CPU profile over the measured window.
 *
 * Sends one report over IPC and exits.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector';
import ModbusRTU from 'modbus-serial';
import { DirisDevice } from '../src/device';
import { ModbusLink } from '../src/transport';
import { ALL_GROUPS, FULL_POLL_BLOCKS, REQUEST_TIMEOUT_MS } from './contenders';

export interface MemoryJob {
  kind: 'memory';
  contender: 'ours' | 'raw';
  port: number;
  meters: number;
  /** Requests per connection at each checkpoint after the first poll (e.g. 256, 512). */
  checkpoints: number[];
}

export interface MemoryPoint {
  requestsPerConnection: number;
  heapUsed: number;
  rss: number;
}

export interface MemoryResult {
  contender: string;
  meters: number;
  baseline: { heapUsed: number; rss: number };
  points: MemoryPoint[];
  failedPolls: number;
}

export interface ScaleJob {
  kind: 'scale';
  /** Where the meters are: one connection per meter, or `perGateway` unit ids behind each connection. */
  topology: 'tcp' | 'gateway';
  port: number;
  meters: number;
  perGateway: number;
  intervalMs: number;
  warmupMs: number;
  windowMs: number;
  profile: boolean;
}

export interface ScaleResult {
  meters: number;
  connections: number;
  /** Polls that fell due in the window, and those that ended in time (before the next one was due) without error. */
  due: number;
  onTime: number;
  failed: number;
  skipped: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  cpuMsPerPoll: number;
  /** Share of one core the process used over the window. */
  cpuShare: number;
  heapUsed: number;
  rss: number;
  /** The machine's 1-minute load average at the end of the window (other processes included). */
  machineLoad: number;
  /** Top functions by self time over the window (share of the non-idle samples). */
  profileTop?: { name: string; share: number }[];
}

/** The event-loop sampler's period: each sample is this period plus the delay, so it is subtracted. */
const LOOP_RESOLUTION_MS = 2;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

function memoryNow(): { heapUsed: number; rss: number } {
  collect();
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, rss: usage.rss };
}

interface Meter {
  poll(): Promise<void>;
  close(): Promise<void>;
}

function ourMeters(port: number, meters: number, perConnection: number): { meters: Meter[]; close: () => Promise<void> } {
  const links: ModbusLink[] = [];
  const list: Meter[] = [];
  for (let i = 0; list.length < meters; i++) {
    const link = new ModbusLink({ transport: 'tcp', host: '127.0.0.1', port, timeoutMs: REQUEST_TIMEOUT_MS });
    links.push(link);
    for (let unit = 1; unit <= perConnection && list.length < meters; unit++) {
      const device = new DirisDevice(link, unit, { source: `meter-${list.length}` });
      list.push({
        poll: () => device.readMeasurements({ groups: ALL_GROUPS }).then(() => undefined),
        close: () => Promise.resolve(),
      });
    }
  }
  return { meters: list, close: () => Promise.all(links.map((l) => l.close())).then(() => undefined) };
}

async function rawMeters(port: number, meters: number): Promise<{ meters: Meter[]; close: () => Promise<void> }> {
  const clients: ModbusRTU[] = [];
  const list: Meter[] = [];
  for (let i = 0; i < meters; i++) {
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port });
    client.setID(1);
    client.setTimeout(REQUEST_TIMEOUT_MS);
    clients.push(client);
    list.push({
      poll: async () => {
        for (const block of FULL_POLL_BLOCKS) await client.readHoldingRegisters(block.address, block.count);
      },
      close: () => Promise.resolve(),
    });
  }
  const close = (): Promise<void> =>
    Promise.all(clients.map((c) => new Promise<void>((resolve) => (c.isOpen ? c.close(() => resolve()) : resolve())))).then(() => undefined);
  return { meters: list, close };
}

async function memoryJob(job: MemoryJob): Promise<MemoryResult> {
  const baseline = memoryNow();
  const { meters, close } = job.contender === 'ours' ? ourMeters(job.port, job.meters, 1) : await rawMeters(job.port, job.meters);
  const result: MemoryResult = {
    contender: job.contender === 'ours' ? 'ours (ModbusLink + DirisDevice)' : 'raw modbus-serial',
    meters: job.meters,
    baseline,
    points: [],
    failedPolls: 0,
  };
  const perPoll = FULL_POLL_BLOCKS.length;
  let done = 0;
  const pollAll = async (polls: number): Promise<void> => {
    await Promise.all(
      meters.map(async (meter) => {
        for (let i = 0; i < polls; i++) await meter.poll().catch(() => result.failedPolls++);
      }),
    );
    done += polls * perPoll;
  };
  try {
    await pollAll(1);
    result.points.push({ requestsPerConnection: done, ...memoryNow() });
    for (const checkpoint of job.checkpoints) {
      await pollAll(Math.ceil((checkpoint - done) / perPoll));
      result.points.push({ requestsPerConnection: done, ...memoryNow() });
    }
  } finally {
    await close();
  }
  return result;
}

/** Top `count` functions by self time of a V8 CPU profile, as shares of the samples that were not idle. */
function topFunctions(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] }, count: number): { name: string; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    const file = url.replace(/^file:\/\//, '').split('/node_modules/').pop()!.split('/').slice(-2).join('/');
    // No script: a V8 builtin or native binding (socket writes show as writeBuffer / writev).
    const name = file ? `${functionName || '(anonymous)'} (${file}:${lineNumber + 1})` : functionName.startsWith('(') ? functionName : `${functionName} (native)`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, t]) => ({ name, share: total > 0 ? t / total : 0 }));
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))));
}

async function scaleJob(job: ScaleJob): Promise<ScaleResult> {
  const perConnection = job.topology === 'tcp' ? 1 : job.perGateway;
  const { meters, close } = ourMeters(job.port, job.meters, perConnection);
  const connections = Math.ceil(job.meters / perConnection);
  // The window, as epoch ms: a poll counts when its scheduled instant falls inside it.
  const windowStart = Date.now() + job.warmupMs;
  const windowEnd = windowStart + job.windowMs;
  const inWindow = (at: number): boolean => at >= windowStart && at < windowEnd;
  let due = 0;
  let onTime = 0;
  let failed = 0;
  let skipped = 0;
  const timers = new Array<NodeJS.Timeout | undefined>(meters.length);
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const origin = Date.now();
  // Each poller starts at its own offset in the interval (meter i of n at i/n of it), so the polls
  // of a deploy do not all fall in the same tick, and keeps its own schedule: a poll is on time
  // when it ends within one interval of the instant it was due, however late its timer fired.
  meters.forEach((meter, i) => {
    let busy = false;
    const schedule = (at: number): void => {
      if (inWindow(at)) due++;
      timers[i] = setTimeout(() => tick(at), Math.max(0, at - Date.now()));
    };
    const tick = (at: number): void => {
      schedule(at + job.intervalMs);
      const counted = inWindow(at);
      if (busy) {
        if (counted) skipped++;
        return;
      }
      busy = true;
      meter.poll().then(
        () => {
          busy = false;
          if (counted && Date.now() - at <= job.intervalMs) onTime++;
        },
        () => {
          busy = false;
          if (counted) failed++;
        },
      );
    };
    schedule(origin + Math.floor((i * job.intervalMs) / meters.length));
  });
  const session = new Session();
  let profileTop: ScaleResult['profileTop'];
  try {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowStart - Date.now())));
    if (job.profile) {
      session.connect();
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.setSamplingInterval', { interval: 1000 });
      await post(session, 'Profiler.start');
    }
    loop.enable();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowEnd - Date.now())));
    const cpu = process.cpuUsage(cpuStart);
    const elapsed = performance.now() - started;
    loop.disable();
    if (job.profile) {
      const { profile } = await post<{ profile: Parameters<typeof topFunctions>[0] }>(session, 'Profiler.stop');
      profileTop = topFunctions(profile, 5);
    }
    // Let the polls of the window end (they count) before the pollers stop.
    await new Promise((resolve) => setTimeout(resolve, job.intervalMs));
    const cpuMs = (cpu.user + cpu.system) / 1000;
    for (const t of timers) clearTimeout(t);
    const memory = memoryNow();
    return {
      meters: job.meters,
      connections,
      due,
      onTime,
      failed,
      skipped,
      loopP50Ms: Math.max(0, loop.percentile(50) / 1e6 - LOOP_RESOLUTION_MS),
      loopP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
      loopMaxMs: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS),
      cpuMsPerPoll: cpuMs / Math.max(1, due - skipped),
      cpuShare: cpuMs / elapsed,
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      machineLoad: os.loadavg()[0],
      profileTop,
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    if (job.profile) session.disconnect();
    await close();
  }
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2]) as MemoryJob | ScaleJob;
  const hardStop = setTimeout(() => process.exit(3), Number(process.argv[3] ?? 120_000));
  hardStop.unref();
  const run: Promise<unknown> = job.kind === 'memory' ? memoryJob(job) : scaleJob(job);
  run
    .then(
      (result) => ({ ok: true, result }),
      (err: unknown) => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    )
    .then((report) => process.send?.(report, () => process.exit(0)));
}
