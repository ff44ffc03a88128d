import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { SerialPort } from 'serialport';
import readIdentity from '../../src/nodes/socomec-read-identity';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import { decodeField } from '../../src/codec';
import { getField } from '../../src/registers';
import type { DirisMeter } from '../../src/simulator';
import type { ConnectionNode } from '../../src/nodes/connection-attachment';
import {
  CONNECTION_ID,
  FLOW_ID,
  catchAll,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  nextMessage,
  nextStatus,
  within,
  resourceBaseline,
  resourcesAbove,
  resourcesBackTo,
  startTestSimulator,
  type FlowNode,
  type NodeInitializer,
  type TestNode,
  type TestSimulator,
  readMeasurementsDef,
} from '../helpers/node-red';
import { openPtyPair } from '../helpers/pty';
import { closedPort } from '../helpers/ports';

const readNode = readMeasurements as unknown as NodeInitializer;
const identityNode = readIdentity as unknown as NodeInitializer;
const NODES = [connectionNode, readNode, identityNode];

function readNodeDef(overrides: Record<string, unknown> = {}, id = 'read'): FlowNode {
  return readMeasurementsDef({ groups: ['instantaneous'], ...overrides }, id);
}

function productName(meter: DirisMeter): unknown {
  const field = getField('identification', 'productName');
  return decodeField(field, meter.peek(field.address, field.words));
}

/**
 * The runtime's admin app on a loopback port of the test's own: the test helper's requests
 * cannot be walked away from, and an editor closing its dialog does just that.
 */
async function adminServer(): Promise<{ url: string; close(): Promise<void> }> {
  const admin = (helper as unknown as { _httpAdmin: http.RequestListener })._httpAdmin;
  const server = http.createServer(admin);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A scan POSTed with plain http, so the test can walk away from it as a closed editor does. */
function startScan(url: string, body: unknown): { answer: Promise<{ status: number; error?: string }>; abandon(): void } {
  const request = http.request(`${url}/socomec-connection/scan`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  const answer = new Promise<{ status: number; error?: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(JSON.parse(text) as { error?: string }) }));
    });
    request.on('error', reject);
  });
  // Walking away makes the request fail on our side: that is the point.
  answer.catch(() => undefined);
  request.end(JSON.stringify(body));
  return { answer, abandon: () => request.destroy() };
}

