/**
 * Section 2: the cost of one full poll through a real Node-RED runtime (node-red-node-test-
 * helper), msg in -> decoded msg out: our socomec-read-measurements node vs
 * node-red-contrib-modbus (function node -> modbus-flex-getter -> decoding function node).
 * Both flows are deployed together, against the same simulated meter, and polled in
 * interleaved rounds.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import connectionNode from '../src/nodes/socomec-connection';
import readMeasurementsNode from '../src/nodes/socomec-read-measurements';
import { ALL_GROUPS, ourPoller, rawPoller, REQUEST_TIMEOUT_MS } from './contenders';
import { decoderSource, requestBuilderSource } from './peer-flow';
import { costTable, type SectionResult } from './poll-cost';
import { SIM_METER, type SimulatorProcess } from './simulator-process';
import { loadModule, removeSpies, type NodeModule, type TestHelper } from './node-red-harness';
import { fixed, formatRatio, interleaveRuns, roundRatios, sleep, summarize, withTimeout, type Contender } from './stats';

const UNIT_ID = 5;
const RUNS = 3;
const PLAN = { warmup: 200, rounds: 20, perRound: 250, deadlineMs: 40_000 };
const PEER_PLAN = { warmup: 30, rounds: 12, perRound: 60, deadlineMs: 20_000 };
/** The peer takes ~40x our time per poll: fewer polls a round keep its rounds as long as ours. */
const PEER_PER_ROUND = 6;
const PEER_VERSION = readVersion('node-red-contrib-modbus');
const NODE_RED_VERSION = readVersion('node-red');

function readVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Sends msgs into `input` and resolves each with the next msg that reaches `output`. A poll
 * that gets nothing (a failed read sends no msg) is failed by one watchdog timer per probe,
 * not a timer per poll: the raw and bare-device contenders have no harness timer either, so
 * ours is not charged one.
 */
class Probe {
  private waiting?: { resolve: (msg: Record<string, unknown>) => void; reject: (err: Error) => void; since: number; timeoutMs: number };
  private counter = 0;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly name: string,
    private readonly input: Node,
    output: Node,
  ) {
    output.on('input', (msg: Record<string, unknown>) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve(msg);
    });
    this.watchdog = setInterval(() => {
      const waiting = this.waiting;
      if (waiting === undefined || Date.now() - waiting.since < waiting.timeoutMs) return;
      this.waiting = undefined;
      waiting.reject(new Error(`${this.name} poll: no result within ${waiting.timeoutMs} ms`));
    }, 250);
  }

  poll(timeoutMs = 3 * REQUEST_TIMEOUT_MS): Promise<Record<string, unknown>> {
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.waiting = { resolve, reject, since: Date.now(), timeoutMs };
    });
    this.input.receive({ topic: `poll-${++this.counter}`, payload: '' });
    return reply;
  }

  stop(): void {
    clearInterval(this.watchdog);
    this.waiting?.reject(new Error(`${this.name}: stopped`));
    this.waiting = undefined;
  }
}

