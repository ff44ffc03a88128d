/**
 * Section 4: one full poll over RTU through a socat pty pair, the simulator answering when the
 * reply's last byte would have arrived at the chosen baud rate, against the line's limit (the
 * formula is in the section's text). Raw modbus-serial on a second pty pair, interleaved, shows
 * what the library alone needs for the same four reads.
 */
import { openPtyPair, type PtyPair } from '../test/helpers/pty';
import { FULL_POLL_BLOCKS, ourPoller, rawPoller, type Poller } from './contenders';
import type { SectionResult } from './poll-cost';
import type { SimulatorProcess } from './simulator-process';
import { fixed, formatRatio, formatSpread, interleave, roundRatios, spread, summarize, table } from './stats';

const UNIT_ID = 5;
/** The bench's line is 8N1 (the DIRIS default): start, 8 data bits, stop. */
const BITS_PER_CHAR = 10;
const REQUEST_BYTES = 8;

/** 3.5 characters of silence, fixed at 1.75 ms above 19200 baud. */
export function frameGapMs(baudRate: number): number {
  return baudRate > 19200 ? 1.75 : (3.5 * BITS_PER_CHAR * 1000) / baudRate;
}

/**
 * The least time one read of `count` registers holds the line: request + reply + a gap
 * after each. Computed here, not taken from the simulator's own wire timing, so the limit
 * does not check the simulator against itself (9600 baud 8N1: 22.9 / 41.7 / 125.0 / 281.3 ms for
 * 1 / 10 / 50 / 125 registers).
 */
export function readWireTimeMs(count: number, baudRate: number): number {
  const replyBytes = 5 + 2 * count;
  return ((REQUEST_BYTES + replyBytes) * BITS_PER_CHAR * 1000) / baudRate + 2 * frameGapMs(baudRate);
}

export function fullPollLimitMs(baudRate: number): number {
  return FULL_POLL_BLOCKS.reduce((sum, block) => sum + readWireTimeMs(block.count, baudRate), 0);
}

const PLANS = [
  { baudRate: 9600, warmup: 1, rounds: 6, perRound: 2, deadlineMs: 20_000 },
  { baudRate: 38400, warmup: 3, rounds: 6, perRound: 4, deadlineMs: 15_000 },
];

export async function rtuWireTime(sims: SimulatorProcess): Promise<SectionResult> {
  const rows: string[][] = [];
  for (const plan of PLANS) {
    const limit = fullPollLimitMs(plan.baudRate);
    const pairs: PtyPair[] = [];
    const simKeys: number[] = [];
    const pollers: Poller[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const pair = await openPtyPair();
        pairs.push(pair);
        const sim = await sims.start({ transport: 'rtu', path: pair.a, baudRate: plan.baudRate, wireTiming: true, unitIds: [UNIT_ID], seed: 4 });
        simKeys.push(sim.key);
      }
      pollers.push(ourPoller({ transport: 'rtu', path: pairs[0].b, baudRate: plan.baudRate }, UNIT_ID));
      pollers.push(await rawPoller({ transport: 'rtu', path: pairs[1].b, baudRate: plan.baudRate }, UNIT_ID));
      const samples = await interleave(
        pollers.map((p) => ({ name: p.name, once: () => p.poll().then(() => undefined) })),
        plan,
      );
      const rawRounds = samples.get(pollers[1].name)!;
      for (const poller of pollers) {
        const rounds = samples.get(poller.name)!;
        const summary = summarize(rounds);
        const perLimit = spread(rounds.map((r) => summarize([r]).timeMedian / limit));
        rows.push([
          String(plan.baudRate),
          poller.name,
          String(summary.polls),
          formatSpread(summary.timeRounds, 1),
          formatSpread(summary.cpuRounds, 2),
          fixed(limit, 1),
          formatRatio(perLimit),
          poller === pollers[0] ? formatRatio(roundRatios(rounds, rawRounds, 'time')) : '1.00x',
        ]);
      }
    } finally {
      await Promise.all(pollers.map((p) => p.close().catch(() => undefined)));
      await Promise.all(simKeys.map((key) => sims.stop(key).catch(() => undefined)));
      await Promise.all(pairs.map((pair) => pair.close()));
    }
  }
  const resultTable = table(
    ['baud', 'contender', 'polls', 'time ms/poll, median (min-max)', 'CPU ms/poll', 'line limit ms', 'time / limit', 'time vs raw'],
    rows,
  );
  const perRead = table(
    ['baud', ...FULL_POLL_BLOCKS.map((b) => `${b.address}x${b.count}`), 'full poll'],
    PLANS.map((p) => [String(p.baudRate), ...FULL_POLL_BLOCKS.map((b) => fixed(readWireTimeMs(b.count, p.baudRate), 1)), fixed(fullPollLimitMs(p.baudRate), 1)]),
  );
  const markdown = [
    'RTU through a socat pty pair with the real serialport binding, 8N1. A pty has no baud rate, so the simulator',
    '(`wireTiming`) models the line: it answers when the reply\'s last byte would have arrived, that is the request on the',
    'wire, the 3.5-character silence that ends it, and the reply on the wire. The silence after the reply is not the',
    'simulator\'s: the master keeps it before its next request (ours does; raw modbus-serial sends at once).',
    '',
    'The line\'s limit for one read of N registers, computed here from the protocol (Modbus over serial line v1.02):',
    '',
    '    t(N) = (8 + 5 + 2N) x b x 1000 / baud  +  2 x gap      (ms)',
    '    gap  = 3.5 x b x 1000 / baud, or 1.75 ms above 19200 baud',
    '',
    'An 8-byte request (unit, function, address, count, CRC), a reply of 5 + 2N bytes (unit, function, byte count, the',
    `words, CRC), b bits a character (start, data, parity, stop: ${BITS_PER_CHAR} for the 8N1 used here, 11 for 8E1 or 8N2), and the`,
    'silence after each frame. Summed over the four reads of a full poll (ms):',
    '',
    perRead,
    '',
    `Ours and raw modbus-serial each on their own pty pair and simulator, polls interleaved (${PLANS.map((p) => `${p.baudRate} baud: ${p.rounds} rounds of ${p.perRound}`).join(', ')}); cells: median over rounds (min-max):`,
    '',
    resultTable,
    '',
    'A poll that keeps the protocol\'s silences cannot go below 1.00x of the limit; above it is the meter\'s turnaround',
    '(here the simulator, the pty and the event loop\'s timer granularity). Raw modbus-serial can come in below the limit by',
    'one gap per read: it sends its next request without the silence after the reply.',
  ].join('\n');
  return { markdown, console: resultTable };
}
