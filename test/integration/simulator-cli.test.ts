/**
 * The socomec-sim command as a user runs it: a child process that prints its endpoints,
 * answers Modbus, shares its meters between transports, and exits 0 on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import ModbusRTU from 'modbus-serial';
import { closeClient, failureOf } from '../helpers/modbus-test-client';

const CLI = path.resolve(__dirname, '../../src/cli/socomec-sim.js');
const CLIENT_TIMEOUT_MS = 1000;
const STARTUP_TIMEOUT_MS = 10_000;

interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves with the exit code (or the signal name) once the process is gone and its output read. */
  exited: Promise<number | string>;
}

/** Start the command and wait for `expectedLines` lines on stdout. */
function startCli(args: string[], expectedLines: number): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const lines: string[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socomec-sim printed ${lines.length} of ${expectedLines} lines in time; stderr: ${stderr}`));
    }, STARTUP_TIMEOUT_MS);
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      lines.push(...complete);
      if (lines.length >= expectedLines) {
        clearTimeout(timer);
        resolve({ child, lines, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (lines.length < expectedLines) reject(new Error(`socomec-sim exited (${code}) early; stderr: ${stderr}`));
    });
  });
}

function portOf(line: string): number {
  const match = /on 127\.0\.0\.1:(\d+),/.exec(line);
  assert.ok(match, `no port in "${line}"`);
  return Number(match[1]);
}

describe('socomec-sim command', () => {
  let cli: RunningCli | undefined;
  const clients: ModbusRTU[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeClient));
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
    cli = undefined;
  });

  async function client(connect: (c: ModbusRTU) => Promise<void>, unitId: number): Promise<ModbusRTU> {
    const c = new ModbusRTU();
    c.on('error', () => undefined);
    clients.push(c);
    await connect(c);
    c.setTimeout(CLIENT_TIMEOUT_MS);
    c.setID(unitId);
    return c;
  }

  it('serves TCP and RTU over TCP on the same meters, then exits 0 on SIGTERM', async () => {
    cli = await startCli(['--tcp', '0', '--rtu-over-tcp', '0', '--units', '5,6', '--seed', '9'], 2);
    assert.match(cli.lines[0], /^DIRIS simulator: Modbus TCP on 127\.0\.0\.1:\d+, unit ids 5, 6$/);
    assert.match(cli.lines[1], /^DIRIS simulator: Modbus RTU over TCP on 127\.0\.0\.1:\d+, unit ids 5, 6$/);
    const tcp = await client((c) => c.connectTCP('127.0.0.1', { port: portOf(cli!.lines[0]) }), 5);
    const gateway = await client((c) => c.connectTelnet('127.0.0.1', { port: portOf(cli!.lines[1]) }), 5);
    assert.deepEqual((await tcp.readHoldingRegisters(50000, 4)).data, [0x53, 0x4f, 0x43, 0x4f]);
    await tcp.writeRegister(36354, 700);
    assert.deepEqual((await gateway.readHoldingRegisters(36354, 1)).data, [700], 'one meter behind both transports');
    gateway.setID(6);
    assert.deepEqual((await gateway.readHoldingRegisters(36354, 1)).data, [100], 'unit 6 is another meter');

    await Promise.all(clients.splice(0).map(closeClient));
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
    assert.equal(cli.lines.at(-1) ?? '', 'DIRIS simulator: stopped');
  });

  it('keeps a --silent unit quiet and exits 0 on SIGINT', async () => {
    cli = await startCli(['--tcp', '0', '--units', '5,7', '--silent', '7'], 1);
    const tcp = await client((c) => c.connectTCP('127.0.0.1', { port: portOf(cli!.lines[0]) }), 7);
    assert.equal((await failureOf(tcp.readHoldingRegisters(50000, 4))).errno, 'ETIMEDOUT');
    tcp.setID(5);
    assert.deepEqual((await tcp.readHoldingRegisters(50000, 4)).data, [0x53, 0x4f, 0x43, 0x4f]);
    await Promise.all(clients.splice(0).map(closeClient));
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0);
  });

  it('refuses the Nth write with the exception --refuse-write names, and applies nothing of it', async () => {
    cli = await startCli(['--tcp', '0', '--refuse-write', '2:6'], 1);
    const tcp = await client((c) => c.connectTCP('127.0.0.1', { port: portOf(cli!.lines[0]) }), 5);
    await tcp.writeRegister(36354, 700);
    assert.equal((await failureOf(tcp.writeRegister(36354, 800))).modbusCode, 6);
    assert.deepEqual((await tcp.readHoldingRegisters(36354, 1)).data, [700], 'the refused write changed nothing');
    await tcp.writeRegister(36354, 900);
    assert.deepEqual((await tcp.readHoldingRegisters(36354, 1)).data, [900], 'only the 2nd write is refused');
    await Promise.all(clients.splice(0).map(closeClient));
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0);
  });

  it('prints help and exits 0; refuses a bad option with exit code 2', async () => {
    cli = await startCli(['--help'], 1);
    assert.equal(await cli.exited, 0);
    assert.match(cli.lines.join('\n'), /--rtu-over-tcp PORT/);
    const bad = spawn(process.execPath, [CLI, '--tcp', 'nope']);
    let stderr = '';
    bad.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => bad.once('close', (c) => resolve(c)));
    assert.equal(code, 2);
    assert.match(stderr, /--tcp must be an integer/);
  });
});
