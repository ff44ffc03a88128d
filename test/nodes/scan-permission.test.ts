/**
 * The scan endpoint under Node-RED's adminAuth, in a real Node-RED of its own (a child
 * process: the runtime is one per process): it opens connections from the Node-RED host,
 * so it takes the connection's write permission; reading the counters takes read only.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { within } from '../helpers/node-red';

const NODES_DIR = path.join(__dirname, '..', '..', '..', 'nodes');

/** A Node-RED with adminAuth (users: reader with 'read', writer with 'read' and the connection's write) and our nodes. */
const RUNTIME = `
const http = require('node:http');
const bcrypt = require(${JSON.stringify(require.resolve('bcryptjs'))});
const RED = require(${JSON.stringify(require.resolve('node-red'))});
const [userDir, nodesDir] = process.argv.slice(1);
const hash = bcrypt.hashSync('secret', 4);
const server = http.createServer();
RED.init(server, {
  userDir, flowFile: 'flows.json', httpAdminRoot: '/', nodesDir: [nodesDir], credentialSecret: false,
  logging: { console: { level: 'off' } }, telemetry: { enabled: false, updateNotification: false },
  adminAuth: { type: 'credentials', users: [
    { username: 'reader', password: hash, permissions: 'read' },
    { username: 'writer', password: hash, permissions: ['read', 'socomec-connection.write'] },
  ] },
});
server.on('request', RED.httpAdmin);
server.listen(0, '127.0.0.1', () => {
  RED.start().then(() => process.stdout.write('PORT ' + server.address().port + '\\n'));
});
process.on('SIGTERM', () => { RED.stop().then(() => { server.close(); process.exit(0); }); });
`;

/** A TCP peer that counts connections and never answers. */
async function countingPeer(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the scan endpoint under adminAuth, in a real Node-RED', function () {
  let child: ChildProcess | undefined;
  let userDir: string;
  let base: string;

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socomec-auth-'));
    const started = spawn(process.execPath, ['-e', RUNTIME, userDir, NODES_DIR], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stderr = '';
    started.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const port = await within<number>(20_000, 'Node-RED to start', (resolve, reject) => {
      let out = '';
      const onData = (text: string): void => {
        out += text;
        const match = /PORT (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      };
      const onExit = (code: number | null): void => reject(new Error(`Node-RED exited with ${code}: ${stderr}`));
      started.stdout!.setEncoding('utf8').on('data', onData);
      started.once('exit', onExit);
      return () => {
        started.stdout!.off('data', onData);
        started.off('exit', onExit);
      };
    });
    base = `http://127.0.0.1:${port}`;
  });

  after(async function () {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function tokenOf(username: string): Promise<string> {
    const res = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '', username, password: 'secret' }),
    });
    assert.equal(res.status, 200, `login of ${username}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function scan(token: string | undefined, body: unknown): Promise<{ status: number; text: string }> {
    const res = await fetch(`${base}/socomec-connection/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  it('refuses a scan without the connection\'s write permission, before connecting anywhere; lets the writer scan', async function () {
    const peer = await countingPeer();
    try {
      const body = { settings: { transport: 'tcp', host: '127.0.0.1', port: peer.port, timeoutMs: 200 }, unitIds: [5] };
      assert.equal((await scan(undefined, body)).status, 401, 'no login');
      const reader = await tokenOf('reader');
      assert.equal((await scan(reader, body)).status, 401, 'read permission only');
      assert.equal(peer.connections(), 0, 'a refused scan connects nowhere');
      const ports = await fetch(`${base}/socomec-connection/serialports`, { headers: { authorization: `Bearer ${reader}` } });
      assert.equal(ports.status, 200, 'reading the serial ports takes read permission');

      const writer = await tokenOf('writer');
      const answer = await scan(writer, body);
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual((JSON.parse(answer.text) as { found: unknown[] }).found, []);
      assert.equal(peer.connections(), 1, 'the writer\'s scan connected from the Node-RED host to the host and port given');
    } finally {
      await peer.close();
    }
  });
});
