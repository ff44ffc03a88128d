/**
 * The benchmark's meters, in their own process: a real meter does not share the client's
 * CPU, so the simulator must not share its event loop either. Driven over IPC by
 * bench/simulator-process.ts. Exits when the parent disconnects, or after a hard limit.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator';

export type SimRequest =
  | { id: number; cmd: 'start'; options: SimulatorOptions }
  | { id: number; cmd: 'silent'; key: number; unitIds: number[] }
  | { id: number; cmd: 'close'; key: number }
  | { id: number; cmd: 'closeAll' };

export type SimReply = { id: number; ok: true; key?: number; port?: number } | { id: number; ok: false; error: string };

/** The child never outlives a stuck parent by more than this. */
const HARD_LIMIT_MS = 600_000;

const running = new Map<number, Simulator>();
let nextKey = 1;

async function closeAll(): Promise<void> {
  const closing = [...running.values()].map((sim) => sim.close().catch(() => undefined));
  running.clear();
  await Promise.all(closing);
}

async function handle(request: SimRequest): Promise<SimReply> {
  switch (request.cmd) {
    case 'start': {
      const sim = await startSimulator(request.options);
      const key = nextKey++;
      running.set(key, sim);
      return { id: request.id, ok: true, key, port: sim.port };
    }
    case 'silent': {
      const sim = running.get(request.key);
      if (!sim) throw new Error(`no simulator ${request.key}`);
      sim.server.faults.silentUnits.clear();
      for (const unitId of request.unitIds) sim.server.faults.silentUnits.add(unitId);
      return { id: request.id, ok: true };
    }
    case 'close': {
      const sim = running.get(request.key);
      running.delete(request.key);
      await sim?.close();
      return { id: request.id, ok: true };
    }
    case 'closeAll':
      await closeAll();
      return { id: request.id, ok: true };
  }
}

if (require.main === module) {
  const hardStop = setTimeout(() => {
    void closeAll().finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  hardStop.unref();
  process.on('message', (message: SimRequest) => {
    handle(message).then(
      (reply) => process.send?.(reply),
      (err: unknown) => process.send?.({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', () => {
    void closeAll().finally(() => process.exit(0));
  });
}
