import { EventEmitter } from 'node:events';
import { ModbusChannel, type ChannelOpener, type OperationReply } from './channel';
import { systemClock, type Clock } from './clock';
import { describeLink, linkAddress, normalizeLinkConfig } from './config';
import { LinkError } from './errors';
import { readOperation, writeManyOperation, writeOneOperation } from './operations';
import { RequestScheduler } from './scheduler';
import { ConnectionSupervisor } from './supervisor';
import type { LinkConfig, LinkDiagnostics, LinkEvents, LinkState, LinkStats, NormalizedLinkConfig, RequestOptions, UnitHealth } from './types';

/** How a link meets time and the line; both default to the real ones. */
export interface LinkOptions {
  /** Time for every timeout, deadline, backoff and pause (default: the wall clock). */
  clock?: Clock;
  /** Opens the line (default: a socket or serial port with our own Modbus clients). */
  openChannel?: ChannelOpener;
}

/**
 * One Modbus client link (TCP, RTU serial or RTU over a TCP gateway) shared by many users.
 * Exactly one request is on the wire at a time; waiting requests sit in a bounded fair
 * queue; a lost link reconnects by itself with backoff; a unit id that stops answering is
 * backed off alone. Emits 'state' (state: LinkState, detail?: string).
 *
 * A facade over two parts: the request scheduler (queue, deadlines, unit health, attempts)
 * and the connection supervisor (open, lost, reconnect backoff, state events).
 */
export class ModbusLink extends EventEmitter<LinkEvents> {
  readonly config: NormalizedLinkConfig;
  /** e.g. "tcp 127.0.0.1:502" */
  readonly description: string;
  private readonly stats_: LinkStats = { requests: 0, errors: 0, timeouts: 0, reconnects: 0 };
  private readonly scheduler: RequestScheduler;
  private readonly supervisor: ConnectionSupervisor;
  private closing?: Promise<void>;

  constructor(config: LinkConfig, options: LinkOptions = {}) {
    super();
    this.config = normalizeLinkConfig(config);
    this.description = describeLink(this.config);
    const address = linkAddress(this.config);
    const clock = options.clock ?? systemClock;
    const openChannel = options.openChannel ?? ((cfg, clk) => ModbusChannel.open(cfg, clk));
    this.supervisor = new ConnectionSupervisor(this.config, address, openChannel, clock, this.stats_, {
      state: (state, detail, reason) => this.emit('state', state, detail, reason),
      opened: () => this.scheduler.lineOpened(),
      connected: () => this.scheduler.lineUp(),
      down: () => this.scheduler.lineDown(),
    });
    this.scheduler = new RequestScheduler(this.config, this.description, address, this.supervisor, clock, this.stats_);
  }

  get state(): LinkState {
    return this.supervisor.state;
  }

  /** Live counters: requests accepted, requests failed, attempts timed out, reconnects after a loss. */
  get stats(): Readonly<LinkStats> {
    return this.stats_;
  }

  health(unitId: number): UnitHealth {
    return this.scheduler.health(unitId);
  }

  /** Function 3: `count` registers from `address`. */
  readHoldingRegisters(unitId: number, address: number, count: number, opts?: RequestOptions): Promise<number[]> {
    return this.scheduler
      .submit(() => readOperation(unitId, address, count), opts)
      .then((reply: OperationReply | undefined) => (reply && reply.fn === 3 ? reply.values : []));
  }

  /** Function 6: one register. Unit id 0 broadcasts and resolves once sent. */
  writeRegister(unitId: number, address: number, value: number, opts?: RequestOptions): Promise<void> {
    return this.scheduler.submit(() => writeOneOperation(unitId, address, value), { priority: 'high', ...opts }).then(() => undefined);
  }

  /** Function 16: consecutive registers. Unit id 0 broadcasts and resolves once sent. */
  writeRegisters(unitId: number, address: number, values: number[], opts?: RequestOptions): Promise<void> {
    return this.scheduler.submit(() => writeManyOperation(unitId, address, values), { priority: 'high', ...opts }).then(() => undefined);
  }

  /** Close now: every waiting request fails with kind 'closed', the socket or port is released, no timer is left. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.scheduler.close(new LinkError('closed', { code: 'linkClosed', link: this.description }));
    this.closing = this.supervisor.close();
    return this.closing;
  }

  /** What the link holds right now (queue, listeners, timers), for diagnostics and leak tests. */
  diagnostics(): LinkDiagnostics {
    return {
      queued: this.scheduler.queued,
      inFlight: this.scheduler.busy,
      listeners: this.supervisor.listeners,
      unitsTracked: this.scheduler.unitsTracked,
      timers: this.scheduler.timers + this.supervisor.timers,
    };
  }
}
