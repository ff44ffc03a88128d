/**
 * The two ways to do one full poll of a DIRIS (instantaneous + energies + max/avg +
 * harmonics) that the benchmark compares: our ModbusLink + DirisDevice (decoded, named
 * payload) and raw modbus-serial doing the same four reads with no decoding.
 */
import ModbusRTU from 'modbus-serial';
import { DirisDevice, MEASUREMENT_GROUPS, selectMeasurementFields } from '../src/device';
import { planReads } from '../src/planner';
import { ModbusLink, type LinkConfig } from '../src/transport';

export const ALL_GROUPS = [...MEASUREMENT_GROUPS];

/**
 * The reads a full poll takes, as our planner makes them (hourMeter is read once, from the
 * instantaneous block, so the energies read starts at 50780). The raw contender sends these.
 */
export const FULL_POLL_BLOCKS: readonly { address: number; count: number }[] = planReads(
  selectMeasurementFields({ groups: ALL_GROUPS }, { unitId: 1 }),
).map((request) => ({ address: request.address, count: request.count }));

export const REQUEST_TIMEOUT_MS = 1000;

export interface Poller {
  readonly name: string;
  /** One full poll; resolves with the number of values it produced. */
  poll(): Promise<number>;
  close(): Promise<void>;
}

export type Target = { transport: 'tcp'; port: number } | { transport: 'rtu'; path: string; baudRate: number };

function linkConfig(target: Target): LinkConfig {
  return target.transport === 'tcp'
    ? { transport: 'tcp', host: '127.0.0.1', port: target.port, timeoutMs: REQUEST_TIMEOUT_MS }
    : { transport: 'rtu', path: target.path, baudRate: target.baudRate, timeoutMs: REQUEST_TIMEOUT_MS };
}

export function ourPoller(target: Target, unitId: number): Poller & { link: ModbusLink; device: DirisDevice } {
  const link = new ModbusLink(linkConfig(target));
  const device = new DirisDevice(link, unitId, { source: 'bench' });
  return {
    name: 'ours (ModbusLink + DirisDevice)',
    link,
    device,
    async poll() {
      const reading = await device.readMeasurements({ groups: ALL_GROUPS });
      if (reading.requests !== FULL_POLL_BLOCKS.length) {
        throw new Error(`a full poll took ${reading.requests} requests, expected ${FULL_POLL_BLOCKS.length}`);
      }
      return Object.keys(reading.payload).length;
    },
    close: () => link.close(),
  };
}

export async function rawPoller(target: Target, unitId: number): Promise<Poller> {
  const client = new ModbusRTU();
  if (target.transport === 'tcp') await client.connectTCP('127.0.0.1', { port: target.port });
  else await client.connectRTUBuffered(target.path, { baudRate: target.baudRate });
  client.setID(unitId);
  client.setTimeout(REQUEST_TIMEOUT_MS);
  return {
    name: 'raw modbus-serial',
    async poll() {
      let words = 0;
      for (const block of FULL_POLL_BLOCKS) {
        const reply = await client.readHoldingRegisters(block.address, block.count);
        words += reply.data.length;
      }
      return words;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!client.isOpen) {
          resolve();
          return;
        }
        client.close(() => resolve());
      }),
  };
}

/** The reads `device` plans for a full poll, seen through a recording link. */
export async function plannedReads(unitId: number): Promise<{ address: number; count: number }[]> {
  const seen: { address: number; count: number }[] = [];
  const recorder = {
    description: 'recorder',
    readHoldingRegisters: (_unit: number, address: number, count: number) => {
      seen.push({ address, count });
      return Promise.resolve(new Array<number>(count).fill(0));
    },
    writeRegister: () => Promise.resolve(),
    writeRegisters: () => Promise.resolve(),
  };
  await new DirisDevice(recorder, unitId).readMeasurements({ groups: ALL_GROUPS });
  return seen;
}

/**
 * Our device on a link that answers from memory (the words a real poll got, recorded once):
 * planning and decoding alone, with no I/O, to see the device layer's own cost per poll.
 */
export async function inMemoryPoller(target: Target, unitId: number): Promise<Poller> {
  const recorded = new Map<number, number[]>();
  const real = new ModbusLink(linkConfig(target));
  try {
    for (const block of FULL_POLL_BLOCKS) recorded.set(block.address, await real.readHoldingRegisters(unitId, block.address, block.count));
  } finally {
    await real.close();
  }
  const memory = {
    description: 'memory',
    // A copy per request, as a link hands out a fresh array per reply.
    readHoldingRegisters: (_unit: number, address: number) => Promise.resolve([...recorded.get(address)!]),
    writeRegister: () => Promise.resolve(),
    writeRegisters: () => Promise.resolve(),
  };
  const device = new DirisDevice(memory, unitId, { source: 'bench' });
  return {
    name: 'ours, plan + decode only (link answering from memory)',
    poll: () => device.readMeasurements({ groups: ALL_GROUPS }).then((reading) => Object.keys(reading.payload).length),
    close: () => Promise.resolve(),
  };
}
