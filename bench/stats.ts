/** Small helpers shared by the benchmark sections: medians, ratios, timing, markdown tables. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The p-th percentile (0..100), nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Milliseconds since an arbitrary origin, sub-millisecond. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects if `promise` does not settle within `ms`: every wait in the bench is bounded. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function ratio(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0 ? `${(ours / theirs).toFixed(2)}x` : 'n/a';
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** A markdown table; also readable as plain text on the console. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One contender's block of polls in one round: each poll's time, and the process CPU it took. */
export interface RoundSample {
  run: number;
  round: number;
  /** ms per poll, every timed poll of the round. */
  times: number[];
  /** Process CPU (user + system) over the round's polls, ms. */
  cpuMs: number;
}

export interface Contender {
  name: string;
  once: () => Promise<void>;
  /** Polls per round for this contender, when it is much slower than the others (default: the plan's). */
  perRound?: number;
}

export interface InterleavePlan {
  warmup: number;
  rounds: number;
  perRound: number;
  deadlineMs: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Runs contenders in interleaved rounds (A B C, then C B A, ...) so a noisy neighbour or a
 * slow phase of the machine hits each of them alike. Each round runs `perRound` timed
 * iterations of one contender, then the next, and records each iteration's time and the
 * process CPU of the whole block (the simulators run in other processes, so this is the
 * client's CPU). Returns the rounds, per contender.
 */
export async function interleave(contenders: readonly Contender[], options: InterleavePlan, run = 0): Promise<Map<string, RoundSample[]>> {
  const deadline = nowMs() + options.deadlineMs;
  for (const contender of contenders) {
    for (let i = 0; i < options.warmup; i++) await contender.once();
  }
  const samples = new Map<string, RoundSample[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < options.rounds && nowMs() < deadline; round++) {
    // Alternate who goes first, so neither always follows the other's garbage.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const times: number[] = [];
      const cpuStart = process.cpuUsage();
      const perRound = contender.perRound ?? options.perRound;
      for (let i = 0; i < perRound && nowMs() < deadline; i++) {
        const start = nowMs();
        await contender.once();
        times.push(nowMs() - start);
      }
      const cpuMs = cpuMsSince(cpuStart);
      if (times.length > 0) samples.get(contender.name)!.push({ run, round, times, cpuMs });
    }
  }
  return samples;
}

/**
 * `runs` runs of interleaved rounds, each on contenders opened afresh (new connections, a new
 * deploy): a run-to-run difference (a connection that happens to be slow) shows in the spread.
 */
export async function interleaveRuns(
  runs: number,
  open: (run: number) => Promise<{ contenders: Contender[]; close: () => Promise<void> }>,
  plan: InterleavePlan,
): Promise<Map<string, RoundSample[]>> {
  const all = new Map<string, RoundSample[]>();
  for (let run = 0; run < runs; run++) {
    const { contenders, close } = await open(run);
    try {
      const samples = await interleave(contenders, plan, run);
      for (const [name, rounds] of samples) all.set(name, [...(all.get(name) ?? []), ...rounds]);
    } finally {
      await close();
    }
  }
  return all;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  return values.length === 0 ? { min: NaN, median: NaN, max: NaN } : { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** "0.333 (0.301-0.412)": median, then min-max. */
export function formatSpread(s: Spread, digits = 3, suffix = ''): string {
  return `${fixed(s.median, digits)}${suffix} (${fixed(s.min, digits)}-${fixed(s.max, digits)}${suffix})`;
}

export interface ContenderSummary {
  polls: number;
  /** Median ms/poll over every poll, and p90. */
  timeMedian: number;
  timeP90: number;
  /** Per round: median ms/poll, and CPU ms per poll; min / median / max over every round of every run. */
  timeRounds: Spread;
  cpuRounds: Spread;
}

export function summarize(rounds: readonly RoundSample[]): ContenderSummary {
  const all = rounds.flatMap((r) => r.times);
  return {
    polls: all.length,
    timeMedian: median(all),
    timeP90: percentile(all, 90),
    timeRounds: spread(rounds.map((r) => median(r.times))),
    cpuRounds: spread(rounds.map((r) => r.cpuMs / r.times.length)),
  };
}

/**
 * `ours` over `reference`, round by round (both ran in the same round, side by side): min /
 * median / max of those ratios, for the time per poll (median of the round) or the CPU per poll.
 */
export function roundRatios(ours: readonly RoundSample[], reference: readonly RoundSample[], what: 'time' | 'cpu'): Spread {
  const value = (r: RoundSample): number => (what === 'time' ? median(r.times) : r.cpuMs / r.times.length);
  const byRound = new Map(reference.map((r) => [`${r.run}/${r.round}`, value(r)]));
  const ratios: number[] = [];
  for (const r of ours) {
    const other = byRound.get(`${r.run}/${r.round}`);
    if (other !== undefined && other > 0) ratios.push(value(r) / other);
  }
  return spread(ratios);
}

/** "1.22x (1.05-1.41x)". */
export function formatRatio(s: Spread): string {
  return Number.isFinite(s.median) ? `${s.median.toFixed(2)}x (${s.min.toFixed(2)}-${s.max.toFixed(2)}x)` : 'n/a';
}
