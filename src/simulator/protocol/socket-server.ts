/**
 * A TCP listener that feeds each connection's bytes through a framing decoder into the
 * shared SlaveCore. Modbus TCP and RTU-over-TCP differ only in the decoder.
 */
import net from 'node:net';
import { SlaveCore } from './slave-core';
import type { FaultSettings, RunningServer, UnitLookup } from './types';

export interface TcpServerOptions {
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one, see `RunningServer.port`. */
  port?: number;
  units: UnitLookup;
  faults?: Partial<FaultSettings>;
}

/** One decoded request, with the framing its answer needs. */
export interface StreamRequest {
  unitId: number;
  pdu: Buffer;
  frameAnswer(answer: Buffer, garbled: boolean): Buffer;
}

export interface StreamDecodeResult {
  requests: StreamRequest[];
  rejected: number;
  /** The peer does not speak this protocol: close the connection, saying why. */
  fatal?: string;
}

export interface StreamDecoder {
  push(chunk: Buffer): StreamDecodeResult;
}

function validateTcpOptions(options: TcpServerOptions): { host: string; port: number } {
  if (options === null || typeof options !== 'object') throw new Error('server options must be an object');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new Error(`host must be a non-empty string, got ${String(host)}`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`port must be an integer 0..65535, got ${String(port)}`);
  }
  return { host, port };
}

export async function startStreamServer(
  options: TcpServerOptions,
  createDecoder: () => StreamDecoder,
): Promise<RunningServer> {
  const { host, port } = validateTcpOptions(options);
  const core = new SlaveCore(options.units, options.faults);
  const sockets = new Set<net.Socket>();
  let closing: Promise<void> | undefined;

  const server = net.createServer((socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = createDecoder();
    // A reset by the peer is normal for a simulator; 'close' follows and cleans up.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      const decoded = decoder.push(chunk);
      if (decoded.rejected > 0) core.rejectFrames(decoded.rejected);
      for (const request of decoded.requests) {
        core.serve(request.unitId, request.pdu, (answer, garbled) => {
          if (socket.destroyed || !socket.writable) return false;
          socket.write(request.frameAnswer(answer, garbled));
          return true;
        });
      }
      if (decoded.fatal !== undefined) {
        core.rejectFrames(1);
        socket.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // Listener errors after start (rare: e.g. EMFILE on accept) must not crash the process.
  server.on('error', () => undefined);

  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;

  const closeEverything = async (): Promise<void> => {
    core.stop();
    const socketsClosed = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(socketsClosed);
  };

  return {
    port: boundPort,
    faults: core.faults,
    stats: core.stats,
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      closing ??= closeEverything();
      return closing;
    },
  };
}
