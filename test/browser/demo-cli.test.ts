/**
 * The demo command itself (`npm start` = dist/src/cli/demo.js): the flow file it installs
 * and keeps, its clean stop on SIGTERM, and its message when a port is taken.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { makeUserDir, removeDir, startDemoProcess, type DemoProcess } from '../helpers/browser';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLE_FLOW = path.join(PROJECT_ROOT, 'examples', 'demo.json');

interface FlowNode {
  id: string;
  type: string;
  name?: string;
  label?: string;
  port?: number | string;
}

const readFlow = (file: string): FlowNode[] => JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];
const tabLabel = (flow: FlowNode[]): string | undefined => flow.find((n) => n.type === 'tab')?.label;

/** The flow the running Node-RED deployed, as its admin API returns it. */
async function runningFlow(demo: DemoProcess): Promise<FlowNode[]> {
  const response = await fetch(`${demo.editorUrl}flows`);
  assert.equal(response.status, 200);
  return (await response.json()) as FlowNode[];
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Stops the demo and checks it ended by itself, cleanly, with both ports closed. */
async function stopCleanly(demo: DemoProcess): Promise<void> {
  const httpPort = Number(new URL(demo.editorUrl).port);
  const ended = await demo.stop();
  assert.deepEqual(ended, { code: 0, signal: null }, demo.output());
  assert.match(demo.output(), /\[demo\] Stopped/);
  assert.doesNotMatch(demo.output(), /still holds the event loop/);
  assert.equal(await acceptsConnections(demo.modbusPort), false, 'the simulator still accepts connections');
  assert.equal(await acceptsConnections(httpPort), false, 'Node-RED still accepts connections');
}

describe('demo command', function () {
  this.timeout(120_000);
  let userDir: string | undefined;
  let demo: DemoProcess | undefined;

  beforeEach(function () {
    userDir = makeUserDir();
  });

  afterEach(async function () {
    await demo?.stop();
    demo = undefined;
    removeDir(userDir);
  });

  it('copies the demo flow on first start, keeps the user\'s edits on the next, and copies it again with --reset', async function () {
    const flowFile = path.join(userDir!, 'flows.json');
    const example = readFlow(EXAMPLE_FLOW);

    demo = await startDemoProcess({ userDir: userDir! });
    assert.match(demo.output(), /Flow: copied examples\/demo\.json/);
    const installed = readFlow(flowFile);
    assert.deepEqual(installed.map((n) => n.id), example.map((n) => n.id));
    // The copy talks to the simulator this start runs (a free port here, 5020 by default).
    assert.equal(Number(installed.find((n) => n.type === 'socomec-connection')?.port), demo.modbusPort);
    assert.equal(tabLabel(await runningFlow(demo)), 'DIRIS demo');
    await stopCleanly(demo);

    // What a deploy from the editor does: the flow file changes.
    fs.writeFileSync(flowFile, JSON.stringify(installed.map((n) => (n.type === 'tab' ? { ...n, label: 'my edits' } : n))));
    demo = await startDemoProcess({ userDir: userDir! });
    assert.match(demo.output(), /your edits are kept/);
    assert.equal(tabLabel(readFlow(flowFile)), 'my edits');
    assert.equal(tabLabel(await runningFlow(demo)), 'my edits');
    // The simulator got another free port this time: the demo says the kept flow points elsewhere.
    assert.match(demo.output(), new RegExp(`connection "DIRIS simulator" points at 127\\.0\\.0\\.1:\\d+, the simulator listens on port ${demo.modbusPort}`));
    await stopCleanly(demo);

    demo = await startDemoProcess({ userDir: userDir!, args: ['--reset'] });
    assert.match(demo.output(), /Flow: copied examples\/demo\.json/);
    assert.equal(tabLabel(readFlow(flowFile)), 'DIRIS demo');
    assert.equal(tabLabel(readFlow(`${flowFile}.before-reset`)), 'my edits');
    assert.equal(tabLabel(await runningFlow(demo)), 'DIRIS demo');
    await stopCleanly(demo);
  });

  it('--meter points the flow\'s connection at that meter and starts no simulator; a plain start points it back', async function () {
    const flowFile = path.join(userDir!, 'flows.json');
    // Nothing listens there: the demo must not care (the meter may be off), only point at it.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const meterPort = (blocker.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => blocker.close(() => resolve()));

    demo = await startDemoProcess({ userDir: userDir!, args: ['--meter', `tcp://127.0.0.1:${meterPort}`, '--unit', '7'] });
    assert.match(demo.output(), new RegExp(`Meter: Modbus TCP 127\\.0\\.0\\.1:${meterPort}, unit ids 7 \\(no simulator\\)`));
    assert.doesNotMatch(demo.output(), /DIRIS simulator: Modbus TCP/);
    const pointed = (await runningFlow(demo)).filter((n) => n.type === 'socomec-connection');
    assert.deepEqual(pointed.map((n) => [n.name, (n as { host?: string }).host, Number(n.port)]), [['DIRIS meter (--meter)', '127.0.0.1', meterPort]]);
    assert.equal(Number(readFlow(flowFile).find((n) => n.type === 'socomec-connection')?.port), meterPort);
    await demo.stop();

    demo = await startDemoProcess({ userDir: userDir! });
    assert.match(demo.output(), /talks to the simulator again/);
    const back = (await runningFlow(demo)).filter((n) => n.type === 'socomec-connection');
    assert.deepEqual(back.map((n) => [n.name, Number(n.port)]), [['DIRIS simulator', demo.modbusPort]]);
    await stopCleanly(demo);
  });

  it('loads this package and the dashboard into Node-RED from the user dir', async function () {
    demo = await startDemoProcess({ userDir: userDir! });
    const link = path.join(userDir!, 'node_modules', '@diris-tools', 'node-red-socomec');
    assert.equal(fs.realpathSync(link), fs.realpathSync(PROJECT_ROOT));
    assert.match(demo.output(), /Node set @diris-tools\/node-red-socomec \S+: socomec-connection, .*socomec-alarm-status/);
    assert.match(demo.output(), /Node set @flowfuse\/node-red-dashboard \S+: \d+ node types/);
    // The editor's node list: what the palette is built from.
    const response = await fetch(`${demo.editorUrl}nodes`, { headers: { Accept: 'application/json' } });
    const sets = (await response.json()) as { module: string; types: string[]; enabled: boolean }[];
    const types = sets.filter((s) => s.module === '@diris-tools/node-red-socomec' && s.enabled).flatMap((s) => s.types);
    assert.deepEqual(types.sort(), [
      'socomec-alarm-status',
      'socomec-connection',
      'socomec-mqtt',
      'socomec-read-identity',
      'socomec-read-measurements',
      'socomec-reset',
      'socomec-write-settings',
    ]);
    assert.ok(sets.some((s) => s.module === '@flowfuse/node-red-dashboard' && s.types.includes('ui-gauge')));
    await stopCleanly(demo);
  });

  it('says which port is taken when the Modbus port is in use, and exits with code 1', async function () {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startDemoProcess({ userDir: userDir!, modbusPort: taken }), (err: Error) => {
        assert.match(err.message, /exited \(code 1/);
        assert.match(err.message, new RegExp(`Modbus port 127\\.0\\.0\\.1:${taken} is already in use`));
        return true;
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
