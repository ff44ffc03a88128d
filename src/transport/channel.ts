/**
 * One open line: a socket or serial port and the client that speaks Modbus on it. Sends
 * one request at a time, notices the line going away, and releases it all.
 *
 * - Modbus TCP goes through modbus-serial's TCP client (the only place that knows
 *   modbus-serial). TcpPort matches replies by transaction id, so late replies are
 *   dropped; but one reply with a wrong MBAP length desynchronises `port._clientRcvData`
 *   for every later reply, so the buffer is emptied before each request.
 * - RTU (serial, and raw RTU over a TCP gateway) has no transaction id: a late reply
 *   looks like the answer to a later request. modbus-serial's RTU ports keep stray bytes
 *   and match the first frame with the right unit id, function and length, so we speak
 *   RTU ourselves (rtu-client.ts): our own frame decoder and the late-reply guard decide
 *   which request every frame answers.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import ModbusRTU from 'modbus-serial';
import type { ModbusOperation } from './operations';
import type { OperationReply } from './reply';
import { RtuClient, timedOut, type ByteStream } from './rtu-client';
import type { NormalizedLinkConfig } from './types';

export type { OperationReply } from './reply';

/** The parts of modbus-serial's port objects we rely on (private fields, stable in 8.0.x). */
interface PortInternals extends EventEmitter {
  _client?: RawStream;
  _buffer?: Buffer;
  _clientRcvData?: Buffer;
}

/** A net.Socket or a serialport SerialPort. */
interface RawStream extends ByteStream {
  destroy?: () => void;
  destroyed?: boolean;
  close?: (callback: (err?: Error | null) => void) => void;
  isOpen?: boolean;
}

interface ClientInternals {
  _port?: PortInternals;
  _cancelPendingTransactions?: () => void;
}

/** A plain-object error like modbus-serial's own, classified by `code` / `errno`. */
function linkLost(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'LINK_LOST' });
}

/** Extra time our own watchdog grants modbus-serial's timer before settling for it. */
const WATCHDOG_MARGIN_MS = 250;

