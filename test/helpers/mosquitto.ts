/**
 * Debian's mosquitto for tests: started on a free loopback port with a config file of its
 * own in a temp dir (optionally bridged to other brokers, with persistence), awaited until
 * it says it is running, and stopped (SIGTERM, then SIGKILL) by the test's after().
 * Plus a small subscriber on the `mqtt` test client that records what it receives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { within } from './node-red';

export const MOSQUITTO_PATH = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p)) ?? 'mosquitto';

/** A free TCP port on loopback (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface BridgeConfig {
  name: string;
  /** The remote broker's port on loopback. */
  port: number;
  /** mosquitto `topic` lines: "socomec/# out 1". */
  topics: string[];
}

export interface MosquittoOptions {
  port?: number;
  /** Keep sessions and queued messages across a restart (a db file in the broker's dir). */
  persistence?: boolean;
  bridges?: BridgeConfig[];
}

export class Mosquitto {
  private child?: ChildProcess;
  private log = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly configPath: string,
  ) {}

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    const port = options.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'socomec-mosquitto-'));
    const lines = [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      `persistence ${options.persistence === true ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      'max_queued_messages 10000',
    ];
    for (const bridge of options.bridges ?? []) {
      // QoS 1 with a persistent session on the remote: what the site queues while the central broker is away arrives later.
      lines.push(
        '',
        `connection ${bridge.name}`,
        `address 127.0.0.1:${bridge.port}`,
        `remote_clientid ${bridge.name}`,
        'cleansession false',
        'bridge_protocol_version mqttv311',
        'try_private true',
        'restart_timeout 1 2',
        'keepalive_interval 5',
        ...bridge.topics.map((t) => `topic ${t}`),
      );
    }
    const configPath = join(dir, 'mosquitto.conf');
    writeFileSync(configPath, `${lines.join('\n')}\n`);
    const broker = new Mosquitto(port, dir, configPath);
    await broker.run();
    return broker;
  }

  /** Start (again, on the same port and config). Resolves when it says it is running. */
  async run(): Promise<void> {
    if (this.child !== undefined) throw new Error(`mosquitto on ${this.port} is already running`);
    const child = spawn(MOSQUITTO_PATH, ['-c', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.log = '';
    await within<void>(5000, `mosquitto running on port ${this.port}`, (resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        this.log += chunk.toString();
        if (/running/.test(this.log)) resolve();
      };
      const onExit = (code: number | null): void => reject(new Error(`mosquitto exited (${code}) on port ${this.port}: ${this.log.slice(-500)}`));
      const onError = (err: Error): void => reject(new Error(`cannot start ${MOSQUITTO_PATH}: ${err.message} (install Debian's mosquitto)`));
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
      return () => {
        child.removeListener('exit', onExit);
        child.removeListener('error', onError);
      };
    });
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
  }

  /** What the broker logged (for a failing test's message). */
  get output(): string {
    return this.log;
  }

  /** Stop the broker (SIGTERM: it saves its persistence db); SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) {
      this.child = undefined;
      return;
    }
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
    this.child = undefined;
  }

  /** Stop and remove the temp dir. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
  /** Order of arrival. */
  seq: number;
  at: number;
}

/** A subscriber that records every message it receives and lets a test await one. */
export class Recorder {
  readonly messages: Received[] = [];
  private waiters = new Set<() => void>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, qos: packet.qos, seq: this.messages.length, at: Date.now() });
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async connect(port: number, topics: string[], options: IClientOptions = {}): Promise<Recorder> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200, connectTimeout: 5000, ...options });
    const recorder = new Recorder(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return recorder;
  }

  /** The first recorded message (from `from` on) that matches, waiting for it if need be. */
  waitFor(accept: (m: Received) => boolean, what: string, timeoutMs = 10_000, from = 0): Promise<Received> {
    const found = this.messages.slice(from).find(accept);
    if (found !== undefined) return Promise.resolve(found);
    return within(timeoutMs, what, (resolve) => {
      const wake = (): void => {
        const m = this.messages.slice(from).find(accept);
        if (m !== undefined) resolve(m);
      };
      this.waiters.add(wake);
      return () => this.waiters.delete(wake);
    });
  }

  /** Wait until `check` over the recorded messages returns a value (re-checked on each message). */
  waitUntil<T>(check: (messages: Received[]) => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
    const now = check(this.messages);
    if (now !== undefined) return Promise.resolve(now);
    return within(timeoutMs, what, (resolve) => {
      const wake = (): void => {
        const value = check(this.messages);
        if (value !== undefined) resolve(value);
      };
      this.waiters.add(wake);
      return () => this.waiters.delete(wake);
    });
  }

  /** Messages recorded from `from` on that match. */
  since(from: number, accept: (m: Received) => boolean = () => true): Received[] {
    return this.messages.slice(from).filter(accept);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
