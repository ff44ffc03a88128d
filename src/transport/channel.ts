/**
 * One open line: a socket or serial port and the client that speaks Modbus on it. Sends
 * one request at a time, notices the line going away, and releases it all.
 *
 * Both clients are ours, on the raw stream: Modbus TCP (tcp-client.ts) matches replies by
 * transaction id and keeps nothing per finished request; RTU, on a serial port or raw
 * through a TCP gateway (rtu-client.ts), has no transaction id, so our own frame decoder
 * and the late-reply guard decide which request every frame answers. (modbus-serial's RTU
 * ports take the first frame with the right unit id, function and length for the answer,
 * late or not, and its TCP client keeps every finished transaction: see the README.)
 */
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import { systemClock, type Clock } from './clock';
import { englishTransportPhrase, systemErrorReason, wordReason, type ErrorReason } from './reasons';
import type { ModbusOperation } from './operations';
import type { OperationReply } from './reply';
import { RtuClient, type ByteStream } from './rtu-client';
import { TcpClient } from './tcp-client';
import type { NormalizedLinkConfig } from './types';

export type { OperationReply } from './reply';

/** A net.Socket or a serialport SerialPort. */
interface RawStream extends ByteStream {
  destroy?: () => void;
  destroyed?: boolean;
  close?: (callback: (err?: Error | null) => void) => void;
  isOpen?: boolean;
}

/** An error like a socket's, classified by `code`, with the reason the line went away. */
function linkLost(reason: ErrorReason): Error & { code: string; reason: ErrorReason } {
  return Object.assign(new Error(wordReason(reason, englishTransportPhrase)), { code: 'LINK_LOST', reason });
}

/** The socket or serial port for `config`, and a promise that settles when it is open. */
function openStream(config: NormalizedLinkConfig): { stream: RawStream; opened: Promise<void> } {
  if (config.transport !== 'rtu') {
    const socket = net.connect({ host: String(config.host), port: config.port ?? 502 });
    socket.setNoDelay(true);
    const opened = new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve();
      });
    });
    return { stream: socket as unknown as RawStream, opened };
  }
  // serialport is an optional dependency (a native module): load it only for serial lines.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SerialPort } = require('serialport') as typeof import('serialport');
  const port = new SerialPort({
    path: String(config.path),
    baudRate: config.baudRate,
    dataBits: config.dataBits,
    parity: config.parity,
    stopBits: config.stopBits,
    autoOpen: false,
  });
  const opened = new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return { stream: port as unknown as RawStream, opened };
}

/** What the link needs of an open line. ModbusChannel is the real one; a test may bring its own. */
export interface LinkChannel {
  /** False once the line has gone away or been released. */
  readonly isOpen: boolean;
  /** ms since the epoch of the last byte received. */
  readonly lastByteAt: number;
  /** Called once when the line goes away by itself (not on release()). */
  onLost(handler: (reason: ErrorReason) => void): void;
  /** Drop buffered bytes (the line was quiet: they answer nobody). */
  discardReceived(): void;
  /** Send one request and resolve with its reply; reject on timeout, exception or a lost line. */
  send(op: ModbusOperation, timeoutMs: number): Promise<OperationReply>;
  /** Send a broadcast (unit 0): nobody answers. */
  sendBroadcast(op: ModbusOperation): void;
  /** Listeners held on the socket or port (for leak checks). */
  listenerCount(): number;
  /** Release the socket or port; resolves once the OS handle is gone. */
  release(): Promise<void>;
}

/** Opens a line for a link: ModbusChannel.open, or a test's own. */
export type ChannelOpener = (config: NormalizedLinkConfig, clock: Clock) => Promise<LinkChannel>;

export class ModbusChannel implements LinkChannel {
  private lost = false;
  private lostHandler?: (reason: ErrorReason) => void;
  private released?: Promise<void>;
  private lastStreamError?: ErrorReason;

  private constructor(
    private readonly client: TcpClient | RtuClient,
    private readonly stream: RawStream,
    private readonly isSocket: boolean,
  ) {
    stream.on('data', client.onData);
    stream.on('error', this.onStreamError);
    stream.on('close', this.onClose);
  }

