/**
 * A linked pair of pseudo-terminals made by socat: bytes written to one end come out of the
 * other, through the real serial driver stack, so serialport's real binding can be tested.
 */
import { spawn } from 'node:child_process';

export interface PtyPair {
  /** Device path of one end, e.g. /dev/pts/3. */
  a: string;
  /** Device path of the other end. */
  b: string;
  /** Kill socat and wait for it to exit. */
  close(): Promise<void>;
}

const PTY_STARTUP_TIMEOUT_MS = 5000;

export function openPtyPair(): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<void>((resolveExit) => {
      if (socat.exitCode !== null || socat.signalCode !== null) resolveExit();
      else socat.once('close', () => resolveExit());
    });
    const close = async (): Promise<void> => {
      if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
      await exited;
    };

    let stderr = '';
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startupTimer);
      void close().then(() => reject(new Error(message)));
    };
    const startupTimer = setTimeout(
      () => fail(`socat did not report two pty paths within ${PTY_STARTUP_TIMEOUT_MS} ms; stderr: ${stderr.trim()}`),
      PTY_STARTUP_TIMEOUT_MS,
    );

    socat.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ENOENT' ? 'socat is not installed (apt-get install socat)' : err.message;
      fail(`cannot start socat: ${hint}`);
    });
    socat.once('exit', (code, signal) => {
      fail(`socat exited before both ptys were ready (code ${code}, signal ${signal}); stderr: ${stderr.trim()}`);
    });
    socat.stderr.setEncoding('utf8');
    socat.stderr.on('data', (text: string) => {
      stderr += text;
      // socat -d -d logs "N PTY is /dev/pts/X" once for each end.
      const paths = [...stderr.matchAll(/PTY is (\S+)/g)].map((match) => match[1]);
      if (paths.length >= 2 && !settled) {
        settled = true;
        clearTimeout(startupTimer);
        // socat logs "starting data transfer loop" once both ends exist; the paths are usable now.
        resolve({ a: paths[0], b: paths[1], close });
      }
    });
  });
}