/** An RTU gateway or serial port to open ourselves: a socket or a serialport SerialPort, once open. */
function openRtuStream(config: NormalizedLinkConfig): { stream: RawStream; opened: Promise<void> } {
  if (config.transport === 'rtu-over-tcp') {
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

export class ModbusChannel {
  private pending?: (err: unknown, reply?: OperationReply) => void;
  private lost = false;
  private lostHandler?: (reason: string) => void;
  private released?: Promise<void>;
  private lastStreamError?: string;
  private tcpLastByteAt = 0;

  private constructor(
    /** modbus-serial's client on Modbus TCP, or our RTU client. */
    private readonly client: ModbusRTU | RtuClient,
    private readonly stream: RawStream,
    private readonly isSocket: boolean,
  ) {
    stream.on('data', this.onData);
    stream.on('error', this.onStreamError);
    stream.on('close', this.onClose);
  }

  /** Open a client for `config`; rejects (with everything released) when the open fails or takes too long. */
  static open(config: NormalizedLinkConfig): Promise<ModbusChannel> {
    let stream: RawStream | undefined;
    let opening: Promise<void>;
    let build: () => ModbusChannel | undefined;
    const isSocket = config.transport !== 'rtu';
    try {
      if (config.transport === 'tcp') {
        const client = new ModbusRTU();
        // modbus-serial has no timeout unless told; a request would then never settle on a dead line.
        client.setTimeout(config.timeoutMs);
        // Errors re-emitted by modbus-serial must never reach an 'error' event without a listener.
        client.on('error', ignore);
        opening = client.connectTCP(String(config.host), { port: config.port ?? 502 });
        const port = (client as unknown as ClientInternals)._port;
        port?.on('error', ignore);
        stream = port?._client;
        build = () => (stream && client.isOpen && stream.destroyed !== true ? new ModbusChannel(client, stream, true) : undefined);
      } else {
        const opened = openRtuStream(config);
        const rtuStream = opened.stream;
        stream = rtuStream;
        opening = opened.opened;
        build = () => {
          if (rtuStream.destroyed === true) return undefined;
          const client = new RtuClient(rtuStream, {
            silenceMs: config.quietGuardMs,
            gapMs: config.interRequestDelayMs,
          });
          return new ModbusChannel(client, rtuStream, isSocket);
        };
      }
    } catch (err) {
      return Promise.reject(err);
    }
    stream?.on('error', ignore);

    return new Promise<ModbusChannel>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void releaseStream(stream, isSocket).then(() => reject(err));
      };
      const timer = setTimeout(
        () => fail(linkLost(`could not open within ${config.connectTimeoutMs} ms`)),
        config.connectTimeoutMs,
      );
      opening.then(
        () => {
          if (settled) return;
          // modbus-serial reports success when the socket closes during connect: check.
          const channel = build();
          if (!channel) {
            fail(linkLost('closed while opening'));
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(channel);
        },
        (err: unknown) => fail(err ?? linkLost('open failed')),
      );
    });
  }

  get isOpen(): boolean {
    return !this.lost;
  }

  /** Epoch ms of the last byte received on the line. */
  get lastByteAt(): number {
    return this.client instanceof RtuClient ? this.client.lastByteAt : this.tcpLastByteAt;
  }

  /** Late replies recognised and dropped on an RTU line, and the sync reads that cleared it. */
  get guardCounts(): { lateReplies: number; syncs: number } {
    return this.client instanceof RtuClient ? { ...this.client.guard.counts } : { lateReplies: 0, syncs: 0 };
  }

  /** Called once when the socket or port goes away by itself. */
  onLost(handler: (reason: string) => void): void {
    this.lostHandler = handler;
  }

  /** Drop whatever the port has buffered: with nothing in flight it can only be stray bytes. */
  discardReceived(): void {
    if (this.client instanceof RtuClient) {
      this.client.discardReceived();
      return;
    }
    const port = (this.client as unknown as ClientInternals)._port;
    if (!port) return;
    if (Buffer.isBuffer(port._buffer) && port._buffer.length > 0) port._buffer = Buffer.alloc(0);
    if (Buffer.isBuffer(port._clientRcvData) && port._clientRcvData.length > 0) port._clientRcvData = Buffer.alloc(0);
  }

  /** Send one request and wait for its reply; rejects with the client's error or a lost-link error. */
  send(op: ModbusOperation, timeoutMs: number): Promise<OperationReply> {
    if (this.lost) return Promise.reject(linkLost(this.lastStreamError ?? 'connection closed'));
    const client = this.client;
    if (client instanceof RtuClient) return client.send(op, timeoutMs);
    return new Promise<OperationReply>((resolve, reject) => {
      let done = false;
      const settle = (err: unknown, reply?: OperationReply): void => {
        if (done) return;
        done = true;
        clearTimeout(watchdog);
        if (this.pending === settle) this.pending = undefined;
        if (err !== null && err !== undefined) reject(err);
        else if (reply) resolve(reply);
        else reject(linkLost('empty reply'));
      };
      // modbus-serial's own timer should always fire first; this is the safety net.
      const watchdog = setTimeout(() => settle(timedOut()), timeoutMs + WATCHDOG_MARGIN_MS);
      this.pending = settle;
      this.discardReceived();
      try {
        client.setID(op.unitId);
        writeTcp(client, op, settle);
      } catch (err) {
        settle(err);
      }
    });
  }

  /** Send a broadcast (unit 0): nobody answers, so nothing is awaited and no timer is left. */
  sendBroadcast(op: ModbusOperation): void {
    if (this.lost) throw linkLost(this.lastStreamError ?? 'connection closed');
    const client = this.client;
    if (client instanceof RtuClient) {
      client.sendBroadcast(op);
      return;
    }
    this.discardReceived();
    client.setID(op.unitId);
    writeTcp(client, op, ignore);
    (client as unknown as ClientInternals)._cancelPendingTransactions?.();
  }

  /** Listeners held on the client, its port and the raw stream (for leak checks). */
  listenerCount(): number {
    const emitters: EventEmitter[] = [this.stream];
    if (!(this.client instanceof RtuClient)) {
      emitters.push(this.client as unknown as EventEmitter);
      const port = (this.client as unknown as ClientInternals)._port;
      if (port) emitters.push(port);
    }
    let total = 0;
    for (const emitter of emitters) {
      for (const name of emitter.eventNames()) total += emitter.listenerCount(name);
    }
    return total;
  }

  /** Release the socket or port now; any request in flight fails as 'link lost'. Resolves once the OS handle is gone. */
  release(): Promise<void> {
    if (!this.released) {
      this.markLost('closed by us', false);
      this.released = releaseStream(this.stream, this.isSocket);
    }
    return this.released;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.client instanceof RtuClient) {
      this.client.onData(chunk);
      return;
    }
    this.tcpLastByteAt = Date.now();
    // Nothing in flight: these bytes answer nobody.
    if (!this.pending) this.discardReceived();
  };

  private readonly onStreamError = (err: unknown): void => {
    const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
    this.lastStreamError = typeof message === 'string' ? message : String(err);
  };

  private readonly onClose = (): void => {
    this.markLost(this.lastStreamError ?? 'connection closed by the peer', true);
  };

  private markLost(reason: string, notify: boolean): void {
    if (this.lost) return;
    this.lost = true;
    const client = this.client;
    if (client instanceof RtuClient) {
      client.fail(linkLost(reason));
    } else {
      // modbus-serial would only give up on the request in flight at its timeout; fail it now
      // and cancel its timer so nothing outlives the line.
      (client as unknown as ClientInternals)._cancelPendingTransactions?.();
      this.pending?.(linkLost(reason));
      this.pending = undefined;
    }
    if (notify) this.lostHandler?.(reason);
  }
}

function writeTcp(client: ModbusRTU, op: ModbusOperation, settle: (err: unknown, reply?: OperationReply) => void): void {
  if (op.fn === 3) {
    client.writeFC3(op.unitId, op.address, op.count, (err, res) => settle(err, err ? undefined : { fn: 3, values: res?.data ?? [] }));
  } else if (op.fn === 6) {
    client.writeFC6(op.unitId, op.address, op.value, (err, res) =>
      settle(err, err ? undefined : { fn: 6, address: res?.address ?? -1, value: res?.value ?? -1 }),
    );
  } else {
    client.writeFC16(op.unitId, op.address, [...op.values], (err, res) =>
      settle(err, err ? undefined : { fn: 16, address: res?.address ?? -1, length: res?.length ?? -1 }),
    );
  }
}

function ignore(): void {
  // Errors are reported through the request that suffers them, or through 'close'.
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