/** Polls until one succeeds: the peer's client walks through its state machine before it reads. */
async function firstGoodPoll(probe: Probe): Promise<Record<string, unknown>> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return await probe.poll();
    } catch (err) {
      lastError = err;
      await sleep(300);
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function flow(port: number, withPeer: boolean): object[] {
  const all = [
    { id: 'conn', type: 'socomec-connection', transport: 'tcp', host: '127.0.0.1', port, timeoutMs: REQUEST_TIMEOUT_MS, retries: 1 },
    {
      id: 'ours',
      type: 'socomec-read-measurements',
      connection: 'conn',
      unitId: UNIT_ID,
      groups: ALL_GROUPS,
      table: 'standard',
      pollSeconds: 0,
      outputMode: 'single',
      wires: [['oursOut']],
    },
    { id: 'oursOut', type: 'helper' },
    { id: 'bare', type: 'bench-bare-read', wires: [['bareOut']] },
    { id: 'bareOut', type: 'helper' },
    {
      id: 'peerClient',
      type: 'modbus-client',
      name: 'diris',
      clienttype: 'tcp',
      bufferCommands: true,
      stateLogEnabled: false,
      queueLogEnabled: false,
      failureLogEnabled: false,
      tcpHost: '127.0.0.1',
      tcpPort: port,
      tcpType: 'DEFAULT',
      serialPort: '/dev/null',
      serialType: 'RTU-BUFFERD',
      serialBaudrate: 9600,
      serialDatabits: 8,
      serialStopbits: 1,
      serialParity: 'none',
      serialConnectionDelay: 100,
      serialAsciiResponseStartDelimiter: '0x3A',
      unit_id: UNIT_ID,
      // The package's defaults, as a user gets them.
      commandDelay: 1,
      clientTimeout: REQUEST_TIMEOUT_MS,
      reconnectOnTimeout: true,
      reconnectTimeout: 2000,
      parallelUnitIdsAllowed: true,
    },
    { id: 'peerBuild', type: 'function', name: 'DIRIS requests', func: requestBuilderSource(UNIT_ID), outputs: 1, wires: [['peerGetter']] },
    {
      id: 'peerGetter',
      type: 'modbus-flex-getter',
      server: 'peerClient',
      useIOFile: false,
      useIOForPayload: false,
      logIOActivities: false,
      emptyMsgOnFail: false,
      keepMsgProperties: false,
      showStatusActivities: false,
      showErrors: false,
      wires: [['peerDecode'], []],
    },
    { id: 'peerDecode', type: 'function', name: 'decode DIRIS', func: decoderSource(UNIT_ID), outputs: 1, wires: [['peerOut']] },
    { id: 'peerOut', type: 'helper' },
  ];
  // Without the peer, none of its nodes exists: its client's timers cost nothing in the other rounds.
  return withPeer ? all : all.filter((n) => !(n as { id: string }).id.startsWith('peer'));
}

/** The device the bare node of the current deploy reads with (the flow is redeployed per run). */
let bareDevice: { device: { readMeasurements(selection: { groups: readonly string[] }): Promise<{ payload: unknown }> } } | undefined;

/**
 * The runtime's floor: a node that only reads the same meter with a bare DirisDevice and sends
 * the payload on (no settings, status, diagnostics or names). What it costs over the device
 * alone is Node-RED's own message passing, which every node pays.
 */
const bareNode: NodeModule = ((RED: NodeAPI) => {
  function BareNode(this: Node, config: NodeDef): void {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      const reader = bareDevice;
      if (reader === undefined) return done(new Error('no device'));
      reader.device.readMeasurements({ groups: ALL_GROUPS }).then(
        (reading) => {
          msg.payload = reading.payload;
          send(msg);
          done();
        },
        (err: unknown) => done(err as Error),
      );
    });
  }
  RED.nodes.registerType('bench-bare-read', BareNode);
}) as unknown as NodeModule;

