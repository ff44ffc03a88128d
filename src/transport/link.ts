import { EventEmitter } from 'node:events';
import { ModbusChannel, type OperationReply } from './channel';
import { describeLink, linkAddress, normalizeLinkConfig } from './config';
import { classifyError, LinkError } from './errors';
import { FairQueue, type Queueable } from './fair-queue';
import { BROADCAST_UNIT_ID } from '../modbus/limits';
import {
  checkUnitId,
  readOperation,
  writeManyOperation,
  writeOneOperation,
  type ModbusOperation,
} from './operations';
import type {
  LinkConfig,
  LinkDiagnostics,
  LinkEvents,
  LinkState,
  LinkStats,
  NormalizedLinkConfig,
  RequestOptions,
  UnitHealth,
} from './types';
import { UnitHealthBook } from './unit-health';

/** Nobody answers a broadcast; RTU slaves need this long to act on it before the next request. */
const BROADCAST_TURNAROUND_MS = 100;
const DEFAULT_SOURCE = 'default';

/** Said with a timeout while no unit has ever answered on the line: the usual cause per transport. */
const FRAMING_HINTS: Readonly<Record<LinkConfig['transport'], string>> = {
  tcp: "nothing has answered on this link yet: if the device is a transparent serial gateway (raw RTU frames), choose 'RTU over TCP'; else check the unit id",
  'rtu-over-tcp': "nothing has answered on this link yet: if the device speaks Modbus TCP (most meters and gateways with a Modbus TCP port), choose 'TCP'; else check the gateway's serial settings and the unit id",
  rtu: 'nothing has answered on this line yet: check baud rate, parity, A/B wiring and the unit id',
};

interface PendingRequest extends Queueable {
  readonly op: ModbusOperation;
  /** When it last joined the queue (first submit, or back for a retry). */
  enqueuedAt: number;
  /** Matches the newest of its entries in the deadline line; older entries are stale. */
  stamp: number;
  attemptsMade: number;
  readonly retries: number;
  isProbe: boolean;
  settled: boolean;
  readonly resolve: (reply: OperationReply | undefined) => void;
  readonly reject: (err: LinkError) => void;
}

/** What is wrong with a reply that passed modbus-serial's checks, or undefined if it fits the request. */
function replyMismatch(op: ModbusOperation, reply: OperationReply | undefined): string | undefined {
  if (!reply || reply.fn !== op.fn) return 'reply does not match the request function';
  if (op.fn === 3 && reply.fn === 3) {
    if (reply.values.length !== op.count) return `reply carries ${reply.values.length} registers, expected ${op.count}`;
    return undefined;
  }
  if (op.fn === 6 && reply.fn === 6) {
    if (reply.address !== op.address || reply.value !== op.value) {
      return `reply echoes address ${reply.address} value ${reply.value}, expected ${op.address} value ${op.value}`;
    }
    return undefined;
  }
  if (op.fn === 16 && reply.fn === 16) {
    if (reply.address !== op.address || reply.length !== op.values.length) {
      return `reply echoes address ${reply.address} count ${reply.length}, expected ${op.address} count ${op.values.length}`;
    }
  }
  return undefined;
}

/**
 * One Modbus client link (TCP, RTU serial or RTU over a TCP gateway) shared by many users.
 * Exactly one request is on the wire at a time; waiting requests sit in a bounded fair
 * queue; a lost link reconnects by itself with backoff; a unit id that stops answering is
 * backed off alone. Emits 'state' (state: LinkState, detail?: string).
 */
export class ModbusLink extends EventEmitter<LinkEvents> {
  readonly config: NormalizedLinkConfig;
  /** e.g. "tcp 127.0.0.1:502" */
  readonly description: string;
  private readonly address: string;
  private readonly stats_: LinkStats = { requests: 0, errors: 0, timeouts: 0, reconnects: 0 };
  private state_: LinkState = 'idle';
  private readonly queue: FairQueue<PendingRequest>;
  private readonly units: UnitHealthBook;
  private readonly users = new Set<string>();

  private channel?: ModbusChannel;
  private opening?: Promise<ModbusChannel>;
  private inFlight?: PendingRequest;
  private pumping = false;
  private closed = false;
  private closing?: Promise<void>;
  private everConnected = false;
  private reconnectDelayMs: number;
  /** Epoch ms since when the link has been unusable (0 while connected). */
  private downSince = 0;
  private lastLinkError?: string;
  /** Some unit has answered (values, an exception, even a damaged frame) since the link was created. */
  private answeredOnThisLine = false;
  /** No request may be sent before this (inter-request delay, broadcast turnaround). */
  private nextSendAt = 0;
  /** The last attempt timed out or got a bad reply: wait for a quiet line first. */
  private needQuiet = false;

