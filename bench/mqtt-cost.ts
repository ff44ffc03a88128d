/**
 * Section 5: meters to a broker. 100 meters at 1 Hz (one full poll, 64 values each, per
 * second), one msg per value into Node-RED's core `mqtt out` and a local mosquitto.
 * Node-RED (node-red-node-test-helper, spies removed) runs in this process; the
 * simulator and mosquitto run in their own. Five paths from one read-measurements node
 * each, driven in interleaved windows:
 *   read only; socomec-mqtt without publishing; a function node building the same topics
 *   without publishing; socomec-mqtt -> mqtt out; function node -> mqtt out.
 * CPU of this process per value and the event-loop p99 per window; the differences
 * between paths give what formatting and publishing each cost.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import connectionNode from '../src/nodes/socomec-connection';
import socomecMqttNode from '../src/nodes/socomec-mqtt';
import readMeasurementsNode from '../src/nodes/socomec-read-measurements';
import { Mosquitto } from '../test/helpers/mosquitto';
import { ALL_GROUPS, REQUEST_TIMEOUT_MS } from './contenders';
import type { SectionResult } from './poll-cost';
import type { SimulatorProcess } from './simulator-process';
import { loadModule, removeSpies, type NodeModule, type TestHelper } from './node-red-harness';
import { fixed, median, sleep, table, withTimeout } from './stats';

const METERS = 100;
const READS_PER_SECOND = METERS; // each meter once a second
const WINDOW_MS = 2500;
const ROUNDS = 3;
/** Replayed readings a second (each 64 values), to time formatting and publishing without Modbus in the way. */
const REPLAY_PER_SECOND = 300;
const REPLAY_WINDOW_MS = 1500;
const REPLAY_ROUNDS = 4;
const WARMUP_MS = 2000;

/** What a user writes in a function node to get the same per-value topics. */
const FUNCTION_SOURCE = `
const base = 'socomec/bench/m' + msg.unitId + '/';
const out = [];
for (const key in msg.payload) out.push({ topic: base + key, payload: String(msg.payload[key]), qos: 0, retain: false });
return [out];
`;

interface Path {
  id: string;
  name: string;
  /** The node the driver sends reads into, and the node whose inputs are counted. */
  entry: string;
  counted: string;
  /** Values per counted msg (a reading holds 64). */
  valuesPerMsg: number;
}

const PATHS: Path[] = [
  { id: 'read', name: 'read only (reference)', entry: 'read-read', counted: 'read-sink', valuesPerMsg: 64 },
  { id: 'oursFmt', name: 'socomec-mqtt, not published', entry: 'read-oursFmt', counted: 'oursFmt-sink', valuesPerMsg: 1 },
  { id: 'fnFmt', name: 'function node, not published', entry: 'read-fnFmt', counted: 'fnFmt-sink', valuesPerMsg: 1 },
  { id: 'oursPub', name: 'socomec-mqtt -> mqtt out', entry: 'read-oursPub', counted: 'oursPub-out', valuesPerMsg: 1 },
  { id: 'fnPub', name: 'function node -> mqtt out', entry: 'read-fnPub', counted: 'fnPub-out', valuesPerMsg: 1 },
];

/** The same nodes, fed recorded readings directly (the read-measurements nodes left out). */
const REPLAY_PATHS: Path[] = [
  { id: 'replay', name: 'replay only (reference)', entry: 'read-sink', counted: 'read-sink', valuesPerMsg: 64 },
  { id: 'oursFmt', name: 'socomec-mqtt, not published', entry: 'oursFmt', counted: 'oursFmt-sink', valuesPerMsg: 1 },
  { id: 'fnFmt', name: 'function node, not published', entry: 'fnFmt', counted: 'fnFmt-sink', valuesPerMsg: 1 },
  { id: 'oursPub', name: 'socomec-mqtt -> mqtt out', entry: 'oursPub', counted: 'oursPub-out', valuesPerMsg: 1 },
  { id: 'fnPub', name: 'function node -> mqtt out', entry: 'fnPub', counted: 'fnPub-out', valuesPerMsg: 1 },
];

