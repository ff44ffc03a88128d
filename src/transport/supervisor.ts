/**
 * The connection supervisor of a link: opens the line when the scheduler needs it, notices
 * it going away, reopens it with backoff (doubling up to reconnectMaxMs), and reports each
 * state change. It knows nothing of requests; the scheduler knows nothing of reconnecting.
 */
import type { ChannelOpener, LinkChannel } from './channel';
import type { Clock, ClockTimer } from './clock';
import { classifyError, LinkError } from './errors';
import type { ErrorReason } from './reasons';
import type { LinkState, LinkStats, NormalizedLinkConfig } from './types';

export interface SupervisorEvents {
  /** The state changed ('reconnecting' comes with why the line went down: in English, and as a reason). */
  state(state: LinkState, detail?: string, reason?: ErrorReason): void;
  /** A new line is open (said before the 'connected' state): forget the old line's pacing. */
  opened(): void;
  /** The line is ready for requests (said after the 'connected' state). */
  connected(): void;
  /** The line went down or could not be opened: queued requests may now be past their deadline. */
  down(): void;
}

export class ConnectionSupervisor {
  private state_: LinkState = 'idle';
  private channel_?: LinkChannel;
  private opening?: Promise<LinkChannel>;
  private closed = false;
  private everConnected = false;
  private reconnectDelayMs: number;
  private reconnectTimer?: ClockTimer;
  /** ms since the epoch since when the link has been unusable (0 while connected, or before the first open). */
  private downSince_ = 0;
  private lastLinkReason_?: ErrorReason;

  constructor(
    private readonly config: NormalizedLinkConfig,
    /** "127.0.0.1:502" or "/dev/ttyUSB0", for messages. */
    private readonly address: string,
    private readonly open: ChannelOpener,
    private readonly clock: Clock,
    private readonly stats: LinkStats,
    private readonly events: SupervisorEvents,
  ) {
    this.reconnectDelayMs = config.reconnectInitialMs;
  }

  get state(): LinkState {
    return this.state_;
  }

  /** The open line, if any. */
  get channel(): LinkChannel | undefined {
    return this.channel_;
  }

  get downSince(): number {
    return this.downSince_;
  }

  /** Why the line is down (code 'linkDown': "link to ... is down: ..."), while it is. */
  get lastLinkReason(): ErrorReason | undefined {
    return this.lastLinkReason_;
  }

  /** Listeners the line holds, timers the supervisor holds: for diagnostics. */
  get listeners(): number {
    return this.channel_?.listenerCount() ?? 0;
  }

  get timers(): number {
    return this.reconnectTimer === undefined ? 0 : 1;
  }

  /** Open the line unless it is open, opening, or waiting for its reconnect backoff. */
  ensureOpen(): void {
    if (this.closed || this.channel_ || this.opening || this.reconnectTimer) return;
    void this.openNow();
  }

  /** Close for good: no reconnect, the line (and one still opening) released. */
  close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const channel = this.channel_;
    this.channel_ = undefined;
    const opening = this.opening;
    this.setState('closed');
    return Promise.all([
      channel?.release(),
      opening?.then(
        (late) => late.release(),
        () => undefined,
      ),
    ]).then(() => undefined);
  }

  private async openNow(): Promise<void> {
    if (this.downSince_ === 0) this.downSince_ = this.clock.now();
    this.setState(this.everConnected || this.lastLinkReason_ !== undefined ? 'reconnecting' : 'connecting');
    const opening = this.open(this.config, this.clock);
    this.opening = opening;
    let channel: LinkChannel;
    try {
      channel = await opening;
    } catch (err) {
      this.opening = undefined;
      if (!this.closed) this.lineDown(classifyError(err, { link: this.address }));
      return;
    }
    this.opening = undefined;
    if (this.closed) {
      await channel.release();
      return;
    }
    this.channel_ = channel;
    channel.onLost((reason) => this.onChannelLost(channel, reason));
    this.reconnectDelayMs = this.config.reconnectInitialMs;
    if (this.everConnected) this.stats.reconnects++;
    this.everConnected = true;
    this.downSince_ = 0;
    this.lastLinkReason_ = undefined;
    this.events.opened();
    this.setState('connected');
    // After the state event: a listener that closes the link on 'connected' stops every send.
    if (!this.closed) this.events.connected();
  }

  private onChannelLost(channel: LinkChannel, reason: ErrorReason): void {
    if (this.channel_ !== channel || this.closed) return;
    this.channel_ = undefined;
    void channel.release();
    this.lineDown(new LinkError('link', { code: 'linkDown', link: this.address, detail: reason }));
  }

  private lineDown(error: LinkError): void {
    const message = error.message;
    if (this.downSince_ === 0) this.downSince_ = this.clock.now();
    this.lastLinkReason_ = error.reason;
    this.setState('reconnecting', message, error.reason);
    this.scheduleReconnect();
    this.events.down();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, this.config.reconnectMaxMs);
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed && !this.channel_ && !this.opening) void this.openNow();
    }, delay);
  }

  private setState(state: LinkState, detail?: string, reason?: ErrorReason): void {
    if (this.state_ === state && detail === undefined) return;
    this.state_ = state;
    try {
      this.events.state(state, detail, reason);
    } catch {
      // A listener's bug must not break the link (this may run inside a socket callback).
    }
  }
}
