/**
 * The request scheduler of a link: one request on the wire at a time, the rest in a
 * bounded fair queue with deadlines; per-unit health (a silent unit id is backed off
 * alone); attempts, retries and the pauses between requests. It asks the connection
 * supervisor for a line and knows nothing of how the line is opened or reopened.
 */
import { BROADCAST_UNIT_ID } from '../modbus/limits';
import type { LinkChannel, OperationReply } from './channel';
import type { Clock, ClockTimer } from './clock';
import { classifyError, LinkError } from './errors';
import type { ErrorReason } from './reasons';
import { FairQueue, type Queueable } from './fair-queue';
import { checkUnitId, type ModbusOperation } from './operations';
import type { LinkConfig, LinkStats, NormalizedLinkConfig, RequestOptions, UnitHealth } from './types';
import { UnitHealthBook } from './unit-health';

/** Nobody answers a broadcast; RTU slaves need this long to act on it before the next request. */
const BROADCAST_TURNAROUND_MS = 100;
const DEFAULT_SOURCE = 'default';

/** Said with a timeout while no unit has ever answered on the line: the usual cause per transport. */
/** The hint (a reason code) when nothing has ever answered on a line of this kind. */
const FRAMING_HINTS: Readonly<Record<LinkConfig['transport'], string>> = {
  tcp: 'hintTcp',
  'rtu-over-tcp': 'hintRtuOverTcp',
  rtu: 'hintRtu',
};

/** What the scheduler needs of the connection supervisor. */
export interface Line {
  /** The open line, if any. */
  readonly channel: LinkChannel | undefined;
  /** ms since the epoch since when the line has been unusable; 0 while it is up (or was never tried). */
  readonly downSince: number;
  /** Why the line is down, while it is. */
  readonly lastLinkReason: ErrorReason | undefined;
  /** Open the line (or let its reconnect run); the scheduler hears back through `lineUp`. */
  ensureOpen(): void;
}

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

/** What is wrong with a reply that passed the client's checks, or undefined if it fits the request. */
function replyMismatch(op: ModbusOperation, reply: OperationReply | undefined): ErrorReason | undefined {
  if (!reply || reply.fn !== op.fn) return { code: 'badReply', detail: 'reply does not match the request function' };
  if (op.fn === 3 && reply.fn === 3) {
    if (reply.values.length !== op.count) return { code: 'replyLength', got: reply.values.length, expected: op.count };
    return undefined;
  }
  if (op.fn === 6 && reply.fn === 6) {
    if (reply.address !== op.address || reply.value !== op.value) {
      return { code: 'badReply', detail: `reply echoes address ${reply.address} value ${reply.value}, expected ${op.address} value ${op.value}` };
    }
    return undefined;
  }
  if (op.fn === 16 && reply.fn === 16) {
    if (reply.address !== op.address || reply.length !== op.values.length) {
      return { code: 'badReply', detail: `reply echoes address ${reply.address} count ${reply.length}, expected ${op.address} count ${op.values.length}` };
    }
  }
  return undefined;
}

export class RequestScheduler {
  private readonly queue: FairQueue<PendingRequest>;
  private readonly units: UnitHealthBook;
  private inFlight?: PendingRequest;
  private pumping = false;
  private closed = false;
  /** Some unit has answered (values, an exception, even a damaged frame) since the link was created. */
  private answeredOnThisLine = false;
  /** No request may be sent before this (inter-request delay, broadcast turnaround). */
  private nextSendAt = 0;
  /** The last attempt timed out or got a bad reply: wait for a quiet line first. */
  private needQuiet = false;

  private expiryTimer?: ClockTimer;
  private expiryAt = Infinity;
  /**
   * Queued requests in the order they joined the queue. Their deadlines only grow along
   * this line, so expiring is looking at its head: O(1) amortised per request.
   */
  private deadlineLine: Array<{ req: PendingRequest; stamp: number }> = [];
  private deadlineHead = 0;
  private stamps = 0;
  private readonly sleepers = new Map<ClockTimer, () => void>();

  constructor(
    private readonly config: NormalizedLinkConfig,
    /** "tcp 127.0.0.1:502", for messages. */
    private readonly description: string,
    /** "127.0.0.1:502", for messages. */
    private readonly address: string,
    private readonly line: Line,
    private readonly clock: Clock,
    private readonly stats: LinkStats,
  ) {
    this.queue = new FairQueue<PendingRequest>(config.queueLimit);
    this.units = new UnitHealthBook({
      failuresBeforeBackoff: config.unitBackoffAfter,
      initialMs: config.unitBackoffInitialMs,
      maxMs: config.unitBackoffMaxMs,
    });
  }

