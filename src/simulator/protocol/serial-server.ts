/** Modbus RTU slave on a serial device (a real port or one end of a pty pair), via serialport. */
import { SerialPort } from 'serialport';
import { RtuFrameDecoder, checkSilenceResetMs, corruptCrc, encodeRtuFrame } from './rtu-framing';
import { SlaveCore } from './slave-core';
import type { FaultSettings, RunningServer, UnitLookup } from './types';
import { frameBitsPerCharacter, rtuFrameGapMs, rtuReplyDueMs } from './wire-timing';

export interface RtuSerialServerOptions {
  path: string;
  baudRate: number;
  dataBits?: 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  units: UnitLookup;
  faults?: Partial<FaultSettings>;
  /** Delay each answer until its last byte would arrive on a real line at `baudRate` (rtuReplyDueMs). */
  wireTiming?: boolean;
  /**
   * A partial frame is dropped after this much silence. Default: the 3.5-character gap,
   * but at least 10 ms, because a pty and the event loop add a few ms of jitter.
   */
  silenceResetMs?: number;
}

const MIN_SERIAL_SILENCE_RESET_MS = 10;

function validateSerialOptions(options: RtuSerialServerOptions): void {
  if (options === null || typeof options !== 'object') throw new Error('serial server options must be an object');
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw new Error(`path must be a non-empty serial device path, got ${String(options.path)}`);
  }
  if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) {
    throw new Error(`baudRate must be a positive integer, got ${String(options.baudRate)}`);
  }
  if (options.dataBits !== undefined && options.dataBits !== 7 && options.dataBits !== 8) {
    throw new Error(`dataBits must be 7 or 8, got ${String(options.dataBits)}`);
  }
  if (options.parity !== undefined && !['none', 'even', 'odd'].includes(options.parity)) {
    throw new Error(`parity must be 'none', 'even' or 'odd', got ${String(options.parity)}`);
  }
  if (options.stopBits !== undefined && options.stopBits !== 1 && options.stopBits !== 2) {
    throw new Error(`stopBits must be 1 or 2, got ${String(options.stopBits)}`);
  }
}

export async function startRtuSerialServer(options: RtuSerialServerOptions): Promise<RunningServer> {
  validateSerialOptions(options);
  const { path, baudRate } = options;
  const silenceResetMs = checkSilenceResetMs(
    options.silenceResetMs ?? Math.max(rtuFrameGapMs(baudRate), MIN_SERIAL_SILENCE_RESET_MS),
  );
  const core = new SlaveCore(options.units, options.faults);
  const decoder = new RtuFrameDecoder(silenceResetMs);
  // The line's own character time (8N1: 10 bits), as the master on the other end counts it.
  const bitsPerCharacter = frameBitsPerCharacter(options);

  const port = new SerialPort({
    path,
    baudRate,
    dataBits: options.dataBits ?? 8,
    parity: options.parity ?? 'none',
    stopBits: options.stopBits ?? 1,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(new Error(`cannot open serial port ${path}: ${err.message}`)) : resolve()));
  });
  // The far end of a pty going away shows up as an error then 'close'; neither may crash the process.
  port.on('error', () => undefined);
  // serialport may close the port by itself (the far end went away): isOpen turns false before
  // the device is released, so close() waits for the 'close' event rather than isOpen.
  const released = new Promise<void>((resolve) => port.once('close', () => resolve()));

  port.on('data', (chunk: Buffer) => {
    const { frames, rejected } = decoder.push(chunk);
    if (rejected > 0) core.rejectFrames(rejected);
    for (const frame of frames) {
      const wireDelay = options.wireTiming
        ? (answer: Buffer) => rtuReplyDueMs(frame.frameLength, answer.length + 3, baudRate, bitsPerCharacter)
        : undefined;
      core.serve(
        frame.unitId,
        frame.pdu,
        (answer, garbled) => {
          if (!port.isOpen) return false;
          const encoded = encodeRtuFrame(frame.unitId, answer);
          port.write(garbled ? corruptCrc(encoded) : encoded);
          return true;
        },
        wireDelay,
      );
    }
  });

  let closing: Promise<void> | undefined;
  const closeEverything = async (): Promise<void> => {
    core.stop();
    if (port.isOpen) port.close(() => undefined);
    await released;
  };

  return {
    port: 0,
    faults: core.faults,
    stats: core.stats,
    dropConnections() {
      // A serial line has no connections to drop.
    },
    close() {
      closing ??= closeEverything();
      return closing;
    },
  };
}
