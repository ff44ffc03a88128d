/** The parent side of bench/sim-child.ts: start simulators in a child process and steer them. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SimulatorOptions } from '../src/simulator';
import type { SimReply, SimRequest } from './sim-child';
import { withTimeout } from './stats';

/** A request without its id (the id is added when sent); distributes over the union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Command = WithoutId<SimRequest>;

const REPLY_TIMEOUT_MS = 15_000;

/**
 * The simulated meters of the Modbus TCP sections recompute their values once a second, as a
 * meter refreshing its display does, rather than on every read: thousands of reads a second
 * would otherwise measure the simulator (it shares the machine's two cores) instead of the client.
 */
export const SIM_METER = { refreshMs: 1000 };

export class SimulatorProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (reply: SimReply) => void>();
  private nextId = 1;
  private readonly exited: Promise<void>;

  constructor() {
    this.child = fork(path.join(__dirname, 'sim-child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (reply: SimReply) => {
      const settle = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      settle?.(reply);
    });
  }

  /** Start a simulator in the child; returns its key (for faults) and TCP port (0 for rtu). */
  async start(options: SimulatorOptions): Promise<{ key: number; port: number }> {
    const reply = await this.send({ cmd: 'start', options });
    return { key: reply.key ?? 0, port: reply.port ?? 0 };
  }

  /** Make exactly these unit ids silent (an empty list: all answer). */
  async setSilent(key: number, unitIds: number[]): Promise<void> {
    await this.send({ cmd: 'silent', key, unitIds });
  }

  /** Close one simulator (its port or serial device is released). */
  async stop(key: number): Promise<void> {
    await this.send({ cmd: 'close', key });
  }

  /** Close every simulator and end the child. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) {
      try {
        await this.send({ cmd: 'closeAll' });
      } catch {
        // The child is ended below in any case.
      }
      this.child.disconnect();
    }
    const stopped = await withTimeout(this.exited, 5000, 'simulator child exit').then(
      () => true,
      () => false,
    );
    if (!stopped) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private send(command: Command): Promise<Extract<SimReply, { ok: true }>> {
    const id = this.nextId++;
    const reply = new Promise<SimReply>((resolve) => this.waiting.set(id, resolve));
    this.child.send({ ...command, id } as SimRequest);
    return withTimeout(reply, REPLY_TIMEOUT_MS, `simulator ${command.cmd}`).then((r) => {
      if (!r.ok) throw new Error(`simulator ${command.cmd}: ${r.error}`);
      return r;
    });
  }
}
