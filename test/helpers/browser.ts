/**
 * Browser tests' helpers: the demo (`startDemo` through the demo CLI) in a child process
 * on free loopback ports with a temporary user dir, and Chromium through playwright-core.
 *
 * The demo runs in its own process because Node-RED's runtime is a process-wide
 * singleton: it cannot start twice in one process, and the node tests of the same mocha
 * run use that singleton through node-red-node-test-helper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const DEMO_CLI = path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'demo.js');
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'test-results');

/** How long the demo may take to print where to go (Node-RED loads every palette node first). */
const START_DEADLINE_MS = 25_000;
/** How long it may take to stop after SIGTERM. */
const STOP_DEADLINE_MS = 10_000;

export interface DemoProcess {
  editorUrl: string;
  dashboardUrl: string;
  modbusPort: number;
  userDir: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM and waits for the process to end; resolves with how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function makeUserDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'diris-demo-test-'));
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts the demo CLI on free ports (port 0 unless `modbusPort` says otherwise) and waits
 * until it prints the editor and dashboard URLs; rejects with its output if it exits first.
 */
export function startDemoProcess(options: { userDir: string; modbusPort?: number; args?: string[] }): Promise<DemoProcess> {
  const modbusPort = String(options.modbusPort ?? 0);
  const args = [DEMO_CLI, '--port', '0', '--modbus-port', modbusPort, '--user-dir', options.userDir, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', MODBUS_PORT: '' } });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  return new Promise<DemoProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`${why}\n--- demo output ---\n${output}`));
    };
    const deadline = setTimeout(() => fail(`the demo did not print its URLs within ${START_DEADLINE_MS} ms`), START_DEADLINE_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const urls = /Editor: (\S+)\s+Dashboard: (\S+)/.exec(output);
      const modbus = /Modbus TCP [^\s:]+:(\d+)/.exec(output);
      if (settled || urls === null || modbus === null) return;
      settled = true;
      clearTimeout(deadline);
      let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
      resolve({
        editorUrl: urls[1],
        dashboardUrl: urls[2],
        modbusPort: Number(modbus[1]),
        userDir: options.userDir,
        child,
        output: () => output,
        stop: () => {
          stopping ??= (async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            let timer: NodeJS.Timeout | undefined;
            const late = new Promise<never>((_, rejectLate) => {
              timer = setTimeout(() => {
                child.kill('SIGKILL');
                rejectLate(new Error(`the demo did not stop within ${STOP_DEADLINE_MS} ms of SIGTERM\n--- demo output ---\n${output}`));
              }, STOP_DEADLINE_MS);
            });
            try {
              return await Promise.race([exited, late]);
            } finally {
              clearTimeout(timer);
            }
          })();
          return stopping;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => fail(`the demo exited (code ${String(code)}, signal ${String(signal)}) before it was ready`));
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Saves a screenshot (the full page, or one element) under test-results/ and returns its path. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file });
  return file;
}

export const DOCS_DIR = path.join(PROJECT_ROOT, 'docs');

/** Saves a screenshot the README shows, as docs/<name>.png. */
export async function docsScreenshot(target: Page | Locator, name: string): Promise<string> {
  const file = path.join(DOCS_DIR, `${name}.png`);
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file });
  return file;
}

/** Polls `probe` until it returns a value `accept`s; fails with the last value seen after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
