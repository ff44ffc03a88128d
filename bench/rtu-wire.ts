/**
 * Section 4: one full poll over RTU through a socat pty pair, the simulator delaying each
 * answer by its wire time at the chosen baud rate, against the wire-time limit of
 * docs/device-notes.md. Raw modbus-serial on a second pty pair, interleaved, shows what the
 * library alone needs for the same four reads.
 */
import { openPtyPair, type PtyPair } from '../test/helpers/pty';
import { FULL_POLL_BLOCKS, ourPoller, rawPoller, type Poller } from './contenders';
import type { SectionResult } from './poll-cost';
import type { SimulatorProcess } from './simulator-process';
import { fixed, interleave, median, ratio, table } from './stats';

const UNIT_ID = 5;
const BITS_PER_CHAR = 11;
const REQUEST_BYTES = 8;

/** 3.5 characters of silence, fixed at 1.75 ms above 19200 baud. */
export function frameGapMs(baudRate: number): number {
  return baudRate > 19200 ? 1.75 : (3.5 * BITS_PER_CHAR * 1000) / baudRate;
}

/**
 * The least time one read of `count` registers takes on the line: request + reply + a gap
 * after each. Computed here from the device notes, not taken from the simulator's own wire
 * timing, so the limit does not check the simulator against itself; it reproduces the notes'
 * table (9600 baud: 25 / 46 / 138 / 309 ms for 1 / 10 / 50 / 125 registers).
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
      const rawMedian = median(samples.get(pollers[1].name)!);
      for (const poller of pollers) {
        const times = samples.get(poller.name)!;
        rows.push([
          String(plan.baudRate),
          poller.name,
          String(times.length),
          fixed(median(times), 1),
          fixed(limit, 1),
          ratio(median(times), limit),
          poller === pollers[0] ? ratio(median(times), rawMedian) : '1.00x',
        ]);
      }
    } finally {
      await Promise.all(pollers.map((p) => p.close().catch(() => undefined)));
      await Promise.all(simKeys.map((key) => sims.stop(key).catch(() => undefined)));
      await Promise.all(pairs.map((pair) => pair.close()));
    }
  }
  const resultTable = table(['baud', 'contender', 'polls', 'median ms/poll', 'wire-time limit ms', 'measured / limit', 'vs raw'], rows);
  const perRead = table(
    ['baud', ...FULL_POLL_BLOCKS.map((b) => `${b.address}x${b.count}`), 'full poll'],
    PLANS.map((p) => [String(p.baudRate), ...FULL_POLL_BLOCKS.map((b) => fixed(readWireTimeMs(b.count, p.baudRate), 1)), fixed(fullPollLimitMs(p.baudRate), 1)]),
  );
  const markdown = [
    'RTU through a socat pty pair with the real serialport binding, 8N1; the simulator delays each answer by the',
    'wire time of request + reply (`wireTiming`). Limit per read, from docs/device-notes.md: 11 bits a character,',
    'request 8 bytes + reply 5 + 2N bytes, plus a 3.5-character gap after each frame (1.75 ms above 19200 baud),',
    'summed over the four reads of a full poll (ms):',
    '',
    perRead,
    '',
    'Ours and raw modbus-serial each on their own pty pair and simulator, polls interleaved:',
    '',
    resultTable,
    '',
    'Above the limit: the meter\'s own turnaround (here the simulator and the pty), and on our side the',
    '3.5-character silence the link keeps between two requests (modbus-serial sends the next request at once).',
  ].join('\n');
  return { markdown, console: resultTable };
}