function flow(simPort: number, brokerPort: number): object[] {
  const names = Array.from({ length: METERS }, (_, i) => `${i + 1}=m${i + 1}`).join(', ');
  const read = (id: string, next: string): object => ({
    id: `read-${id}`,
    type: 'socomec-read-measurements',
    connection: 'conn',
    unitId: 1,
    groups: ALL_GROUPS,
    table: 'standard',
    pollSeconds: 0,
    outputMode: 'single',
    wires: [[next]],
  });
  const fmt = (id: string, next: string): object => ({
    id,
    type: 'socomec-mqtt',
    prefix: 'socomec',
    site: 'bench',
    names,
    values: true,
    state: false,
    retain: false,
    qos: 0,
    discovery: false,
    wires: [[next]],
  });
  const fn = (id: string, next: string): object => ({ id, type: 'function', func: FUNCTION_SOURCE, outputs: 1, wires: [[next]] });
  const sink = (id: string): object => ({ id, type: 'junction', wires: [] });
  const out = (id: string): object => ({ id, type: 'mqtt out', topic: '', qos: '', retain: '', broker: 'broker', wires: [] });
  return [
    { id: 'conn', type: 'socomec-connection', transport: 'tcp', host: '127.0.0.1', port: simPort, timeoutMs: REQUEST_TIMEOUT_MS, retries: 1, queueLimit: 1000 },
    { id: 'broker', type: 'mqtt-broker', broker: '127.0.0.1', port: brokerPort, clientid: 'bench', autoConnect: true, protocolVersion: 4, keepalive: 60, cleansession: true },
    read('read', 'read-sink'),
    sink('read-sink'),
    read('oursFmt', 'oursFmt'),
    fmt('oursFmt', 'oursFmt-sink'),
    sink('oursFmt-sink'),
    read('fnFmt', 'fnFmt'),
    fn('fnFmt', 'fnFmt-sink'),
    sink('fnFmt-sink'),
    read('oursPub', 'oursPub'),
    fmt('oursPub', 'oursPub-out'),
    out('oursPub-out'),
    read('fnPub', 'fnPub'),
    fn('fnPub', 'fnPub-out'),
    out('fnPub-out'),
  ];
}

interface Window {
  values: number;
  cpuUs: number;
  p99Ms: number;
  reads: number;
  seconds: number;
}

/**
 * Send `perSecond` msgs a second into `entryId` (msg i from `msgFor(i)`) for `ms`, counting
 * the msgs that reach `countedId`, and measure this process.
 */
async function drive(helper: TestHelper, entryId: string, countedId: string, valuesPerMsg: number, perSecond: number, msgFor: (i: number) => Record<string, unknown>, ms: number): Promise<Window> {
  const entry = helper.getNode(entryId);
  const counted = helper.getNode(countedId);
  let msgs = 0;
  const count = (): void => {
    msgs += 1;
  };
  counted.on('input', count);
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let sent = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  histogram.enable();
  const timer = setInterval(() => {
    // Catch up to the schedule, whatever the timer's jitter.
    const due = Math.floor(((performance.now() - t0) / 1000) * perSecond);
    while (sent < due) entry.receive(msgFor(sent++));
  }, 10);
  await sleep(ms);
  clearInterval(timer);
  histogram.disable();
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  counted.removeListener('input', count);
  return { values: msgs * valuesPerMsg, cpuUs: cpu.user + cpu.system, p99Ms: histogram.percentile(99) / 1e6, reads: sent, seconds };
}

/** One read a second of each of the 100 meters, into a path's read-measurements node. */
function drivePoll(helper: TestHelper, path: Path, ms: number): Promise<Window> {
  return drive(helper, path.entry, path.counted, path.valuesPerMsg, READS_PER_SECOND, (i) => ({ unitId: (i % METERS) + 1 }), ms);
}

/** A subscriber process counting what mosquitto delivers on `filter`. */
class DeliveryCounter {
  private constructor(private readonly child: ChildProcess) {}

