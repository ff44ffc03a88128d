/**
 * The only file that knows modbus-serial: open one client on a socket or serial port,
 * send one request at a time, notice the line going away, and release it all.
 *
 * How modbus-serial 8.0.x treats stray bytes, and what we do about it:
 * - TelnetPort (RTU over TCP) and RTUBufferedPort (serial) append every received byte to
 *   `port._buffer` and, once a request was written, scan it for the first frame that starts
 *   with the request's unit id and function code and has the expected length. Bytes that
 *   arrive with no request waiting stay in the buffer (TelnetPort: forever and unbounded),
 *   so a late reply can be taken as the answer to the next request with the same unit id
 *   and function. RTUBufferedPort never forgets the last unit id / function, so a late reply
 *   between requests reaches the finished transaction (harmless, the callback already ran).
 * - TcpPort frames by the MBAP length and matches replies by transaction id, so late
 *   replies are dropped; but one reply with a wrong MBAP length desynchronises
 *   `port._clientRcvData` for every later reply.
 * Therefore: we track when the last byte arrived on the raw socket / serial port,
 * `discardReceived()` empties the port's buffer right before every request (with one
 * request in flight, anything already there is stray), and bytes arriving while no
 * request is in flight are dropped at once. The link waits for the line to be quiet after
 * a timeout or a bad reply, and keeps a late-reply window per unit id (see link.ts);
 * replies are checked against the request (see verifyReply).
 */
import { EventEmitter } from 'node:events';
import ModbusRTU from 'modbus-serial';
import type { ModbusOperation } from './operations';
import type { NormalizedLinkConfig } from './types';

/** The parts of modbus-serial's port objects we rely on (private fields, stable in 8.0.x). */
interface PortInternals extends EventEmitter {
  _client?: RawStream;
  _buffer?: Buffer;
  _clientRcvData?: Buffer;
}

/** A net.Socket or a serialport SerialPort. */
interface RawStream extends EventEmitter {
  destroy?: () => void;
  destroyed?: boolean;
  close?: (callback: (err?: Error | null) => void) => void;
  isOpen?: boolean;
}

interface ClientInternals {
  _port?: PortInternals;
  _cancelPendingTransactions?: () => void;
}

/** What one request's reply carried. */
export type OperationReply =
  | { fn: 3; values: number[] }
  | { fn: 6; address: number; value: number }
  | { fn: 16; address: number; length: number };

/** A plain-object error like modbus-serial's own, classified by `code` / `errno`. */
function linkLost(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'LINK_LOST' });
}

function timedOut(): { name: string; message: string; errno: string } {
  return { name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' };
}

/** Extra time our own watchdog grants modbus-serial's timer before settling for it. */
const WATCHDOG_MARGIN_MS = 250;

export class ModbusChannel {
  /** Epoch ms of the last byte received on the line. */
  lastByteAt = 0;
  private pending?: (err: unknown, reply?: OperationReply) => void;
  private lost = false;
  private lostHandler?: (reason: string) => void;
  private released?: Promise<void>;
  private lastStreamError?: string;

  private constructor(
    private readonly client: ModbusRTU,
    private readonly stream: RawStream,
    private readonly isSocket: boolean,
  ) {
    stream.on('data', this.onData);
    stream.on('error', this.onStreamError);
    stream.on('close', this.onClose);
  }

  /** Open a client for `config`; rejects (with everything released) when the open fails or takes too long. */
  static open(config: NormalizedLinkConfig): Promise<ModbusChannel> {
    const client = new ModbusRTU();
    // modbus-serial has no timeout unless told; a request would then never settle on a dead line.
    client.setTimeout(config.timeoutMs);
    // Errors re-emitted by modbus-serial must never reach an 'error' event without a listener.
    client.on('error', ignore);
    let opening: Promise<void>;
    try {
      if (config.transport === 'tcp') opening = client.connectTCP(String(config.host), { port: config.port ?? 502 });
      else if (config.transport === 'rtu-over-tcp') opening = client.connectTelnet(String(config.host), { port: config.port });
      else
        opening = client.connectRTUBuffered(String(config.path), {
          baudRate: config.baudRate,
          dataBits: config.dataBits,
          parity: config.parity,
          stopBits: config.stopBits,
        });
    } catch (err) {
      return Promise.reject(err);
    }
    const port = (client as unknown as ClientInternals)._port;
    const stream = port?._client;
    port?.on('error', ignore);
    stream?.on('error', ignore);
    const isSocket = config.transport !== 'rtu';

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
          // TelnetPort reports success when the socket closes during connect: check.
          if (!stream || !client.isOpen || stream.destroyed === true) {
            fail(linkLost('closed while opening'));
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(new ModbusChannel(client, stream, isSocket));
        },
        (err: unknown) => fail(err ?? linkLost('open failed')),
      );
    });
  }

  get isOpen(): boolean {
    return !this.lost;
  }

  /** Called once when the socket or port goes away by itself. */
  onLost(handler: (reason: string) => void): void {
    this.lostHandler = handler;
  }

  /** Drop whatever the port has buffered: with nothing in flight it can only be stray bytes. */
  discardReceived(): void {
    const port = (this.client as unknown as ClientInternals)._port;
    if (!port) return;
    if (Buffer.isBuffer(port._buffer) && port._buffer.length > 0) port._buffer = Buffer.alloc(0);
    if (Buffer.isBuffer(port._clientRcvData) && port._clientRcvData.length > 0) port._clientRcvData = Buffer.alloc(0);
  }

  /** Send one request and wait for its reply; rejects with modbus-serial's error or a lost-link error. */
  send(op: ModbusOperation, timeoutMs: number): Promise<OperationReply> {
    return new Promise<OperationReply>((resolve, reject) => {
      if (this.lost) {
        reject(linkLost(this.lastStreamError ?? 'connection closed'));
        return;
      }
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
        this.client.setID(op.unitId);
        this.write(op, settle);
      } catch (err) {
        settle(err);
      }
    });
  }

  /** Send a broadcast (unit 0): nobody answers, so nothing is awaited and no timer is left. */
  sendBroadcast(op: ModbusOperation): void {
    if (this.lost) throw linkLost(this.lastStreamError ?? 'connection closed');
    this.discardReceived();
    this.client.setID(op.unitId);
    this.write(op, ignore);
    (this.client as unknown as ClientInternals)._cancelPendingTransactions?.();
  }

  private write(op: ModbusOperation, settle: (err: unknown, reply?: OperationReply) => void): void {
    const client = this.client;
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

  /** Listeners held on the client, its port and the raw stream (for leak checks). */
  listenerCount(): number {
    const emitters: EventEmitter[] = [this.client as unknown as EventEmitter, this.stream];
    const port = (this.client as unknown as ClientInternals)._port;
    if (port) emitters.push(port);
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

  private readonly onData = (): void => {
    this.lastByteAt = Date.now();
    // Nothing in flight: these bytes answer nobody (TelnetPort would keep them forever).
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
    // modbus-serial would only give up on the request in flight at its timeout; fail it now
    // and cancel its timer so nothing outlives the line.
    (this.client as unknown as ClientInternals)._cancelPendingTransactions?.();
    this.pending?.(linkLost(reason));
    this.pending = undefined;
    if (notify) this.lostHandler?.(reason);
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