/** A TCP peer that takes connections and never answers: every unit id is silent. */
async function silentPeer(): Promise<{ port: number; connected: Promise<net.Socket>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let onConnection: (socket: net.Socket) => void = () => undefined;
  const connected = new Promise<net.Socket>((resolve) => (onConnection = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // Read and drop the requests: a paused socket would never see the other end go.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface ScanAnswer {
  link: string;
  scanned: number[];
  found: { unitId: number; productName: string; extendedName: string; family: string; serialNumber: string }[];
  others: { unitId: number; error: string }[];
}

describe('socomec-connection in the Node-RED runtime', function () {
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  describe('the scan endpoint', function () {
    beforeEach(async function () {
      await helper.startServer();
    });

    afterEach(async function () {
      await helper.stopServer();
    });

    it('finds the simulator\'s meters among unit ids 1..10 with the editor\'s settings, and closes its link', async function () {
      const baseline = await resourceBaseline();
      await helper.load(NODES, [flowTab(), connectionConfig(sim)]);
      const res = await helper
        .request()
        .post('/socomec-connection/scan')
        .send({ settings: { transport: 'tcp', host: '127.0.0.1', port: String(sim.port), timeoutMs: '150', retries: '0' }, unitIds: '1-10' });
      assert.equal(res.status, 200, res.text);
      const answer = res.body as ScanAnswer;
      assert.deepEqual(answer.scanned, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.deepEqual(
        answer.found.map((m) => m.unitId),
        [...sim.meters.keys()].sort((a, b) => a - b),
      );
      for (const hit of answer.found) {
        const meter = sim.meters.get(hit.unitId)!;
        assert.equal(hit.productName, productName(meter));
        assert.equal(hit.productName, 'DIRIS A20');
        assert.equal(hit.family, 'Diris');
        assert.match(hit.serialNumber, /^[0-9A-F]{8}-\d+$/);
      }
      assert.notEqual(answer.found[0].serialNumber, answer.found[1].serialNumber);
      assert.deepEqual(answer.others, []);
      assert.equal(answer.link, `tcp 127.0.0.1:${sim.port}`);
      // The temporary link is closed once the answer is out.
      await helper.unload();
      await resourcesBackTo(baseline);
    });

    it('scans with a deployed connection\'s settings given its id, and a unit id list', async function () {
      await helper.load(NODES, [flowTab(), connectionConfig(sim)]);
      const res = await helper.request().post('/socomec-connection/scan').send({ id: CONNECTION_ID, unitIds: [6, 7] });
      assert.equal(res.status, 200, res.text);
      const answer = res.body as ScanAnswer;
      assert.deepEqual(answer.found.map((m) => m.unitId), [6]);
      assert.deepEqual(answer.scanned, [6, 7]);
    });

    it('lists a unit id that answers but is no DIRIS apart from the meters found', async function () {
      sim.meters.get(6)!.override({ blockId: 'identification', key: 'signature' }, 'ACME');
      await helper.load(NODES, [flowTab(), connectionConfig(sim)]);
      const res = await helper.request().post('/socomec-connection/scan').send({ id: CONNECTION_ID, unitIds: '5,6' });
      const answer = res.body as ScanAnswer;
      assert.deepEqual(answer.found.map((m) => m.unitId), [5]);
      assert.equal(answer.others.length, 1);
      assert.equal(answer.others[0].unitId, 6);
      assert.match(answer.others[0].error, /not a Socomec meter/);
    });

    it('answers 400 naming the problem for bad unit ids or settings, and 502 when the link cannot open', async function () {
      await helper.load(NODES, [flowTab(), connectionConfig(sim)]);
      let res = await helper.request().post('/socomec-connection/scan').send({ id: CONNECTION_ID, unitIds: '1-300' });
      assert.equal(res.status, 400);
      assert.match((res.body as { error: string }).error, /unit id "1-300" is not an integer 1\.\.247/);

      res = await helper.request().post('/socomec-connection/scan').send({ settings: { transport: 'tcp', host: '127.0.0.1', port: '70000' } });
      assert.equal(res.status, 400);
      assert.match((res.body as { error: string }).error, /port must be an integer 1\.\.65535, got 70000/);

      const port = await closedPort();
      res = await helper.request().post('/socomec-connection/scan').send({ settings: { transport: 'tcp', host: '127.0.0.1', port, timeoutMs: 300 }, unitIds: [5] });
      assert.equal(res.status, 502);
      assert.match((res.body as { error: string }).error, new RegExp(`scan on tcp 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`));
    });

    it('runs one scan at a time per target (409 for a second), and stops and closes its link when the editor walks away', async function () {
      const peer = await silentPeer();
      await helper.load(NODES, [flowTab(), connectionConfig(sim)]);
      const admin = await adminServer();
      try {
        const settings = { transport: 'tcp', host: '127.0.0.1', port: peer.port, timeoutMs: 300, retries: 0 };
        const first = startScan(admin.url, { settings, unitIds: '1-247' });
        const socket = await within<net.Socket>(5000, 'the scan to connect', (resolve) => {
          void peer.connected.then(resolve);
          return () => undefined;
        });
        const second = await helper.request().post('/socomec-connection/scan').send({ settings, unitIds: [1] });
        assert.equal(second.status, 409, second.text);
        assert.match((second.body as { error: string }).error, new RegExp(`a scan of 127\\.0\\.0\\.1:${peer.port} is already running`));

        // The editor goes away: the scan's connection closes at once, not 247 timeouts later.
        const closed = within(2000, 'the abandoned scan to close its connection', (resolve) => {
          socket.once('close', () => resolve(undefined));
          return () => undefined;
        });
        first.abandon();
        await closed;
        const third = await helper.request().post('/socomec-connection/scan').send({ settings, unitIds: [1] });
        assert.equal(third.status, 200, third.text);
        assert.deepEqual((third.body as ScanAnswer).found, []);
      } finally {
        await admin.close();
        await peer.close();
      }
    });

    for (const editor of ['walks away', 'still waits'] as const) {
      it(`frees the serial port of an RTU scan when the editor ${editor}: a connection deployed next on that port reads`, async function () {
        const pty = await openPtyPair();
        await helper.load(NODES, [flowTab()]);
        const admin = await adminServer();
        let meterSide: SerialPort | undefined = new SerialPort({ path: pty.a, baudRate: 19200 });
        let rtuSim: Awaited<ReturnType<typeof startTestSimulator>> | undefined;
        try {
          const firstRequest = within(5000, 'the scan\'s first request on the line', (resolve) => {
            meterSide!.once('data', () => resolve(undefined));
            return () => undefined;
          });
          // 247 silent unit ids: about 74 s of scanning if nothing stops it.
          const scan = startScan(admin.url, { settings: { transport: 'rtu', serialPath: pty.b, baudRate: 19200, timeoutMs: 300, retries: 0 }, unitIds: '1-247' });
          await firstRequest;
          if (editor === 'walks away') scan.abandon();
          await new Promise<void>((resolve) => meterSide!.close(() => resolve()));
          meterSide = undefined;
          rtuSim = await startTestSimulator({ transport: 'rtu', path: pty.a, baudRate: 19200, unitIds: [5] });

          const rtu = { transport: 'rtu', serialPath: pty.b, baudRate: 19200, timeoutMs: 2000 };
          await helper.setFlows([flowTab(), connectionConfig(sim, rtu), readNodeDef(), helperNode('out')], 'full');
          if (editor === 'still waits') {
            // Deploying a connection on the port ends the scan, and the editor hears why.
            const answer = await scan.answer;
            assert.equal(answer.status, 502);
            assert.match(answer.error ?? '', new RegExp(`scan on rtu ${pty.b} 19200 8N1 cancelled: connection simulator was deployed on this port`));
          }
          const output = nextMessage('out');
          inject('read', {});
          assert.equal((await output).unitId, 5);
        } finally {
          await admin.close();
          await helper.unload();
          if (meterSide?.isOpen) await new Promise<void>((resolve) => meterSide!.close(() => resolve()));
          await rtuSim?.close();
          await pty.close();
        }
      });
    }
  });

  it('shows the link\'s counters in the stats endpoint, and 404 for a connection that is not deployed', async function () {
    await helper.load(NODES, [flowTab(), connectionConfig(sim), readNodeDef({ groups: ['instantaneous', 'energies'] }), helperNode('out')]);
    const output = nextMessage('out');
    inject('read', {});
    await output;
    const res = await helper.request().get(`/socomec-connection/${CONNECTION_ID}/stats`);
    assert.equal(res.status, 200);
    const stats = res.body as Record<string, unknown>;
    assert.equal(stats.state, 'connected');
    assert.equal(stats.users, 1);
    assert.equal(stats.link, `tcp 127.0.0.1:${sim.port}`);
    assert.equal(stats.requests, sim.server.stats.requests, 'every request the link counted reached the meter');
    assert.equal(stats.requests, 2);
    assert.equal(stats.errors, 0);
    assert.equal(stats.timeouts, 0);

    const missing = await helper.request().get('/socomec-connection/nope/stats');
    assert.equal(missing.status, 404);
  });

  it('lists the serial ports of the machine for the editor (possibly none)', async function () {
    await helper.load(NODES, [flowTab(), connectionConfig(sim)]);
    const res = await helper.request().get('/socomec-connection/serialports');
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body));
    for (const port of res.body as { path: unknown }[]) assert.equal(typeof port.path, 'string');
  });

  it('shares one link among its nodes and follows its state in their status: connected, link down, connected', async function () {
    await helper.load(NODES, [
      flowTab(),
      connectionConfig(sim),
      readNodeDef(),
      readNodeDef({ unitId: 6, wires: [['out6']] }, 'read6'),
      helperNode('out'),
      helperNode('out6'),
    ]);
    const connected = nextStatus('read6', (s) => s.text === 'connected');
    let output = nextMessage('out');
    inject('read', {});
    await output;
    // read6 sent nothing yet, yet it shows the shared link's state.
    assert.deepEqual(await connected, { fill: 'green', shape: 'dot', text: 'connected' });

    const down = nextStatus('read', (s) => s.fill === 'red' && /^link down: closed$/.test(s.text ?? ''));
    const reconnected = nextStatus('read', (s) => s.text === 'connected');
    sim.server.dropConnections();
    assert.equal((await down).shape, 'ring');
    await reconnected;
    // And it works again without a redeploy.
    output = nextMessage('out6');
    inject('read6', {});
    assert.equal((await output).unitId, 6);
  });

  it('closes its socket at once on redeploy and on unload', async function () {
    const baseline = await resourceBaseline();
    const flowA = [flowTab(), connectionConfig(sim), readNodeDef(), helperNode('out')];
    await helper.load(NODES, flowA);
    let output = nextMessage('out');
    inject('read', {});
    await output;
    assert.ok(resourcesAbove(baseline).some((kind) => kind.startsWith('TCPSocketWrap')), 'a socket is open while the flow reads');

    // Redeploy with other connection settings: the old link goes away at once; the new one opens on first use.
    await helper.setFlows([flowTab(), connectionConfig(sim, { timeoutMs: 700 }), readNodeDef(), helperNode('out')], 'full');
    await resourcesBackTo(baseline);
    output = nextMessage('out');
    inject('read', {});
    assert.equal((await output).unitId, 5);

    await helper.unload();
    await resourcesBackTo(baseline);
  });

  it('leaves a flow node red with a clear reason when its connection is missing or its settings are bad', async function () {
    await helper.load(NODES, [
      flowTab(),
      connectionConfig(sim, { port: 70000 }),
      readNodeDef({ connection: '' }, 'orphan'),
      readNodeDef({}, 'badport'),
      helperNode('out'),
      ...catchAll(),
    ]);
    const orphan = helper.getNode('orphan') as TestNode;
    const badport = helper.getNode('badport') as TestNode;
    // Both reported while the flow started; the spies recorded them.
    const statusOf = (node: TestNode) => (node.status as unknown as { args: unknown[][] }).args;
    assert.ok(
      statusOf(orphan).some(([s]) => JSON.stringify(s) === JSON.stringify({ fill: 'red', shape: 'ring', text: 'no connection' })),
      'orphan shows "no connection"',
    );
    assert.ok(
      statusOf(badport).some(([s]) => JSON.stringify(s) === JSON.stringify({ fill: 'red', shape: 'ring', text: 'bad connection settings' })),
      'badport shows "bad connection settings"',
    );
    const errorArgs = (badport.error as unknown as { args: unknown[][] }).args.map(([text]) => String(text));
    assert.ok(errorArgs.some((text) => /bad connection settings: port must be an integer 1\.\.65535 \(in the node settings\), got 70000/.test(text)), errorArgs.join('; '));

    // A msg sent to such a node is not dropped: it reaches the Catch node with the reason.
    let caught = nextMessage('caught');
    inject('orphan', { payload: 'lost?' });
    let msg = await caught;
    assert.equal(msg.payload, 'lost?');
    assert.match((msg.error as { message: string }).message, /no socomec-connection configured/);
    caught = nextMessage('caught');
    inject('badport', { payload: 'lost?' });
    msg = await caught;
    assert.match((msg.error as { message: string }).message, /^connection "simulator": bad connection settings: port must be an integer 1\.\.65535 \(in the node settings\), got 70000$/);
  });

  it('fails every input with the reason when the node\'s own unit id setting is bad', async function () {
    await helper.load(NODES, [flowTab(), connectionConfig(sim), readNodeDef({ unitId: 300 }), helperNode('out'), ...catchAll()]);
    const caught = nextMessage('caught');
    inject('read', { payload: 1 });
    const msg = await caught;
    assert.match((msg.error as { message: string }).message, /unit id 300 in the node settings is not an integer 1\.\.247/);
  });

  it('reports a request on a link that cannot open as "link down", naming the link', async function () {
    const port = await closedPort();
    await helper.load(NODES, [flowTab(), connectionConfig(port), readNodeDef(), helperNode('out'), ...catchAll()]);
    const caught = nextMessage('caught');
    const red = nextStatus('read', (s) => s.text === 'link down: ECONNREFUSED');
    inject('read', { payload: 'x' });
    const message = ((await caught).error as { message: string }).message;
    assert.match(message, new RegExp(`^meter 5 on tcp 127\\.0\\.0\\.1:${port}: `));
    assert.match(message, /ECONNREFUSED/);
    assert.deepEqual(await red, { fill: 'red', shape: 'ring', text: 'link down: ECONNREFUSED' });
  });

  it('shows one steady status while the link retries: "link down: ECONNREFUSED", no flicker over many attempts and polls', async function () {
    const port = await closedPort();
    await helper.load(NODES, [
      flowTab(),
      connectionConfig(port, { reconnectInitialMs: 50, reconnectMaxMs: 100, timeoutMs: 150 }),
      readNodeDef({ pollSeconds: 0.1 }),
      helperNode('out'),
      ...catchAll(),
    ]);
    const connection = helper.getNode(CONNECTION_ID) as unknown as ConnectionNode;
    // Six failed attempts to open, with polls failing in between.
    await within(10_000, 'six failed reconnect attempts', (resolve) => {
      let attempts = 0;
      return connection.onState((state, detail) => {
        if (state === 'reconnecting' && detail !== undefined && ++attempts === 6) resolve(undefined);
      });
    });
    const read = helper.getNode('read') as TestNode;
    const shown = (read.status as unknown as { args: unknown[][] }).args.map(([status]) => JSON.stringify(status));
    const changes = shown.filter((status, i) => i === 0 || status !== shown[i - 1]).map((status) => JSON.parse(status) as { text: string });
    const down = { fill: 'red', shape: 'ring', text: 'link down: ECONNREFUSED' };
    const firstDown = changes.findIndex((status) => JSON.stringify(status) === JSON.stringify(down));
    assert.ok(firstDown >= 0, `shows ${JSON.stringify(down)}: ${JSON.stringify(changes)}`);
    assert.deepEqual(changes.slice(firstDown), [down], 'the same status from the first failure on');
    assert.ok(changes.length <= 2, `at most "connecting" before it: ${JSON.stringify(changes)}`);
  });

  it('says "port missing" for a serial port that does not exist', async function () {
    await helper.load(NODES, [flowTab(), connectionConfig(0, { transport: 'rtu', serialPath: '/dev/socomec-test-no-such-port', reconnectInitialMs: 5000, reconnectMaxMs: 5000 }), readNodeDef(), helperNode('out'), ...catchAll()]);
    const red = nextStatus('read', (s) => s.fill === 'red');
    inject('read', {});
    assert.deepEqual(await red, { fill: 'red', shape: 'ring', text: 'port missing' });
  });
});

describe('the example flows', function () {
  const examplesDir = path.join(__dirname, '..', '..', '..', 'examples');
  const coreNodes = path.dirname(require.resolve('@node-red/nodes/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const injectNode = require(path.join(coreNodes, 'core/common/20-inject.js')) as NodeInitializer;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const debugNode = require(path.join(coreNodes, 'core/common/21-debug.js')) as NodeInitializer;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const commentNode = require(path.join(coreNodes, 'core/common/90-comment.js')) as NodeInitializer;
  // The examples of the connection and the read nodes (the other nodes' examples are tested with them).
  const examples = ['read-measurements.json', 'read-identity.json', 'connection-scan.json', 'many-meters.json'].filter((name) => fs.existsSync(path.join(examplesDir, name)));
  let sim: TestSimulator;

  before(async function () {
    sim = await startTestSimulator();
  });

  after(async function () {
    await sim.close();
  });

  afterEach(async function () {
    await helper.unload();
  });

  it('has examples for the read nodes', function () {
    assert.ok(examples.includes('read-measurements.json'));
    assert.ok(examples.includes('read-identity.json'));
    assert.ok(examples.includes('many-meters.json'));
  });

  for (const name of examples) {
    it(`${name} loads in the runtime and every Socomec node in it answers`, async function () {
      const exported = JSON.parse(fs.readFileSync(path.join(examplesDir, name), 'utf8')) as FlowNode[];
      // The example points at the simulator's usual port 5020; the test's simulator has a free port.
      const flow: FlowNode[] = [flowTab()];
      const watchers: FlowNode[] = [];
      for (const node of exported) {
        const copy: FlowNode = { ...node };
        if (copy.type === 'socomec-connection') copy.port = sim.port;
        if ('x' in copy) copy.z = FLOW_ID;
        if (copy.type.startsWith('socomec-') && copy.type !== 'socomec-connection') {
          // Watch each Socomec node's output next to the example's own wiring.
          const watcher = helperNode(`watch-${copy.id}`);
          watchers.push(watcher);
          const [first = [], ...others] = (copy.wires as string[][] | undefined) ?? [];
          copy.wires = [[...first, watcher.id], ...others];
        }
        flow.push(copy);
      }
      assert.ok(watchers.length > 0, 'the example has Socomec nodes');
      const socomecTypes = [...new Set(exported.map((n) => n.type).filter((t) => t.startsWith('socomec-')))];
      const nodeModules = [connectionNode, injectNode, debugNode, commentNode];
      if (socomecTypes.includes('socomec-read-measurements')) nodeModules.push(readNode);
      if (socomecTypes.includes('socomec-read-identity')) nodeModules.push(identityNode);
      await helper.load(nodeModules, [...flow, ...watchers]);

      const errors: string[] = [];
      const onError = (call: { args: unknown[] }): void => {
        errors.push(String(call.args[0]));
      };
      const socomecNodes = flow.filter((n) => n.type.startsWith('socomec-') && 'x' in n).map((n) => helper.getNode(n.id) as TestNode);
      for (const node of socomecNodes) node.on('call:error', onError as never);
      // Each Socomec node answers: after its inject nodes fire, or on its own (poll / read on deploy).
      const answers = watchers.map((w) => nextMessage(w.id));
      for (const node of flow.filter((n) => n.type === 'inject')) inject(node.id, {});
      const messages = await Promise.all(answers);
      for (const msg of messages) {
        assert.equal(typeof msg.timestamp, 'number');
        assert.ok([5, 6].includes(msg.unitId as number));
      }
      for (const node of socomecNodes) node.removeListener('call:error', onError as never);
      assert.deepEqual(errors, []);
    });
  }
});
