/**
 * The DIRIS simulator: simulated meters (src/simulator/diris) served over Modbus TCP, RTU
 * on a serial device, or RTU over TCP (src/simulator/protocol).
 */
import type { ModelId } from '../registers';
import { DirisBus, DirisMeter, type DirisMeterOptions } from './diris';
import {
  startRtuOverTcpServer,
  startRtuSerialServer,
  startTcpServer,
  type FaultSettings,
  type RunningServer,
} from './protocol';

export { DirisBus, DirisMeter, MEASUREMENT_KEYS, SETTING_DEFAULTS, USER_SETTINGS_BLOCKS } from './diris';
export type { DirisMeterOptions, MeasurementKey, Measurements, OverrideTarget } from './diris';
export { ModbusException } from './protocol';
export type { FaultSettings, RunningServer, ServerStats, WriteRefusal } from './protocol';

export type SimulatorTransport = 'tcp' | 'rtu' | 'rtu-over-tcp';

export interface SimulatorOptions {
  transport: SimulatorTransport;
  /** TCP kinds: interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP kinds: port (default 0 = a free port; see `Simulator.port`). */
  port?: number;
  /** rtu: serial device path (a real port or one end of a pty pair). */
  path?: string;
  /** rtu: default 9600, as the connection node and most installed meters. */
  baudRate?: number;
  parity?: 'none' | 'even' | 'odd';
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  /** rtu: delay answers by the time they would take on a real line. */
  wireTiming?: boolean;
  /** Unit ids of the meters (default [5]); ignored when `bus` is given. */
  unitIds?: number[];
  /** The model of each unit id that is not an A-20 (`{ 6: 'A10', 7: 'E34' }`): a mixed line. */
  models?: Readonly<Record<number, ModelId>>;
  /** Seed of the meters (meter n uses seed + n). Default 1. */
  seed?: number;
  /** ms since the epoch; inject one to control time. Default Date.now. */
  clock?: () => number;
  /** Everything else a meter takes (product name, restart time, unlockFactory...). */
  meter?: Omit<DirisMeterOptions, 'seed' | 'clock'>;
  /** Serve these meters instead of new ones: several transports can share one bus. */
  bus?: DirisBus;
  /** Faults (latency, silent or garbled units, injected exceptions); editable live on `server.faults`. */
  faults?: Partial<FaultSettings>;
}

export interface Simulator {
  /** The TCP port bound (0 for rtu). */
  readonly port: number;
  readonly meters: Map<number, DirisMeter>;
  readonly bus: DirisBus;
  readonly server: RunningServer;
  close(): Promise<void>;
}

export const DEFAULT_BAUD_RATE = 9600;

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const bus =
    options.bus ?? new DirisBus(options.unitIds ?? [5], { ...options.meter, seed: options.seed, clock: options.clock }, options.models);
  const units = bus.lookup;
  let server: RunningServer;
  switch (options.transport) {
    case 'tcp':
      server = await startTcpServer({ host: options.host, port: options.port, units, faults: options.faults });
      break;
    case 'rtu-over-tcp':
      server = await startRtuOverTcpServer({ host: options.host, port: options.port, units, faults: options.faults });
      break;
    case 'rtu':
      if (!options.path) throw new Error('the rtu transport needs a serial device path');
      server = await startRtuSerialServer({
        path: options.path,
        baudRate: options.baudRate ?? DEFAULT_BAUD_RATE,
        parity: options.parity,
        dataBits: options.dataBits,
        stopBits: options.stopBits,
        wireTiming: options.wireTiming,
        units,
        faults: options.faults,
      });
      break;
    default:
      throw new Error(`unknown transport "${String(options.transport)}" (tcp, rtu, rtu-over-tcp)`);
  }
  return { port: server.port, meters: bus.meters, bus, server, close: () => server.close() };
}
