/**
 * Shared pieces of the transport tests: register units with known contents, real servers,
 * and a cleanup list so every link, server and pty a test opens is closed after it.
 */
import assert from 'node:assert/strict';
import { ModbusLink, type LinkConfig, type LinkState } from '../../src/transport';
import type { ModbusUnit, RunningServer, UnitLookup } from '../../src/simulator/protocol';
import { RegisterUnit, broadcastTo } from '../helpers/register-unit';

/** What register `address` of unit `unitId` holds in these tests: every answer says who gave it. */
export function numberedValue(unitId: number, address: number): number {
  return (unitId * 1000 + address) & 0xffff;
}

/** A unit whose registers 0..999 exist and hold `numberedValue`. */
export function numberedUnit(unitId: number): RegisterUnit {
  const unit = new RegisterUnit([{ start: 0, count: 1000 }]);
  for (let address = 0; address < 1000; address++) unit.registers[address] = numberedValue(unitId, address);
  return unit;
}

/** What `numberedUnit(unitId)` answers for `count` registers at `address`. */
export function expectedValues(unitId: number, address: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => numberedValue(unitId, address + i));
}

/** Units for the given ids, with unit id 0 as broadcast to all of them. */
export function unitsFor(ids: number[]): { lookup: UnitLookup; units: Map<number, RegisterUnit> } {
  const units = new Map<number, RegisterUnit>(ids.map((id) => [id, numberedUnit(id)]));
  const broadcast = broadcastTo([...units.values()]);
  const lookup = (unitId: number): ModbusUnit | undefined => (unitId === 0 ? broadcast : units.get(unitId));
  return { lookup, units };
}

/** Closes everything a test opened, newest first; call `run()` from afterEach. */
export class Cleanup {
  private readonly steps: Array<() => Promise<void> | void> = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  link(config: LinkConfig): ModbusLink {
    const link = new ModbusLink(config);
    this.add(() => link.close());
    return link;
  }

  server(server: RunningServer): RunningServer {
    this.add(() => server.close());
    return server;
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop();
      await step?.();
    }
  }
}

/** Resolve when the link reaches `state`; fail after `withinMs`. */
export function waitForState(link: ModbusLink, state: LinkState, withinMs: number): Promise<void> {
  if (link.state === state) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onState = (next: LinkState): void => {
      if (next !== state) return;
      clearTimeout(timer);
      link.off('state', onState);
      resolve();
    };
    const timer = setTimeout(() => {
      link.off('state', onState);
      reject(new Error(`link did not reach state '${state}' within ${withinMs} ms (now '${link.state}')`));
    }, withinMs);
    link.on('state', onState);
  });
}

/** Await a promise that must reject with a LinkError of `kind`; returns the error. */
export async function rejectsWithKind(promise: Promise<unknown>, kind: string): Promise<Error & { kind: string }> {
  try {
    await promise;
  } catch (err) {
    const error = err as Error & { kind: string };
    assert.equal(error.name, 'LinkError', `expected a LinkError, got ${String(err)}`);
    assert.equal(error.kind, kind, `expected kind '${kind}', got '${error.kind}': ${error.message}`);
    return error;
  }
  assert.fail(`expected a LinkError of kind '${kind}', but the request succeeded`);
}

/** Active handles and requests by type (sockets, servers, timers, ...), sorted, for before/after comparisons. */
export function activeResources(): string[] {
  return process.getActiveResourcesInfo().slice().sort();
}

/**
 * The resources to compare against later. Mocha arms its own per-test timer only after the
 * test function has returned its promise, so take the snapshot one event-loop turn in.
 */
export async function resourceBaseline(): Promise<string[]> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return activeResources();
}

/**
 * Assert the process holds the same resources as `baseline`. The server's end of a closed
 * connection goes away a few event-loop turns after ours, and nothing tells us when, so
 * this re-checks on each turn for up to `withinMs`. A leaked client socket would keep the
 * server's end open too, so the check still fails on a leak.
 */
export async function assertResourcesBackTo(baseline: string[], ignore: string[] = [], withinMs = 1000): Promise<void> {
  const kept = (list: string[]): string[] => list.filter((type) => !ignore.includes(type));
  const expected = kept(baseline);
  const deadline = Date.now() + withinMs;
  let now = kept(activeResources());
  while (JSON.stringify(now) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    now = kept(activeResources());
  }
  assert.deepEqual(now, expected, 'resources left behind');
}