  private reconnectTimer?: NodeJS.Timeout;
  private expiryTimer?: NodeJS.Timeout;
  private expiryAt = Infinity;
  /**
   * Queued requests in the order they joined the queue. Their deadlines only grow along
   * this line, so expiring is looking at its head: O(1) amortised per request.
   */
  private deadlineLine: Array<{ req: PendingRequest; stamp: number }> = [];
  private deadlineHead = 0;
  private stamps = 0;
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  constructor(config: LinkConfig) {
    super();
    this.config = normalizeLinkConfig(config);
    this.description = describeLink(this.config);
    this.address = linkAddress(this.config);
    this.queue = new FairQueue<PendingRequest>(this.config.queueLimit);
    this.units = new UnitHealthBook({
      failuresBeforeBackoff: this.config.unitBackoffAfter,
      initialMs: this.config.unitBackoffInitialMs,
      maxMs: this.config.unitBackoffMaxMs,
    });
    this.reconnectDelayMs = this.config.reconnectInitialMs;
  }

  get state(): LinkState {
    return this.state_;
  }

  /** Live counters: requests accepted, requests failed, attempts timed out, reconnects after a loss. */
  get stats(): Readonly<LinkStats> {
    return this.stats_;
  }

  health(unitId: number): UnitHealth {
    return this.units.snapshot(checkUnitId(unitId, true));
  }

  /** Function 3: `count` registers from `address`. */
  readHoldingRegisters(unitId: number, address: number, count: number, opts?: RequestOptions): Promise<number[]> {
    return this.submit(() => readOperation(unitId, address, count), opts).then((reply) =>
      reply && reply.fn === 3 ? reply.values : [],
    );
  }

  /** Function 6: one register. Unit id 0 broadcasts and resolves once sent. */
  writeRegister(unitId: number, address: number, value: number, opts?: RequestOptions): Promise<void> {
    return this.submit(() => writeOneOperation(unitId, address, value), { priority: 'high', ...opts }).then(() => undefined);
  }

  /** Function 16: consecutive registers. Unit id 0 broadcasts and resolves once sent. */
  writeRegisters(unitId: number, address: number, values: number[], opts?: RequestOptions): Promise<void> {
    return this.submit(() => writeManyOperation(unitId, address, values), { priority: 'high', ...opts }).then(() => undefined);
  }

  /** Register a user (e.g. a flow node); the link stays open while it has users. */
  attach(userId: string): void {
    if (this.closed) throw new LinkError('closed', `link ${this.description} is closed; create a new one`);
    this.users.add(userId);
  }

  /** Unregister a user; when the last one leaves the link closes. */
  detach(userId: string): Promise<void> {
    this.users.delete(userId);
    return this.users.size === 0 ? this.close() : Promise.resolve();
  }

  /** Close now: every waiting request fails with kind 'closed', the socket or port is released, no timer is left. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.clearTimers();
    const error = new LinkError('closed', `link ${this.description} was closed`);
    for (const req of this.queue.removeWhere(() => true)) this.fail(req, error);
    if (this.inFlight) this.fail(this.inFlight, error);
    const channel = this.channel;
    this.channel = undefined;
    const opening = this.opening;
    this.setState('closed');
    this.closing = Promise.all([
      channel?.release(),
      opening?.then(
        (late) => late.release(),
        () => undefined,
      ),
    ]).then(() => undefined);
    return this.closing;
  }

  /** What the link holds right now (queue, listeners, timers), for diagnostics and leak tests. */
  diagnostics(): LinkDiagnostics {
    const timers = [this.reconnectTimer, this.expiryTimer].filter((t) => t !== undefined).length;
    return {
      queued: this.queue.size,
      inFlight: this.inFlight !== undefined,
      listeners: this.channel?.listenerCount() ?? 0,
      unitsTracked: this.units.size,
      timers: timers + this.sleepers.size,
    };
  }

  // ---- queueing -------------------------------------------------------------------------