  static async start(port: number, filter: string): Promise<DeliveryCounter> {
    const child = fork(path.join(__dirname, 'mqtt-counter-child.js'), [String(port), filter], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await withTimeout(new Promise<void>((resolve) => child.once('message', () => resolve())), 10_000, 'the counting subscriber');
    return new DeliveryCounter(child);
  }

  count(): Promise<number> {
    const reply = new Promise<number>((resolve) => this.child.once('message', (m: { count: number }) => resolve(m.count)));
    this.child.send({});
    return withTimeout(reply, 5000, 'the counting subscriber\'s count');
  }

  /** Ask until the count stops moving (what was published has all arrived). */
  async settled(): Promise<number> {
    let last = -1;
    for (let i = 0; i < 20; i++) {
      const now = await this.count();
      if (now === last) return now;
      last = now;
      await sleep(500);
    }
    return last;
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

export async function mqttCost(sims: SimulatorProcess): Promise<SectionResult> {
  const unitIds = Array.from({ length: METERS }, (_, i) => i + 1);
  const { port: simPort } = await sims.start({ transport: 'tcp', port: 0, unitIds, seed: 5 });
  const broker = await Mosquitto.start();
  const counter = await DeliveryCounter.start(broker.port, 'socomec/bench/#');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const helper = require('node-red-node-test-helper') as TestHelper;
  helper.init(require.resolve('node-red'), { logging: { console: { level: 'off' } } });
  const nodes = [
    connectionNode as unknown as NodeModule,
    readMeasurementsNode as unknown as NodeModule,
    socomecMqttNode as unknown as NodeModule,
    loadModule('@node-red/nodes/core/function/10-function.js'),
    loadModule('@node-red/nodes/core/network/10-mqtt.js'),
    loadModule('@node-red/nodes/core/common/05-junction.js'),
  ];
  const windows = new Map<string, Window[]>(PATHS.map((p) => [p.id, []]));
  const replayWindows = new Map<string, Window[]>(REPLAY_PATHS.map((p) => [p.id, []]));
  let published = 0;
  let received = 0;
  let spiesReplaced = 0;
  try {
    await withTimeout(helper.load(nodes, flow(simPort, broker.port)), 15_000, 'Node-RED flow start');
    // Every spy off, also the copies of `send` Node-RED put on each wired node.
    spiesReplaced = removeSpies(
      helper,
      flow(simPort, broker.port).map((n) => (n as { id: string }).id),
    );
    const before = await counter.count();
    // Record one reading of each meter, to replay later.
    const readings = new Map<unknown, Record<string, unknown>>();
    helper.getNode('read-sink').on('input', (msg: Record<string, unknown>) => {
      if (readings.size < METERS && typeof msg.payload === 'object') readings.set(msg.unitId, msg);
    });
    for (const path of PATHS) {
      const w = await drivePoll(helper, path, WARMUP_MS / PATHS.length);
      if (path.id === 'oursPub' || path.id === 'fnPub') published += w.values;
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? PATHS : [...PATHS].reverse();
      for (const path of order) {
        const w = await drivePoll(helper, path, WINDOW_MS);
        windows.get(path.id)!.push(w);
        if (path.id === 'oursPub' || path.id === 'fnPub') published += w.values;
        await sleep(200); // let the link's queue drain between windows
      }
    }
    // Replay: the readings recorded above, straight into the formatting nodes.
    const recorded = [...readings.values()];
    if (recorded.length === 0) throw new Error('no reading was recorded to replay');
    for (let round = 0; round < REPLAY_ROUNDS; round++) {
      const order = round % 2 === 0 ? REPLAY_PATHS : [...REPLAY_PATHS].reverse();
      for (const path of order) {
        const w = await drive(helper, path.entry, path.counted, path.valuesPerMsg, REPLAY_PER_SECOND, (i) => ({ ...recorded[i % recorded.length] }), REPLAY_WINDOW_MS);
        replayWindows.get(path.id)!.push(w);
        if (path.id === 'oursPub' || path.id === 'fnPub') published += w.values;
        await sleep(100);
      }
    }
    received = (await counter.settled()) - before;
  } finally {
    await withTimeout(helper.unload(), 10_000, 'Node-RED flow stop').catch(() => undefined);
    counter.close();
    await broker.dispose();
  }

  const perReadUs = (id: string): number => median(windows.get(id)!.map((w) => w.cpuUs / Math.max(1, w.reads)));
  const rate = (id: string): number => median(windows.get(id)!.map((w) => w.values / w.seconds));
  const p99 = (id: string): number => median(windows.get(id)!.map((w) => w.p99Ms));
  const rows = PATHS.map((p) => [p.name, fixed(rate(p.id), 0), fixed(perReadUs(p.id) / 64, 2), fixed(perReadUs(p.id), 0), fixed(p99(p.id), 1)]);
  const resultTable = table(['path', 'values/s', 'CPU µs per value', 'CPU µs per poll (64 values)', 'event-loop p99 ms'], rows);

  // Replay: CPU per value of each path, and the differences that isolate formatting and publishing.
  const r = (id: string): number => median(replayWindows.get(id)!.map((w) => w.cpuUs / Math.max(1, w.reads * 64)));
  const rp99 = (id: string): number => median(replayWindows.get(id)!.map((w) => w.p99Ms));
  const replayTable = table(
    ['path (replayed readings)', 'values/s', 'CPU µs per value', 'event-loop p99 ms'],
    REPLAY_PATHS.map((p) => [p.name, fixed(median(replayWindows.get(p.id)!.map((w) => w.values / w.seconds)), 0), fixed(r(p.id), 2), fixed(rp99(p.id), 1)]),
  );
  const oursFormatting = r('oursFmt') - r('replay');
  const fnFormatting = r('fnFmt') - r('replay');
  const oursPublishing = r('oursPub') - r('oursFmt');
  const fnPublishing = r('fnPub') - r('fnFmt');
  const breakdown = table(
    ['µs of CPU per value', 'socomec-mqtt', 'function node'],
    [
      ['formatting (not published - replay only)', fixed(oursFormatting, 2), fixed(fnFormatting, 2)],
      ['publishing in mqtt out (published - not published)', fixed(oursPublishing, 2), fixed(fnPublishing, 2)],
    ],
  );
  const target = oursFormatting < oursPublishing;
  const markdown = [
    `${METERS} simulated meters (one simulator process, Modbus TCP on loopback, one socomec-connection), each read once a second`,
    `(full poll, 64 values), one msg per value into core \`mqtt out\` (QoS 0) and mosquitto on loopback (its own process).`,
    `Node-RED runs in the measuring process through node-red-node-test-helper with its spies removed (the sandbox's, and the`,
    `${spiesReplaced} copies of \`send\` Node-RED put on the wired nodes; none left); CPU is this`,
    `process's user + system time over each ${WINDOW_MS / 1000} s window, divided by the polls sent in (64 values each); ${ROUNDS} interleaved`,
    'rounds, medians. The function node is what a user writes to get the same topics (`socomec/bench/m<unit>/<key>`,',
    'value as text); socomec-mqtt gets its meter names from its settings (`1=m1, ...`) and publishes plain values only.',
    '',
    resultTable,
    '',
    'The same nodes fed the readings recorded above (one per meter, replayed at',
    `${REPLAY_PER_SECOND} a second, ${REPLAY_PER_SECOND * 64} values/s, ${REPLAY_ROUNDS} interleaved rounds of ${REPLAY_WINDOW_MS / 1000} s), so the Modbus reads and their noise are`,
    'out of the way; CPU per value, and the differences that give what formatting and publishing each cost:',
    '',
    replayTable,
    '',
    breakdown,
    '',
    `Target (socomec-mqtt's formatting costs less than the mqtt out publishing it feeds): ${target ? 'met' : 'NOT met'}` +
      ` (${fixed(oursFormatting, 2)} vs ${fixed(oursPublishing, 2)} µs a value). Differences of CPU times on a shared machine are noisy: compare across runs.`,
    `A subscriber in its own process received ${received} messages for the ${published} values counted into mqtt out (windows and warm-up;`,
    `reads still under way when a window closed are published but not counted)` + (received >= published ? ': none lost.' : `: ${published - received} missing.`),
  ].join('\n');
  return { markdown, console: `${resultTable}\n${replayTable}\n${breakdown}\nreceived by a subscriber ${received}, counted into mqtt out ${published}` };
}