  /** Open a line for `config`; rejects (with everything released) when the open fails or takes too long. */
  static open(config: NormalizedLinkConfig, clock: Clock = systemClock): Promise<ModbusChannel> {
    const isSocket = config.transport !== 'rtu';
    let stream: RawStream;
    let opened: Promise<void>;
    try {
      ({ stream, opened } = openStream(config));
    } catch (err) {
      return Promise.reject(err);
    }
    // Errors after the open are reported through the request that suffers them, or through 'close'.
    stream.on('error', ignore);

    return new Promise<ModbusChannel>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        void releaseStream(stream, isSocket).then(() => reject(err));
      };
      const timer = clock.setTimeout(
        () => fail(linkLost({ code: 'openTimeout', timeoutMs: config.connectTimeoutMs })),
        config.connectTimeoutMs,
      );
      opened.then(
        () => {
          if (settled) return;
          if (stream.destroyed === true) {
            fail(linkLost({ code: 'closedWhileOpening' }));
            return;
          }
          settled = true;
          clock.clearTimeout(timer);
          const client =
            config.transport === 'tcp'
              ? new TcpClient(stream, clock)
              : new RtuClient(stream, { silenceMs: config.quietGuardMs, gapMs: config.interRequestDelayMs }, clock);
          resolve(new ModbusChannel(client, stream, isSocket));
        },
        (err: unknown) => fail(err ?? linkLost({ code: 'openFailed' })),
      );
    });
  }

  get isOpen(): boolean {
    return !this.lost;
  }

  /** Epoch ms of the last byte received on the line. */
  get lastByteAt(): number {
    return this.client.lastByteAt;
  }

  /** Called once when the socket or port goes away by itself. */
  onLost(handler: (reason: ErrorReason) => void): void {
    this.lostHandler = handler;
  }

  /** Drop a partial frame: with nothing in flight it can only be stray bytes. */
  discardReceived(): void {
    this.client.discardReceived();
  }

  /** Send one request and wait for its reply; rejects with the client's error or a lost-link error. */
  send(op: ModbusOperation, timeoutMs: number): Promise<OperationReply> {
    if (this.lost) return Promise.reject(linkLost(this.lastStreamError ?? { code: 'connectionClosed' }));
    return this.client.send(op, timeoutMs);
  }

  /** Send a broadcast (unit 0): nobody answers, so nothing is awaited and no timer is left. */
  sendBroadcast(op: ModbusOperation): void {
    if (this.lost) throw linkLost(this.lastStreamError ?? { code: 'connectionClosed' });
    this.client.sendBroadcast(op);
  }

  /** Listeners held on the socket or serial port (for leak checks). */
  listenerCount(): number {
    const emitter = this.stream as EventEmitter;
    let total = 0;
    for (const name of emitter.eventNames()) total += emitter.listenerCount(name);
    return total;
  }

  /** Release the socket or port now; any request in flight fails as 'link lost'. Resolves once the OS handle is gone. */
  release(): Promise<void> {
    if (!this.released) {
      this.markLost({ code: 'closedByUs' }, false);
      this.released = releaseStream(this.stream, this.isSocket);
    }
    return this.released;
  }

  private readonly onStreamError = (err: unknown): void => {
    this.lastStreamError = systemErrorReason(err);
  };

  private readonly onClose = (): void => {
    this.markLost(this.lastStreamError ?? { code: 'closedByPeer' }, true);
  };

  private markLost(reason: ErrorReason, notify: boolean): void {
    if (this.lost) return;
    this.lost = true;
    // Fail the request in flight now, not at its timeout, so nothing outlives the line.
    this.client.fail(linkLost(reason));
    if (notify) this.lostHandler?.(reason);
  }
}

function ignore(): void {
  // See ModbusChannel.open.
}

/** Destroy a socket / close a serial port; resolves when its OS handle is released. */
function releaseStream(stream: RawStream | undefined, isSocket: boolean): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise<void>((resolve) => {
    if (isSocket) {
      const socket = stream as RawStream & { closed?: boolean };
      if (socket.closed === true) {
        resolve();
        return;
      }
      socket.once('close', () => resolve());
      socket.destroy?.();
      return;
    }
    const serial = stream as RawStream & { opening?: boolean };
    if (serial.isOpen === true && serial.close) {
      serial.close(() => resolve());
    } else if (serial.opening === true) {
      // Still opening: close as soon as the open finishes, either way.
      serial.once('open', () => serial.close?.(() => resolve()));
      serial.once('error', () => resolve());
    } else {
      resolve();
    }
  });
}
