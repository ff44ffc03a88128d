/**
 * Start one of the three slave kinds with its matching modbus-serial client, so the same
 * behaviour can be checked over Modbus TCP, RTU over TCP and RTU on a pty pair.
 */
import net from 'node:net';
import ModbusRTU from 'modbus-serial';
import { SerialPort } from 'serialport';
import {
  encodeMbapFrame,
  encodeRtuFrame,
  startRtuOverTcpServer,
  startRtuSerialServer,
  startTcpServer,
  type FaultSettings,
  type RunningServer,
  type UnitLookup,
} from '../../src/simulator/protocol';
import { openPtyPair, type PtyPair } from './pty';

export type TransportKind = 'tcp' | 'rtu-over-tcp' | 'rtu-serial';
export const TRANSPORT_KINDS: TransportKind[] = ['tcp', 'rtu-over-tcp', 'rtu-serial'];

/** Client timeout for tests: also how long "no answer" takes to show. */
export const CLIENT_TIMEOUT_MS = 300;
export const TEST_BAUD_RATE = 9600;

export interface ServerUnderTest {
  kind: TransportKind;
  server: RunningServer;
  /** The pty pair for rtu-serial: the server holds `a`, clients use `b`. */
  pty?: PtyPair;
  /** A connected client (unit id 1, timeout set, errors handled); closed by `close()`. */
  connectClient(timeoutMs?: number): Promise<ModbusRTU>;
  /** Close every client, the server and the pty pair. */
  close(): Promise<void>;
}

/** How a modbus-serial call failed; its errors are Error or plain objects, so read fields only. */
export interface ClientFailure {
  modbusCode?: number;
  errno?: string;
  name?: string;
  message?: string;
}

export async function failureOf(call: Promise<unknown>): Promise<ClientFailure> {
  try {
    await call;
  } catch (err) {
    const e = err as ClientFailure;
    return { modbusCode: e.modbusCode, errno: e.errno, name: e.name, message: e.message };
  }
  throw new Error('expected the Modbus request to fail, but it succeeded');
}

export async function closeClient(client: ModbusRTU): Promise<void> {
  // A client whose link is already down never calls back from close().
  if (!client.isOpen) return;
  await new Promise<void>((resolve) => client.close(() => resolve()));
}

export async function startServerUnderTest(
  kind: TransportKind,
  units: UnitLookup,
  faults?: Partial<FaultSettings>,
  serialOptions: { wireTiming?: boolean } = {},
): Promise<ServerUnderTest> {
  let pty: PtyPair | undefined;
  let server: RunningServer;
  if (kind === 'tcp') server = await startTcpServer({ units, faults });
  else if (kind === 'rtu-over-tcp') server = await startRtuOverTcpServer({ units, faults });
  else {
    pty = await openPtyPair();
    try {
      server = await startRtuSerialServer({ path: pty.a, baudRate: TEST_BAUD_RATE, units, faults, ...serialOptions });
    } catch (err) {
      await pty.close();
      throw err;
    }
  }

  const clients: ModbusRTU[] = [];
  const connectClient = async (timeoutMs = CLIENT_TIMEOUT_MS): Promise<ModbusRTU> => {
    const client = new ModbusRTU();
    // Port errors are re-emitted as 'error'; unhandled they would crash the test process.
    client.on('error', () => undefined);
    clients.push(client);
    if (kind === 'tcp') await client.connectTCP('127.0.0.1', { port: server.port });
    else if (kind === 'rtu-over-tcp') await client.connectTelnet('127.0.0.1', { port: server.port });
    else await client.connectRTUBuffered(pty!.b, { baudRate: TEST_BAUD_RATE });
    client.setTimeout(timeoutMs);
    client.setID(1);
    return client;
  };

  return {
    kind,
    server,
    pty,
    connectClient,
    async close() {
      await Promise.all(clients.map(closeClient));
      await server.close();
      await pty?.close();
    },
  };
}

/** A byte-level link to a server under test, for frames a well-behaved client would never send. */
export interface RawLink {
  write(bytes: Buffer): void;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves once at least `byteCount` bytes have been received in total. */
  receivedAtLeast(byteCount: number): Promise<Buffer>;
  /** Resolves when the server closes the link (TCP kinds). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** The request as the server's transport frames it (MBAP for tcp, RTU with CRC otherwise). */
export function frameRequest(kind: TransportKind, unitId: number, pdu: Buffer, transactionId = 1): Buffer {
  return kind === 'tcp' ? encodeMbapFrame(transactionId, unitId, pdu) : encodeRtuFrame(unitId, pdu);
}

export async function openRawLink(underTest: ServerUnderTest): Promise<RawLink> {
  const chunks: Buffer[] = [];
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    for (const wake of waiters.splice(0)) wake();
  };
  const received = (): Buffer => Buffer.concat(chunks);
  const receivedAtLeast = async (byteCount: number): Promise<Buffer> => {
    while (received().length < byteCount) await new Promise<void>((resolve) => waiters.push(resolve));
    return received();
  };

  if (underTest.kind === 'rtu-serial') {
    const port = new SerialPort({ path: underTest.pty!.b, baudRate: TEST_BAUD_RATE, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', onData);
    const closed = new Promise<void>((resolve) => port.once('close', () => resolve()));
    return {
      write: (bytes) => void port.write(bytes),
      received,
      receivedAtLeast,
      closed,
      close: async () => {
        if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      },
    };
  }

  const socket = net.connect({ host: '127.0.0.1', port: underTest.server.port });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('data', onData);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    write: (bytes) => void socket.write(bytes),
    received,
    receivedAtLeast,
    closed,
    close: async () => {
      socket.destroy();
      await closed;
    },
  };
}
