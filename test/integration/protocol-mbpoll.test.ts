/**
 * An independent client: Debian's mbpoll (a C Modbus master built on libmodbus-style code)
 * reads and writes our servers over Modbus TCP and over RTU on a pty pair.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startRtuSerialServer, startTcpServer, type RunningServer } from '../../src/simulator/protocol';
import { openPtyPair, type PtyPair } from '../helpers/pty';
import { RegisterUnit } from '../helpers/register-unit';

const MBPOLL_TIMEOUT_MS = 10_000;
const UNIT_ID = 5;

interface MbpollResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function runMbpoll(args: string[]): Promise<MbpollResult> {
  return new Promise((resolve, reject) => {
    execFile('mbpoll', args, { timeout: MBPOLL_TIMEOUT_MS }, (err, stdout, stderr) => {
      const failure = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      if (failure?.code === 'ENOENT') return reject(new Error('mbpoll is not installed (apt-get install mbpoll)'));
      if (failure?.killed) return reject(new Error(`mbpoll did not finish within ${MBPOLL_TIMEOUT_MS} ms: ${stderr}`));
      resolve({ exitCode: typeof failure?.code === 'number' ? failure.code : 0, stdout, stderr });
    });
  });
}

/** mbpoll prints one "[ref]: <tab>value" line per register (plus " (signed)" above 32767). */
function printedRegisters(stdout: string): Map<number, number> {
  const values = new Map<number, number>();
  for (const match of stdout.matchAll(/^\[(\d+)\]:\s+(\d+)/gm)) values.set(Number(match[1]), Number(match[2]));
  return values;
}

describe('protocol servers with mbpoll as the client', () => {
  let meter: RegisterUnit;
  let server: RunningServer | undefined;
  let pty: PtyPair | undefined;

  beforeEach(() => {
    meter = new RegisterUnit([{ start: 100, count: 50 }]).set(100, [23001, 65535, 4999, 0]);
  });

  afterEach(async () => {
    await server?.close();
    await pty?.close();
    server = undefined;
    pty = undefined;
  });

  describe('over Modbus TCP', () => {
    beforeEach(async () => {
      server = await startTcpServer({ units: (id) => (id === UNIT_ID ? meter : undefined) });
    });

    const tcpArgs = (): string[] => ['-m', 'tcp', '-p', String(server!.port), '-a', String(UNIT_ID), '-0', '-1', '-o', '2'];

    it('reads registers, printed with the values the unit holds', async () => {
      const result = await runMbpoll([...tcpArgs(), '-r', '100', '-c', '4', '127.0.0.1']);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual([...printedRegisters(result.stdout)], [
        [100, 23001],
        [101, 65535],
        [102, 4999],
        [103, 0],
      ]);
    });

    it('writes a register that the unit then holds', async () => {
      const result = await runMbpoll([...tcpArgs(), '-r', '110', '127.0.0.1', '1234']);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(meter.get(110, 1), [1234]);
    });

    it('reports exception 2 for registers outside the unit ranges', async () => {
      const result = await runMbpoll([...tcpArgs(), '-r', '140', '-c', '20', '127.0.0.1']);
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, /Illegal data address/);
    });
  });

  describe('over RTU on a pty pair', () => {
    beforeEach(async () => {
      pty = await openPtyPair();
      server = await startRtuSerialServer({
        path: pty.a,
        baudRate: 9600,
        units: (id) => (id === UNIT_ID ? meter : undefined),
      });
    });

    it('reads registers, printed with the values the unit holds', async () => {
      const result = await runMbpoll([
        '-m', 'rtu', '-b', '9600', '-P', 'none', '-a', String(UNIT_ID), '-r', '101', '-c', '3', '-0', '-1', '-o', '2', pty!.b,
      ]);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual([...printedRegisters(result.stdout)], [
        [101, 65535],
        [102, 4999],
        [103, 0],
      ]);
    });

    it('times out on a unit id nobody answers to', async () => {
      const result = await runMbpoll([
        '-m', 'rtu', '-b', '9600', '-P', 'none', '-a', '6', '-r', '100', '-c', '1', '-0', '-1', '-o', '0.3', pty!.b,
      ]);
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr, /timed out/i);
      assert.equal(server!.stats.ignored, 1);
    });
  });
});