  private submit(build: () => ModbusOperation, opts: RequestOptions | undefined): Promise<OperationReply | undefined> {
    let op: ModbusOperation;
    let source: string;
    let priority: 'normal' | 'high';
    try {
      op = build();
      source = opts?.source ?? DEFAULT_SOURCE;
      if (typeof source !== 'string') throw new LinkError('input', `source must be a string, got ${typeof source}`);
      priority = opts?.priority ?? 'normal';
      if (priority !== 'normal' && priority !== 'high') {
        throw new LinkError('input', `priority must be 'normal' or 'high', got ${String(priority)}`);
      }
      if (opts?.retries !== undefined && !(Number.isInteger(opts.retries) && opts.retries >= 0 && opts.retries <= 10)) {
        throw new LinkError('input', `retries must be an integer 0..10, got ${String(opts.retries)}`);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.closed) {
      return Promise.reject(new LinkError('closed', `link ${this.description} is closed`, { unitId: op.unitId }));
    }
    this.stats_.requests++;
    const now = Date.now();
    const admission = this.units.admit(op.unitId, now, false);
    if (!admission.send) {
      const err = this.backoffError(op.unitId, admission.until, admission.probeWaiting);
      this.countFailure(err);
      return Promise.reject(err);
    }
    return new Promise<OperationReply | undefined>((resolve, reject) => {
      const req: PendingRequest = {
        op,
        source,
        priority,
        enqueuedAt: now,
        stamp: 0,
        attemptsMade: 0,
        retries: opts?.retries ?? this.config.retries,
        isProbe: admission.probe,
        settled: false,
        resolve,
        reject,
      };
      if (!this.enqueue(req, false)) {
        this.fail(
          req,
          new LinkError(
            'queue-full',
            `queue full on ${this.description}: ${this.queue.limit} requests already waiting (queueLimit ${this.queue.limit})`,
            { unitId: op.unitId },
          ),
        );
        return;
      }
      this.kick();
    });
  }

  private backoffError(unitId: number, until: number, probeWaiting: boolean): LinkError {
    const why = probeWaiting
      ? 'a probe request is checking whether it answers again'
      : `after ${this.config.unitBackoffAfter} or more requests without an answer`;
    return new LinkError(
      'backoff',
      `unit ${unitId}: not asked until ${new Date(until).toISOString()} (${why})`,
      { unitId },
    );
  }

  /** Start sending, or start opening the link. */
  private kick(): void {
    if (this.closed) return;
    if (!this.channel) {
      this.ensureOpen();
      return;
    }
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.closed && this.channel && this.queue.size > 0) {
        const now = Date.now();
        const req = this.queue.take();
        if (!req) break;
        const admission = this.units.admit(req.op.unitId, now, req.isProbe);
        if (!admission.send) {
          this.fail(req, this.backoffError(req.op.unitId, admission.until, admission.probeWaiting));
          continue;
        }
        req.isProbe = admission.probe;
        this.inFlight = req;
        try {
          await this.attempt(req);
        } finally {
          this.inFlight = undefined;
        }
      }
    } catch (err) {
      // attempt() handles every failure; this is only a guard so nothing escapes as an unhandled rejection.
      this.stats_.lastError = `internal: ${String(err)}`;
    } finally {
      this.pumping = false;
    }
    if (this.queue.size === 0 && this.expiryTimer) {
      clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.expiryAt = Infinity;
    }
    if (!this.closed && this.queue.size > 0 && !this.channel) this.kick();
  }

  /** One attempt of `req`: send, then settle it, or queue it again for a retry. Never throws. */
  private async attempt(req: PendingRequest): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    await this.waitBeforeSend(channel);
    if (this.closed || req.settled) return;
    if (this.channel !== channel || !channel.isOpen) {
      // The line went away while we waited: wait for the reconnect like any queued request.
      this.enqueue(req, true);
      return;
    }
    const { op } = req;
    const { timeoutMs } = this.config;
    req.attemptsMade++;

    if (op.unitId === BROADCAST_UNIT_ID) {
      try {
        channel.sendBroadcast(op);
        this.succeed(req, undefined);
      } catch (err) {
        this.fail(req, this.classify(err, req));
      }
      this.nextSendAt = Date.now() + Math.max(this.config.interRequestDelayMs, BROADCAST_TURNAROUND_MS);
      return;
    }

    let reply: OperationReply | undefined;
    let failure: unknown;
    try {
      reply = await channel.send(op, timeoutMs);
      const mismatch = replyMismatch(op, reply);
      if (mismatch) failure = new LinkError('framing', `unit ${op.unitId}: bad reply: ${mismatch}`, { unitId: op.unitId });
    } catch (err) {
      failure = err;
    }
    const now = Date.now();
    this.nextSendAt = now + this.config.interRequestDelayMs;
    if (this.closed || req.settled) return;

    if (failure === undefined) {
      this.answeredOnThisLine = true;
      this.units.recordAnswer(op.unitId, now);
      this.succeed(req, reply);
      return;
    }

    const error = this.classify(failure, req);
    switch (error.kind) {
      case 'timeout':
        this.stats_.timeouts++;
        this.needQuiet = true;
        if (req.attemptsMade <= req.retries && !req.isProbe) {
          // Back into the queue, behind what waits now: other unit ids get the line between attempts.
          this.enqueue(req, true);
          return;
        }
        this.units.recordNoAnswer(op.unitId, now, error.message);
        break;
      case 'framing':
        this.answeredOnThisLine = true;
        this.needQuiet = true;
        this.units.recordAnswer(op.unitId, now, error.message);
        break;
      case 'exception':
        this.answeredOnThisLine = true;
        this.units.recordAnswer(op.unitId, now, error.message);
        break;
      default:
        break;
    }
    this.fail(req, error);
  }

  /** Inter-request delay, then (after a timeout or a bad reply) a quiet line and an empty buffer. */
  private async waitBeforeSend(channel: ModbusChannel): Promise<void> {
    const delay = this.nextSendAt - Date.now();
    if (delay > 0) await this.sleep(delay);
    if (!this.needQuiet) return;
    const guard = this.config.quietGuardMs;
    // A line that never goes quiet (a chattering device) must not block us forever:
    // give up after one timeout; replies are still checked against their request.
    const giveUpAt = Date.now() + this.config.timeoutMs;
    while (!this.closed && channel.isOpen) {
      const now = Date.now();
      const quietFor = now - channel.lastByteAt;
      if (quietFor >= guard || now >= giveUpAt) break;
      await this.sleep(Math.min(guard - quietFor, giveUpAt - now));
    }
    this.needQuiet = false;
    channel.discardReceived();
  }

  private classify(err: unknown, req: PendingRequest): LinkError {
    const error = classifyError(err, {
      link: this.address,
      unitId: req.op.unitId,
      address: req.op.address,
      timeoutMs: this.config.timeoutMs,
      attempts: req.attemptsMade,
    });
    if (error.kind !== 'timeout' || this.answeredOnThisLine) return error;
    // Nothing has ever answered on this line: most often the framing does not fit the device.
    return new LinkError('timeout', `${error.message}; ${FRAMING_HINTS[this.config.transport]}`, { unitId: error.unitId, cause: err });
  }

  private succeed(req: PendingRequest, reply: OperationReply | undefined): void {
    if (req.settled) return;
    req.settled = true;
    req.resolve(reply);
  }

  private fail(req: PendingRequest, error: LinkError): void {
    if (req.settled) return;
    req.settled = true;
    if (req.isProbe && error.kind !== 'timeout') this.units.recordNotSent(req.op.unitId);
    this.countFailure(error);
    req.reject(error);
  }

  private countFailure(error: LinkError): void {
    this.stats_.errors++;
    this.stats_.lastError = error.message;
    this.stats_.lastErrorAt = Date.now();
  }

  // ---- the connection -------------------------------------------------------------------

  private ensureOpen(): void {
    if (this.closed || this.channel || this.opening || this.reconnectTimer) return;
    void this.openNow();
  }

  private async openNow(): Promise<void> {
    if (this.downSince === 0) this.downSince = Date.now();
    this.setState(this.everConnected || this.lastLinkError !== undefined ? 'reconnecting' : 'connecting');
    const opening = ModbusChannel.open(this.config);
    this.opening = opening;
    let channel: ModbusChannel;
    try {
      channel = await opening;
    } catch (err) {
      this.opening = undefined;
      if (!this.closed) this.linkDown(classifyError(err, { link: this.address }).message);
      return;
    }
    this.opening = undefined;
    if (this.closed) {
      await channel.release();
      return;
    }
    this.channel = channel;
    channel.onLost((reason) => this.onChannelLost(channel, reason));
    this.reconnectDelayMs = this.config.reconnectInitialMs;
    if (this.everConnected) this.stats_.reconnects++;
    this.everConnected = true;
    this.downSince = 0;
    this.lastLinkError = undefined;
    this.nextSendAt = 0;
    this.needQuiet = false;
    this.setState('connected');
    this.kick();
  }

  private onChannelLost(channel: ModbusChannel, reason: string): void {
    if (this.channel !== channel || this.closed) return;
    this.channel = undefined;
    void channel.release();
    this.linkDown(`link to ${this.address} is down: ${reason}`);
  }

  private linkDown(message: string): void {
    if (this.downSince === 0) this.downSince = Date.now();
    this.lastLinkError = message;
    this.setState('reconnecting', message);
    this.scheduleReconnect();
    this.expireWaiting();

  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, this.config.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed && !this.channel && !this.opening) void this.openNow();
    }, delay);
  }

  /** Into the fair queue and at the back of the deadline line; false when the queue is full. */
  private enqueue(req: PendingRequest, force: boolean): boolean {
    if (!this.queue.push(req, force)) return false;
    req.enqueuedAt = Date.now();
    req.stamp = ++this.stamps;
    this.deadlineLine.push({ req, stamp: req.stamp });
    this.scheduleExpiry();
    return true;
  }

  /**
   * When a queued request fails unsent: `queueTimeoutMs` after it joined the queue, or,
   * while the link is down, one timeout after the later of joining and the link going down.
   */
  private deadlineOf(req: PendingRequest): number {
    const queued = req.enqueuedAt + this.config.queueTimeoutMs;
    if (this.channel || this.downSince === 0) return queued;
    return Math.min(queued, Math.max(req.enqueuedAt, this.downSince) + this.config.timeoutMs);
  }

  /** The oldest entry of the deadline line that still waits in the queue, dropping stale ones. */
  private oldestWaiting(): PendingRequest | undefined {
    const line = this.deadlineLine;
    while (this.deadlineHead < line.length) {
      const { req, stamp } = line[this.deadlineHead];
      if (req.stamp === stamp && !req.settled && this.queue.has(req)) return req;
      this.deadlineHead++;
    }
    return undefined;
  }

  /** Fail every queued request past its deadline, then arm one timer for the next deadline. */
  private expireWaiting(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryAt = Infinity;
    if (this.closed) return;
    const now = Date.now();
    for (let req = this.oldestWaiting(); req; req = this.oldestWaiting()) {
      if (this.deadlineOf(req) > now) break;
      this.deadlineHead++;
      this.queue.remove(req);
      this.fail(req, this.expiryError(req, now));
    }
    if (this.deadlineHead > 1024 && this.deadlineHead * 2 > this.deadlineLine.length) {
      this.deadlineLine = this.deadlineLine.slice(this.deadlineHead);
      this.deadlineHead = 0;
    }
    this.scheduleExpiry();
  }

  /** Arm the expiry timer for the oldest waiting request, unless one is armed as early already. */
  private scheduleExpiry(): void {
    const oldest = this.oldestWaiting();
    if (!oldest || this.closed) return;
    const at = this.deadlineOf(oldest);
    if (this.expiryTimer && this.expiryAt <= at) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryAt = at;
    this.expiryTimer = setTimeout(() => this.expireWaiting(), Math.max(1, at - Date.now()));
  }

  private expiryError(req: PendingRequest, now: number): LinkError {
    const unitId = req.op.unitId;
    if (!this.channel && this.downSince !== 0 && now >= Math.max(req.enqueuedAt, this.downSince) + this.config.timeoutMs) {
      return new LinkError('link', this.lastLinkError ?? `link to ${this.address} is down: still opening`, { unitId });
    }
    return new LinkError(
      'queue-timeout',
      `unit ${unitId}: not sent within ${this.config.queueTimeoutMs} ms (queueTimeoutMs): ${this.description} carries more requests than it can serve`,
      { unitId },
    );
  }

  // ---- small helpers --------------------------------------------------------------------

  private setState(state: LinkState, detail?: string): void {
    if (this.state_ === state && detail === undefined) return;
    this.state_ = state;
    try {
      this.emit('state', state, detail);
    } catch {
      // A listener's bug must not break the link (this may run inside a socket callback).
    }
  }

  /** A timer the link can cancel on close(); resolves (never rejects) when it ends or is cancelled. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }

  private clearTimers(): void {
    for (const timer of [this.reconnectTimer, this.expiryTimer]) {
      if (timer) clearTimeout(timer);
    }
    this.reconnectTimer = this.expiryTimer = undefined;
    this.expiryAt = Infinity;
    for (const [timer, resolve] of this.sleepers) {
      clearTimeout(timer);
      resolve();
    }
    this.sleepers.clear();
  }
}
