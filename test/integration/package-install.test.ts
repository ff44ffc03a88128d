/**
 * What a newcomer does before the package is on a registry: `npm pack`, then
 * `npm install ./<tarball>` in a fresh Node-RED user directory (as in ~/.node-red), then
 * start Node-RED. Checked through the admin API: the six node types load without error,
 * the icons are served, every example is listed and served, and the examples use only
 * node types this Node-RED has (the demo also needs @flowfuse/node-red-dashboard, and
 * says so).
 *
 * npm installs from its cache first (--prefer-offline): modbus-serial and serialport are
 * in it after the project's own install.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; 'node-red': { nodes: Record<string, string> } };
const NODE_RED = require.resolve('node-red/red.js', { paths: [ROOT] });
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Node-RED on the user dir and resolves once it serves; rejects with its output if it ends or stalls. */
function startNodeRed(userDir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [NODE_RED, '--userDir', userDir, '--port', String(port)], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => finish(new Error(`Node-RED did not start within 30 s\n${output}`)), 30_000);
    const finish = (err?: Error): void => {
      clearTimeout(deadline);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve({ child, output: () => output });
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (/Server now running at/.test(output)) finish();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => finish(new Error(`Node-RED exited with ${String(code)}\n${output}`)));
  });
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  assert.equal(response.status, 200, `GET ${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

describe('the packed tarball, installed into a fresh Node-RED user directory', function () {
  this.timeout(120_000);
  let tmp: string;
  let userDir: string;
  let nodeRed: { child: ChildProcess; output: () => string } | undefined;
  let base: string;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'diris-pack-'));
    userDir = path.join(tmp, 'node-red');
    fs.mkdirSync(userDir);
    // Built already (npm test builds first): pack without the prepack build.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT });
    const tarball = path.join(tmp, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: userDir });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    nodeRed = await startNodeRed(userDir, port);
  });

  after(async function () {
    if (nodeRed && nodeRed.child.exitCode === null && nodeRed.child.signalCode === null) {
      const ended = new Promise((resolve) => nodeRed!.child.once('exit', resolve));
      nodeRed.child.kill('SIGTERM');
      await ended;
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('installs the package from the tarball into the user dir, with serialport, its one (optional) dependency', function () {
    const installed = path.join(userDir, 'node_modules', ...PKG.name.split('/'));
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), 'a copy, not a link to the project');
    assert.equal((JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { version: string }).version, PKG.version);
    assert.ok(fs.existsSync(path.join(userDir, 'node_modules', 'serialport', 'package.json')));
    assert.ok(!fs.existsSync(path.join(userDir, 'node_modules', 'modbus-serial')), 'modbus-serial is only a development dependency');
    for (const doc of ['README.md', 'CHANGELOG.md', 'LICENSE', 'docs/register-reference.md']) {
      assert.ok(fs.existsSync(path.join(installed, doc)), `${doc} is in the package (the README links it)`);
    }
  });

  it('Node-RED loads all six node types from it, without errors', async function () {
    const sets = await getJson<{ module: string; version: string; types: string[]; enabled: boolean; err?: string }[]>(`${base}/nodes`);
    const ours = sets.filter((s) => s.module === PKG.name);
    assert.deepEqual(ours.flatMap((s) => s.types).sort(), Object.keys(PKG['node-red'].nodes).sort());
    for (const set of ours) {
      assert.equal(set.err ?? null, null, `${set.types.join(', ')}: ${String(set.err)}`);
      assert.equal(set.enabled, true);
      assert.equal(set.version, PKG.version);
    }
    assert.doesNotMatch(nodeRed!.output(), /\[error\]/);
  });

  it('serves the nodes\' icons', async function () {
    const icons = await getJson<Record<string, string[]>>(`${base}/icons`);
    const expected = fs.readdirSync(path.join(ROOT, 'icons')).sort();
    assert.deepEqual([...(icons[PKG.name] ?? [])].sort(), expected);
    for (const icon of expected) {
      const response = await fetch(`${base}/icons/${PKG.name}/${icon}`);
      assert.equal(response.status, 200, icon);
      await response.arrayBuffer();
    }
  });

  it('lists every example under Import > Examples and serves each, using only node types Node-RED has (the demo adds Dashboard 2.0)', async function () {
    const listed = await getJson<{ fn: string }[]>(`${base}/library/examples/flows/${PKG.name}/`);
    assert.deepEqual(listed.map((e) => e.fn).sort(), [...EXAMPLES].sort());
    const known = new Set((await getJson<{ types: string[] }[]>(`${base}/nodes`)).flatMap((s) => s.types));
    for (const name of EXAMPLES) {
      const flow = await getJson<{ type: string }[]>(`${base}/library/examples/flows/${PKG.name}/${name}`);
      const missing = [...new Set(flow.map((n) => n.type))].filter((t) => t !== 'tab' && !known.has(t));
      if (name === 'demo') assert.ok(missing.every((t) => t.startsWith('ui-')), `demo needs ${missing.join(', ')}`);
      else assert.deepEqual(missing, [], `${name} uses node types this Node-RED lacks`);
    }
  });
});
