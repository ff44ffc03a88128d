/**
 * Section 2: the cost of one full poll through a real Node-RED runtime (node-red-node-test-
 * helper), msg in -> decoded msg out: our socomec-read-measurements node vs
 * node-red-contrib-modbus (function node -> modbus-flex-getter -> decoding function node).
 * Both flows are deployed together, against the same simulated meter, and polled in
 * interleaved rounds.
 */
import type { Node, NodeAPI } from 'node-red';
import connectionNode from '../src/nodes/socomec-connection';
import readMeasurementsNode from '../src/nodes/socomec-read-measurements';
import { ALL_GROUPS, REQUEST_TIMEOUT_MS } from './contenders';
import { decoderSource, requestBuilderSource } from './peer-flow';
import type { SectionResult } from './poll-cost';
import type { SimulatorProcess } from './simulator-process';
import { fixed, interleave, median, percentile, ratio, sleep, table, withTimeout } from './stats';

const UNIT_ID = 5;
const PLAN = { warmup: 100, rounds: 8, perRound: 50, deadlineMs: 40_000 };
const PEER_VERSION = readVersion('node-red-contrib-modbus');
const NODE_RED_VERSION = readVersion('node-red');

type NodeModule = (RED: NodeAPI) => void;

/** The parts of node-red-node-test-helper used here (it ships no types). */
interface TestHelper {
  init(runtimePath: string, settings?: object): void;
  load(nodes: NodeModule[], flow: object[]): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): Node;
  _sandbox: { restore(): void };
  _logSpy?: { restore(): void };
}

function readVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function loadModule(id: string): NodeModule {
  // Plain JavaScript node modules without types: loaded as Node-RED loads them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as NodeModule;
}

/** Sends msgs into `input` and resolves each with the next msg that reaches `output`. */
class Probe {
  /** A failed poll sends nothing (the error goes to done(err)): it ends by the timeout. */
  private waiting?: (msg: Record<string, unknown>) => void;
  private counter = 0;

  constructor(
    private readonly name: string,
    private readonly input: Node,
    output: Node,
  ) {
    output.on('input', (msg: Record<string, unknown>) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(msg);
    });
  }

  poll(timeoutMs = 3 * REQUEST_TIMEOUT_MS): Promise<Record<string, unknown>> {
    const reply = new Promise<Record<string, unknown>>((resolve) => {
      this.waiting = resolve;
    });
    this.input.receive({ topic: `poll-${++this.counter}`, payload: '' });
    return withTimeout(reply, timeoutMs, `${this.name} poll`).finally(() => {
      this.waiting = undefined;
    });
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

function flow(port: number): object[] {
  return [
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
}

export async function nodeRedCost(sims: SimulatorProcess): Promise<SectionResult> {
  const { port } = await sims.start({ transport: 'tcp', port: 0, unitIds: [UNIT_ID], seed: 2 });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const helper = require('node-red-node-test-helper') as TestHelper;
  helper.init(require.resolve('node-red'), { logging: { console: { level: 'off' } } });
  const nodes = [
    connectionNode as unknown as NodeModule,
    readMeasurementsNode as unknown as NodeModule,
    loadModule('node-red-contrib-modbus/modbus/modbus-client.js'),
    loadModule('node-red-contrib-modbus/modbus/modbus-flex-getter.js'),
    loadModule('@node-red/nodes/core/function/10-function.js'),
  ];
  let samples: Map<string, number[]>;
  let oursKeys: string[];
  let peerKeys: string[];
  const OURS = `socomec-read-measurements`;
  const PEER = `contrib-modbus flex-getter + function nodes`;
  try {
    await withTimeout(helper.load(nodes, flow(port)), 15_000, 'Node-RED flow start');
    // The helper wraps every node's send/status/log in sinon spies that keep every call:
    // fine for a test, a leak and a cost in a benchmark. Both flows run without them.
    helper._sandbox.restore();
    helper._logSpy?.restore();
    const ours = new Probe(OURS, helper.getNode('ours'), helper.getNode('oursOut'));
    const peer = new Probe(PEER, helper.getNode('peerBuild'), helper.getNode('peerOut'));
    const oursFirst = await firstGoodPoll(ours);
    const peerFirst = await firstGoodPoll(peer);
    oursKeys = Object.keys(oursFirst.payload as object).sort();
    peerKeys = Object.keys(peerFirst.payload as object).sort();
    samples = await interleave(
      [
        { name: OURS, once: () => ours.poll().then(() => undefined) },
        { name: PEER, once: () => peer.poll().then(() => undefined) },
      ],
      PLAN,
    );
  } finally {
    await withTimeout(helper.unload(), 10_000, 'Node-RED flow stop').catch(() => undefined);
  }
  const oursTimes = samples.get(OURS)!;
  const peerTimes = samples.get(PEER)!;
  const resultTable = table(
    ['flow', 'polls', 'median ms/poll', 'p90 ms/poll', 'ratio of medians'],
    [
      [OURS, String(oursTimes.length), fixed(median(oursTimes), 3), fixed(percentile(oursTimes, 90), 3), '1.00x'],
      [PEER, String(peerTimes.length), fixed(median(peerTimes), 3), fixed(percentile(peerTimes, 90), 3), ratio(median(peerTimes), median(oursTimes))],
    ],
  );
  const sameKeys = JSON.stringify(oursKeys) === JSON.stringify(peerKeys);
  const markdown = [
    `Node-RED ${NODE_RED_VERSION} runtime through node-red-node-test-helper (its sinon spies removed after the deploy),`,
    `Modbus TCP on loopback, unit id ${UNIT_ID}. One msg in, time until the decoded msg arrives at the next node.`,
    '',
    `- ours: \`socomec-read-measurements\` (groups ${ALL_GROUPS.join(', ')}) on a \`socomec-connection\`.`,
    `- peer: node-red-contrib-modbus ${PEER_VERSION}: a function node emitting the four read requests ->`,
    '  `modbus-flex-getter` on a `modbus-client` (the package\'s defaults: command delay 1 ms, the least it accepts,',
    '  parallel unit ids) ->',
    '  a function node that collects the four replies by msg.topic and decodes U16/S16/U32/S32 words, enums and',
    '  scales into the same named payload (its field table written out from our register map, as a user types it).',
    `- Same payload keys in both outputs: ${sameKeys ? `yes (${oursKeys.length} keys)` : `NO (ours ${oursKeys.length}, peer ${peerKeys.length})`}.`,
    '',
    `Interleaved rounds (${PLAN.rounds} x ${PLAN.perRound} polls each, order alternating) after ${PLAN.warmup} warm-up polls each. The ratio here is the`,
    'peer\'s median over ours (above 1.00x: the peer is slower).',
    '',
    resultTable,
  ].join('\n');
  return { markdown, console: resultTable };
}