export async function nodeRedCost(sims: SimulatorProcess): Promise<SectionResult> {
  const { port } = await sims.start({ transport: 'tcp', port: 0, unitIds: [UNIT_ID], seed: 2, meter: SIM_METER });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const helper = require('node-red-node-test-helper') as TestHelper;
  helper.init(require.resolve('node-red'), { logging: { console: { level: 'off' } } });
  const nodes = [
    connectionNode as unknown as NodeModule,
    readMeasurementsNode as unknown as NodeModule,
    loadModule('node-red-contrib-modbus/modbus/modbus-client.js'),
    loadModule('node-red-contrib-modbus/modbus/modbus-flex-getter.js'),
    loadModule('@node-red/nodes/core/function/10-function.js'),
    bareNode,
  ];
  const OURS = 'socomec-read-measurements (Node-RED)';
  const DEVICE = 'ours without Node-RED (ModbusLink + DirisDevice)';
  const RAW = 'raw modbus-serial (no decoding)';
  const BARE = 'a bare Node-RED node around the same device read (the runtime\'s floor)';
  const PEER = 'contrib-modbus flex-getter + function nodes (Node-RED)';
  let oursKeys: string[] = [];
  let peerKeys: string[] = [];
  const spiesReplaced: number[] = [];
  /** A fresh deploy (with or without the peer's flow), ours and raw modbus-serial and the bare device beside it. */
  const open = async (withPeer: boolean): Promise<{ contenders: Contender[]; close: () => Promise<void> }> => {
    const flowNodes = flow(port, withPeer);
    await withTimeout(helper.load(nodes, flowNodes), 15_000, 'Node-RED flow start');
    const raw = await rawPoller({ transport: 'tcp', port }, UNIT_ID).catch(async (err: unknown) => {
      await helper.unload();
      throw err;
    });
    const device = ourPoller({ transport: 'tcp', port }, UNIT_ID);
    const bare = ourPoller({ transport: 'tcp', port }, UNIT_ID);
    bareDevice = bare;
    const probes: Probe[] = [];
    const close = async (): Promise<void> => {
      for (const probe of probes) probe.stop();
      await Promise.all([raw.close(), device.close(), bare.close()]);
      await withTimeout(helper.unload(), 10_000, 'Node-RED flow stop').catch(() => undefined);
    };
    try {
      // The helper wraps node methods in sinon spies that keep every call: fine for a test, a leak
      // and a cost in a benchmark. Every contender runs without them.
      spiesReplaced.push(removeSpies(helper, flowNodes.map((n) => (n as { id: string }).id)));
      const ours = new Probe(OURS, helper.getNode('ours'), helper.getNode('oursOut'));
      probes.push(ours);
      oursKeys = Object.keys((await firstGoodPoll(ours)).payload as object).sort();
      const contenders: Contender[] = [{ name: OURS, once: () => ours.poll().then(() => undefined) }];
      if (withPeer) {
        const peer = new Probe(PEER, helper.getNode('peerBuild'), helper.getNode('peerOut'));
        probes.push(peer);
        peerKeys = Object.keys((await firstGoodPoll(peer)).payload as object).sort();
        contenders.push({ name: PEER, once: () => peer.poll().then(() => undefined), perRound: PEER_PER_ROUND });
      } else {
        const floor = new Probe(BARE, helper.getNode('bare'), helper.getNode('bareOut'));
        probes.push(floor);
        await firstGoodPoll(floor);
        contenders.push(
          { name: RAW, once: () => raw.poll().then(() => undefined) },
          { name: DEVICE, once: () => device.poll().then(() => undefined) },
          { name: BARE, once: () => floor.poll().then(() => undefined) },
        );
      }
      return { contenders, close };
    } catch (err) {
      await close();
      throw err;
    }
  };
  const samples = await interleaveRuns(RUNS, () => open(false), PLAN);
  const peerSamples = await interleaveRuns(RUNS, () => open(true), PEER_PLAN);
  const resultTable = costTable([OURS, BARE, DEVICE, RAW], samples, RAW);
  const peerTable = costTable([OURS, PEER], peerSamples, OURS);
  const cpu = roundRatios(samples.get(OURS)!, samples.get(RAW)!, 'cpu');
  const time = roundRatios(samples.get(OURS)!, samples.get(RAW)!, 'time');
  const deviceCpu = roundRatios(samples.get(DEVICE)!, samples.get(RAW)!, 'cpu');
  const nodeLayerUs = (summarize(samples.get(OURS)!).cpuRounds.median - summarize(samples.get(DEVICE)!).cpuRounds.median) * 1000;
  const runtimeUs = (summarize(samples.get(BARE)!).cpuRounds.median - summarize(samples.get(DEVICE)!).cpuRounds.median) * 1000;
  const bareCpu = roundRatios(samples.get(BARE)!, samples.get(RAW)!, 'cpu');
  const oursOverBare = roundRatios(samples.get(OURS)!, samples.get(BARE)!, 'cpu');
  const met = (s: { median: number }, limit: number): string => (s.median <= limit ? 'met' : 'NOT met');
  const sameKeys = JSON.stringify(oursKeys) === JSON.stringify(peerKeys);
  const markdown = [
    `Node-RED ${NODE_RED_VERSION} runtime through node-red-node-test-helper, Modbus TCP on loopback, unit id ${UNIT_ID}, the`,
    'simulator in its own process. One msg in, time until the decoded msg arrives at the next node (a poll that gets',
    'nothing is failed by one watchdog timer per flow, not a timer per poll: the contenders outside Node-RED have no',
    'harness timer either).',
    '',
    `- ours: \`socomec-read-measurements\` (groups ${ALL_GROUPS.join(', ')}) on a \`socomec-connection\`, single output.`,
    '- the same poll without Node-RED (ModbusLink + DirisDevice), and raw modbus-serial sending the same four reads',
    '  without decoding them, both in the same process as the runtime.',
    `- peer: node-red-contrib-modbus ${PEER_VERSION}: a function node emitting the four read requests ->`,
    '  `modbus-flex-getter` on a `modbus-client` (the package\'s defaults: command delay 1 ms, the least it accepts,',
    '  parallel unit ids) ->',
    '  a function node that collects the four replies by msg.topic and decodes U16/S16/U32/S32 words, enums and',
    '  scales into the same named payload (its field table written out from our register map, as a user types it).',
    `- Same payload keys in both Node-RED outputs: ${sameKeys ? `yes (${oursKeys.length} keys)` : `NO (ours ${oursKeys.length}, peer ${peerKeys.length})`}.`,
    '- No test spy: the helper wraps node methods in sinon spies that record every call for ever. Restoring its sandbox',
    '  is not enough, because Node-RED copies `send` onto every wired node when it creates it: the bench replaced',
    `  ${spiesReplaced.join(' / ')} such copies (per deploy: three without the peer's flow, then three with it), then checked that no spy is left on Node.prototype or any node of the flow.`,
    '',
    `Two parts, each ${RUNS} runs (a fresh deploy and fresh connections each) of interleaved rounds (order reversed every other`,
    'round) after a warm-up: cells give the median over all rounds (min-max over rounds); CPU per poll is the process\'s',
    'user + system CPU over a round divided by its polls; ratios are taken round by round.',
    '',
    `Ours against raw modbus-serial and the bare device, in a deploy without the peer's flow (its client runs timers that`,
    `would be charged to every contender's rounds): ${PLAN.rounds} rounds of ${PLAN.perRound} polls, after ${PLAN.warmup} warm-up polls each.`,
    '',
    resultTable,
    '',
    `Targets: through Node-RED, CPU <= 1.2x raw modbus-serial: ${formatRatio(cpu)} (${met(cpu, 1.2)}); time <= 1.1x: ${formatRatio(time)}`,
    `(${met(time, 1.1)}); the link and device alone, CPU <= 1.1x: ${formatRatio(deviceCpu)} (${met(deviceCpu, 1.1)}). The Node-RED layer`,
    `(the nodes and the runtime's message passing) adds ${fixed(nodeLayerUs, 1)} us of CPU per poll over the device alone (difference of medians),`,
    `of which the runtime's own message passing, measured by the bare node, is ${fixed(runtimeUs, 1)} us: the bare node costs ${formatRatio(bareCpu)} of raw`,
    `modbus-serial's CPU, and ours ${formatRatio(oursOverBare)} of the bare node's (round by round).`,
    '',
    `The peer against ours, both flows deployed together: ${PEER_PLAN.rounds} rounds of ${PEER_PLAN.perRound} polls of ours and ${PEER_PER_ROUND} of the peer's (it takes`,
    `tens of times longer a poll), after ${PEER_PLAN.warmup} warm-up polls each; the reference is ours (above 1.00x: the peer costs more; most of`,
    'its time is its own timers).',
    '',
    peerTable,
  ].join('\n');
  return { markdown, console: `${resultTable}\n\n${peerTable}` };
}
