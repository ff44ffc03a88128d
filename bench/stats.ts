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

/**
 * Runs contenders in interleaved rounds (A B, then B A, ...) so a noisy neighbour or a slow
 * phase of the machine hits each of them alike. Each round runs `perRound` timed iterations
 * of one contender, then the next. Returns every iteration's time, per contender.
 */
export async function interleave(
  contenders: readonly { name: string; once: () => Promise<void> }[],
  options: { warmup: number; rounds: number; perRound: number; deadlineMs: number },
): Promise<Map<string, number[]>> {
  const deadline = nowMs() + options.deadlineMs;
  for (const contender of contenders) {
    for (let i = 0; i < options.warmup; i++) await contender.once();
  }
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < options.rounds && nowMs() < deadline; round++) {
    // Alternate who goes first, so neither always follows the other's garbage.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const times = samples.get(contender.name)!;
      for (let i = 0; i < options.perRound && nowMs() < deadline; i++) {
        const start = nowMs();
        await contender.once();
        times.push(nowMs() - start);
      }
    }
  }
  return samples;
}