  health(unitId: number): UnitHealth {
    return this.units.snapshot(checkUnitId(unitId, true));
  }

  get queued(): number {
    return this.queue.size;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  get unitsTracked(): number {
    return this.units.size;
  }

  /** Timers the scheduler holds (queue deadline, pauses). */
  get timers(): number {
    return (this.expiryTimer === undefined ? 0 : 1) + this.sleepers.size;
  }

  /** Queue one request built by `build` (which validates it); resolves with its reply. */
  submit(build: () => ModbusOperation, opts: RequestOptions | undefined): Promise<OperationReply | undefined> {
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
      return Promise.reject(new LinkError('closed', { code: 'linkIsClosed', link: this.description }, { unitId: op.unitId }));
    }
    this.stats.requests++;
    const now = this.clock.now();
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
          new LinkError('queue-full', { code: 'queueFull', link: this.description, limit: this.queue.limit }, { unitId: op.unitId }),
        );
        return;
      }
      this.kick();
    });
  }

  /** A new line is open: nothing of the old line's pacing applies to it. */
  lineOpened(): void {
    this.nextSendAt = 0;
    this.needQuiet = false;
  }

  /** The line is ready: start sending. */
  lineUp(): void {
    this.kick();
  }

  /** The line went down: requests waiting longer than a timeout since then fail now or at their deadline. */
  lineDown(): void {
    this.expireWaiting();
  }

  /** Fail every waiting request (and the one in flight) with `error`; leave no timer. */
  close(error: LinkError): void {
    this.closed = true;
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryAt = Infinity;
    for (const [timer, resolve] of this.sleepers) {
      this.clock.clearTimeout(timer);
      resolve();
    }
    this.sleepers.clear();
    for (const req of this.queue.removeWhere(() => true)) this.fail(req, error);
    if (this.inFlight) this.fail(this.inFlight, error);
  }

  private backoffError(unitId: number, until: number, probeWaiting: boolean): LinkError {
    const when = new Date(until).toISOString();
    const reason = probeWaiting ? { code: 'unitProbing', until: when } : { code: 'unitBackoff', until: when, count: this.config.unitBackoffAfter };
    return new LinkError('backoff', reason, { unitId });
  }

  /** Start sending, or have the line opened. */
  private kick(): void {
    if (this.closed) return;
    if (!this.line.channel) {
      this.line.ensureOpen();
      return;
    }
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.closed && this.line.channel && this.queue.size > 0) {
        const now = this.clock.now();
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
      this.stats.lastError = `internal: ${String(err)}`;
    } finally {
      this.pumping = false;
    }
    if (this.queue.size === 0 && this.expiryTimer) {
      this.clock.clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.expiryAt = Infinity;
    }
    if (!this.closed && this.queue.size > 0 && !this.line.channel) this.kick();
  }

  /** One attempt of `req`: send, then settle it, or queue it again for a retry. Never throws. */
  private async attempt(req: PendingRequest): Promise<void> {
    const channel = this.line.channel;
    if (!channel) return;
    await this.waitBeforeSend(channel);
    if (this.closed || req.settled) return;
    if (this.line.channel !== channel || !channel.isOpen) {
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
      this.nextSendAt = this.clock.now() + Math.max(this.config.interRequestDelayMs, BROADCAST_TURNAROUND_MS);
      return;
    }

    let reply: OperationReply | undefined;
    let failure: unknown;
    try {
      reply = await channel.send(op, timeoutMs);
      const mismatch = replyMismatch(op, reply);
      if (mismatch) failure = new LinkError('framing', mismatch, { unitId: op.unitId });
    } catch (err) {
      failure = err;
    }
    const now = this.clock.now();
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
        this.stats.timeouts++;
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
  private async waitBeforeSend(channel: LinkChannel): Promise<void> {
    const delay = this.nextSendAt - this.clock.now();
    if (delay > 0) await this.sleep(delay);
    if (!this.needQuiet) return;
    const guard = this.config.quietGuardMs;
    // A line that never goes quiet (a chattering device) must not block us forever:
    // give up after one timeout; replies are still checked against their request.
    const giveUpAt = this.clock.now() + this.config.timeoutMs;
    while (!this.closed && channel.isOpen) {
      const now = this.clock.now();
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
    return new LinkError('timeout', { ...error.reason, hint: { code: FRAMING_HINTS[this.config.transport] } }, { unitId: error.unitId, cause: err });
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
    this.stats.errors++;
    this.stats.lastError = error.message;
    this.stats.lastErrorAt = this.clock.now();
  }

  // ---- queue deadlines ------------------------------------------------------------------

  /** Into the fair queue and at the back of the deadline line; false when the queue is full. */
  private enqueue(req: PendingRequest, force: boolean): boolean {
    if (!this.queue.push(req, force)) return false;
    req.enqueuedAt = this.clock.now();
    req.stamp = ++this.stamps;
    // Alone in the queue: every entry of the line is stale; drop them now rather than keep
    // finished requests alive until the line compacts (memory per meter stays flat).
    if (this.queue.size === 1) {
      this.deadlineLine = [];
      this.deadlineHead = 0;
    }
    this.deadlineLine.push({ req, stamp: req.stamp });
    this.scheduleExpiry();
    return true;
  }

  /**
   * When a queued request fails unsent: `queueTimeoutMs` after it joined the queue, or,
   * while the line is down, one timeout after the later of joining and the line going down.
   */
  private deadlineOf(req: PendingRequest): number {
    const queued = req.enqueuedAt + this.config.queueTimeoutMs;
    const downSince = this.line.downSince;
    if (this.line.channel || downSince === 0) return queued;
    return Math.min(queued, Math.max(req.enqueuedAt, downSince) + this.config.timeoutMs);
  }

  /** The oldest entry of the deadline line that still waits in the queue, dropping stale ones. */
  private oldestWaiting(): PendingRequest | undefined {
    const line = this.deadlineLine;
    while (this.deadlineHead < line.length) {
      const { req, stamp } = line[this.deadlineHead];
      if (req.stamp === stamp && !req.settled && this.queue.has(req)) return req;
      this.deadlineHead++;
    }
    // Every entry is stale: let them go, or the line keeps every request ever sent alive.
    this.deadlineLine = [];
    this.deadlineHead = 0;
    return undefined;
  }

  /** Drop the stale head of the deadline line once it is most of the line (amortised O(1)). */
  private compactDeadlineLine(): void {
    if (this.deadlineHead > 64 && this.deadlineHead * 2 > this.deadlineLine.length) {
      this.deadlineLine = this.deadlineLine.slice(this.deadlineHead);
      this.deadlineHead = 0;
    }
  }

  /** Fail every queued request past its deadline, then arm one timer for the next deadline. */
  private expireWaiting(): void {
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryAt = Infinity;
    if (this.closed) return;
    const now = this.clock.now();
    for (let req = this.oldestWaiting(); req; req = this.oldestWaiting()) {
      if (this.deadlineOf(req) > now) break;
      this.deadlineHead++;
      this.queue.remove(req);
      this.fail(req, this.expiryError(req, now));
    }
    this.scheduleExpiry();
  }

  /** Arm the expiry timer for the oldest waiting request, unless one is armed as early already. */
  private scheduleExpiry(): void {
    const oldest = this.oldestWaiting();
    this.compactDeadlineLine();
    if (!oldest || this.closed) return;
    const at = this.deadlineOf(oldest);
    if (this.expiryTimer && this.expiryAt <= at) return;
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer);
    this.expiryAt = at;
    this.expiryTimer = this.clock.setTimeout(() => this.expireWaiting(), Math.max(1, at - this.clock.now()));
  }

  private expiryError(req: PendingRequest, now: number): LinkError {
    const unitId = req.op.unitId;
    const downSince = this.line.downSince;
    if (!this.line.channel && downSince !== 0 && now >= Math.max(req.enqueuedAt, downSince) + this.config.timeoutMs) {
      return new LinkError('link', this.line.lastLinkReason ?? { code: 'linkOpening', link: this.address }, { unitId });
    }
    return new LinkError('queue-timeout', { code: 'queueDeadline', queueTimeoutMs: this.config.queueTimeoutMs, link: this.description }, { unitId });
  }

  /** A pause close() can cut short; resolves (never rejects) when it ends or is cancelled. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}
