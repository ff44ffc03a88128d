/**
 * mbpoll (Debian's Modbus master, an implementation independent of ours and of
 * modbus-serial) reads the simulator over TCP and over RTU on a pty pair.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startSimulator, type Simulator } from '../../src/simulator';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const START_MS = Date.UTC(2024, 8, 1, 9, 0, 0);
const MBPOLL_KILL_AFTER_MS = 15_000;
const SOCO = [0x53, 0x4f, 0x43, 0x4f];

interface MbpollResult {
  exitCode: number | null;
  output: string;
  /** reference -> value, in the order printed. */
  values: Array<[number, number]>;
}

function mbpoll(args: string[]): Promise<MbpollResult> {
  return new Promise((resolve, reject) => {
    // -1: poll once; -o 2: 2 s answer timeout.
    execFile('mbpoll', ['-1', '-o', '2', ...args], { timeout: MBPOLL_KILL_AFTER_MS }, (err, stdout, stderr) => {
      const spawnError = err as NodeJS.ErrnoException | null;
      if (spawnError?.code === 'ENOENT') {
        reject(new Error('mbpoll is not installed (apt-get install mbpoll)'));
        return;
      }
      const exitCode = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      const values = [...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)\s*$/gm)].map((m): [number, number] => [Number(m[1]), Number(m[2])]);
      resolve({ exitCode, output: `${stdout}${stderr}`, values });
    });
  });
}

/** The 32-bit value of two words, most significant first. */
const u32 = (words: number[], index: number): number => words[2 * index] * 0x10000 + words[2 * index + 1];

describe('simulator read by mbpoll', () => {
  describe('over Modbus TCP', () => {
    let simulator: Simulator;

    before(async () => {
      simulator = await startSimulator({ transport: 'tcp', port: 0, unitIds: [5], clock: () => START_MS });
    });

    after(async () => {
      await simulator.close();
    });

    const tcp = (args: string[]): string[] => ['-m', 'tcp', '-p', String(simulator.port), '-a', '5', ...args, '127.0.0.1'];

    it('reads the "SOCO" signature words at 50000 (PDU address) and at reference 50001 (1-based)', async () => {
      const zeroBased = await mbpoll(tcp(['-0', '-r', '50000', '-c', '4']));
      assert.equal(zeroBased.exitCode, 0, zeroBased.output);
      assert.deepEqual(zeroBased.values, [[50000, SOCO[0]], [50001, SOCO[1]], [50002, SOCO[2]], [50003, SOCO[3]]]);
      const oneBased = await mbpoll(tcp(['-r', '50001', '-c', '4']));
      assert.equal(oneBased.exitCode, 0, oneBased.output);
      assert.deepEqual(oneBased.values, [[50001, SOCO[0]], [50002, SOCO[1]], [50003, SOCO[2]], [50004, SOCO[3]]]);
    });

    it('reads the voltages of the instantaneous block as 32-bit big-endian integers', async () => {
      const result = await mbpoll(tcp(['-0', '-r', '50514', '-c', '6', '-t', '4:int', '-B']));
      assert.equal(result.exitCode, 0, result.output);
      const words = simulator.meters.get(5)!.peek(50514, 12);
      assert.deepEqual(
        result.values,
        [0, 1, 2, 3, 4, 5].map((i): [number, number] => [50514 + 2 * i, u32(words, i)]),
      );
      const [u12, , , v1, v2] = result.values.map(([, raw]) => raw / 100);
      assert.ok(v1 > 220 && v1 < 240, `V1 ${v1} V`);
      assert.ok(Math.abs(u12 / (Math.sqrt(3) * ((v1 + v2) / 2)) - 1) < 0.01, `U12 ${u12} V`);
    });

    it('reports the illegal data address the meter answers past a block end', async () => {
      const result = await mbpoll(tcp(['-0', '-r', '50590', '-c', '3']));
      assert.notEqual(result.exitCode, 0);
      assert.match(result.output, /Illegal data address/i);
    });
  });

  describe('over RTU on a pty pair', () => {
    let pty: PtyPair;
    let simulator: Simulator;

    before(async () => {
      pty = await openPtyPair();
      try {
        simulator = await startSimulator({ transport: 'rtu', path: pty.a, baudRate: 19200, unitIds: [5], clock: () => START_MS });
      } catch (err) {
        await pty.close();
        throw err;
      }
    });

    after(async () => {
      await simulator.close();
      await pty.close();
    });

    const rtu = (args: string[]): string[] => ['-m', 'rtu', '-b', '19200', '-P', 'none', '-d', '8', '-s', '1', '-a', '5', ...args, pty.b];

    it('reads the "SOCO" signature words', async () => {
      const result = await mbpoll(rtu(['-0', '-r', '50000', '-c', '4']));
      assert.equal(result.exitCode, 0, result.output);
      assert.deepEqual(result.values.map(([, v]) => v), SOCO);
    });

    it('reads currents and frequency of the instantaneous block', async () => {
      const result = await mbpoll(rtu(['-0', '-r', '50526', '-c', '4', '-t', '4:int', '-B']));
      assert.equal(result.exitCode, 0, result.output);
      const words = simulator.meters.get(5)!.peek(50526, 8);
      assert.deepEqual(result.values.map(([, v]) => v), [0, 1, 2, 3].map((i) => u32(words, i)));
      const [frequency, i1] = result.values.map(([, raw]) => raw);
      assert.ok(frequency / 100 > 49.5 && frequency / 100 < 50.5, `F ${frequency / 100} Hz`);
      assert.ok(i1 / 1000 > 20 && i1 / 1000 < 80, `I1 ${i1 / 1000} A`);
    });
  });
});
