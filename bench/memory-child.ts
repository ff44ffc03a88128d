/**
 * Heap and RSS growth of one poller over many polls, in a process of its own started with
 * --expose-gc (so a forced GC makes "after" comparable with "before", and one contender's
 * garbage is not counted against the other). Usage: memory-child.js <ours|raw> <port> <polls>.
 * Sends one MemoryReport over IPC and exits.
 */
import { ourPoller, rawPoller, type Poller } from './contenders';

export interface MemorySample {
  polls: number;
  heapUsed: number;
  rss: number;
}

export interface MemoryReport {
  contender: string;
  samples: MemorySample[];
  error?: string;
}

const WARMUP_POLLS = 200;
const UNIT_ID = 5;
const HARD_LIMIT_MS = 60_000;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  // Twice: the first pass can leave objects that only die once their finalizers ran.
  gc();
  gc();
}

function sample(polls: number): MemorySample {
  collect();
  const usage = process.memoryUsage();
  return { polls, heapUsed: usage.heapUsed, rss: usage.rss };
}

async function measure(kind: string, port: number, polls: number): Promise<MemoryReport> {
  const target = { transport: 'tcp' as const, port };
  const poller: Poller = kind === 'ours' ? ourPoller(target, UNIT_ID) : await rawPoller(target, UNIT_ID);
  const report: MemoryReport = { contender: poller.name, samples: [] };
  try {
    for (let i = 0; i < WARMUP_POLLS; i++) await poller.poll();
    report.samples.push(sample(0));
    const checkpoints = new Set([Math.round(polls / 4), Math.round(polls / 2), polls]);
    for (let i = 1; i <= polls; i++) {
      await poller.poll();
      if (checkpoints.has(i)) report.samples.push(sample(i));
    }
  } finally {
    await poller.close();
  }
  return report;
}

if (require.main === module) {
  const [kind, port, polls] = process.argv.slice(2);
  const hardStop = setTimeout(() => process.exit(3), HARD_LIMIT_MS);
  hardStop.unref();
  measure(kind, Number(port), Number(polls))
    .catch((err: unknown): MemoryReport => ({ contender: kind, samples: [], error: err instanceof Error ? err.message : String(err) }))
    .then((report) => process.send?.(report, () => process.exit(0)));
}
