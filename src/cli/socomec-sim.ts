#!/usr/bin/env node
/**
 * socomec-sim: simulated Socomec DIRIS A-20 meters over Modbus TCP, RTU (serial) and RTU
 * over TCP, for building flows before the meter is installed. Several transports at once
 * serve the same meters.
 */
import { parseArgs } from 'node:util';
import { getProfile, isModelId, MODEL_IDS, type ModelId } from '../registers';
import { DEFAULT_BAUD_RATE, DirisBus, startSimulator, type Simulator, type SimulatorOptions } from '../simulator';

export const DEFAULT_TCP_PORT = 5020;

export const USAGE = `Usage: socomec-sim [options]

Simulated Socomec meters (DIRIS A-10, A-14, A-20, Countis E14, E23, E34) on Modbus. Without a transport option: --tcp ${DEFAULT_TCP_PORT}.

Transports (several at once share the same meters):
  --tcp PORT            Modbus TCP on PORT (0 = any free port)
  --rtu-over-tcp PORT   RTU frames over TCP, as a transparent serial gateway
  --rtu PATH            Modbus RTU on a serial device (e.g. one end of a socat pty pair)
  --host HOST           interface for the TCP transports (default 127.0.0.1)
  --baud N              RTU baud rate (default ${DEFAULT_BAUD_RATE})
  --parity P            none, even or odd (default none)
  --data-bits N         7 or 8 (default 8)
  --stop-bits N         1 or 2 (default 1)

Meters:
  --units LIST          unit ids, each an A-20 or ID:MODEL, e.g. 5,6,7 or
                        5:A20,6:A10,7:E34 (models: ${MODEL_IDS.join(', ')}; default 5)
  --seed N              seed of the simulated values (default 1)
  --unlock-factory      accept writes to block 0 (factory data)

Faults:
  --wire-timing         RTU: answer after the time the exchange takes on a real line
  --latency MS          delay every answer by MS
  --silent LIST         unit ids that never answer, e.g. 7
  --refuse-write N[:CODE]
                        refuse the Nth write request (function 6 or 16) with
                        exception CODE (default 4), as a meter refusing a setting

  --help                show this help
`;

export interface CliConfig {
  transports: Array<{ kind: 'tcp' | 'rtu-over-tcp'; port: number } | { kind: 'rtu'; path: string }>;
  host: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
  unitIds: number[];
  /** Unit ids with another model than the A-20 (--units 6:A10). */
  models: Partial<Record<number, ModelId>>;
  seed: number;
  unlockFactory: boolean;
  wireTiming: boolean;
  latencyMs: number;
  silentUnits: number[];
  refuseWrite?: { nth: number; code: number };
  help: boolean;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer ${min}..${max}, got "${text}"`);
  }
  return value;
}

function unitList(name: string, text: string): number[] {
  return text.split(',').map((part) => integer(name, part.trim(), 1, 247));
}

/** "5,6:A10,7:E34" -> unit ids and the model of those that name one. */
function unitModels(text: string): { unitIds: number[]; models: Partial<Record<number, ModelId>> } {
  const unitIds: number[] = [];
  const models: Partial<Record<number, ModelId>> = {};
  for (const part of text.split(',')) {
    const [id, model] = part.trim().split(':');
    const unitId = integer('units', id, 1, 247);
    unitIds.push(unitId);
    if (model === undefined) continue;
    const upper = model.trim().toUpperCase();
    if (!isModelId(upper)) throw new Error(`--units: unknown model "${model}" for unit ${unitId} (models: ${MODEL_IDS.join(', ')})`);
    if (upper !== 'A20') models[unitId] = upper;
  }
  return { unitIds, models };
}

function oneOf<T extends string | number>(name: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => String(a) === text);
  if (found === undefined) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${text}"`);
  return found;
}

/** Command line -> configuration; throws an Error with a one-line reason for bad input. */
export function parseCli(argv: string[]): CliConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      tcp: { type: 'string', multiple: true },
      'rtu-over-tcp': { type: 'string', multiple: true },
      rtu: { type: 'string', multiple: true },
      host: { type: 'string' },
      baud: { type: 'string' },
      parity: { type: 'string' },
      'data-bits': { type: 'string' },
      'stop-bits': { type: 'string' },
      units: { type: 'string' },
      seed: { type: 'string' },
      'unlock-factory': { type: 'boolean' },
      'wire-timing': { type: 'boolean' },
      latency: { type: 'string' },
      silent: { type: 'string' },
      'refuse-write': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const transports: CliConfig['transports'] = [
    ...(values.tcp ?? []).map((port) => ({ kind: 'tcp' as const, port: integer('tcp', port, 0, 65535) })),
    ...(values['rtu-over-tcp'] ?? []).map((port) => ({ kind: 'rtu-over-tcp' as const, port: integer('rtu-over-tcp', port, 0, 65535) })),
    ...(values.rtu ?? []).map((path) => ({ kind: 'rtu' as const, path })),
  ];
  if (transports.length === 0) transports.push({ kind: 'tcp', port: DEFAULT_TCP_PORT });
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  return {
    transports,
    host: values.host ?? '127.0.0.1',
    baudRate: values.baud === undefined ? DEFAULT_BAUD_RATE : integer('baud', values.baud, 1, 4_000_000),
    parity: oneOf('parity', values.parity ?? 'none', ['none', 'even', 'odd'] as const),
    dataBits: oneOf('data-bits', values['data-bits'] ?? '8', [7, 8] as const),
    stopBits: oneOf('stop-bits', values['stop-bits'] ?? '1', [1, 2] as const),
    ...(values.units === undefined ? { unitIds: [5], models: {} } : unitModels(values.units)),
    seed,
    unlockFactory: values['unlock-factory'] ?? false,
    wireTiming: values['wire-timing'] ?? false,
    latencyMs: values.latency === undefined ? 0 : integer('latency', values.latency, 0, 600_000),
    silentUnits: values.silent === undefined ? [] : unitList('silent', values.silent),
    ...(values['refuse-write'] === undefined ? {} : { refuseWrite: writeRefusal(values['refuse-write']) }),
    help: values.help ?? false,
  };
}

/** "3" or "3:4": the Nth write request, refused with that exception code (default 4, device failure). */
function writeRefusal(text: string): { nth: number; code: number } {
  const [nth, code, ...rest] = text.split(':');
  if (rest.length > 0) throw new Error(`--refuse-write must be N or N:CODE, got "${text}"`);
  return { nth: integer('refuse-write', nth, 1, 1_000_000), code: code === undefined ? 4 : integer('refuse-write', code, 1, 255) };
}

const TRANSPORT_NAMES = { tcp: 'Modbus TCP', 'rtu-over-tcp': 'Modbus RTU over TCP', rtu: 'Modbus RTU' } as const;

/** Start every transport of `config` on one set of meters; returns them and one line per endpoint. */
export async function startFromConfig(config: CliConfig): Promise<{ simulators: Simulator[]; lines: string[] }> {
  const models = config.models ?? {};
  const bus = new DirisBus(config.unitIds, { seed: config.seed, unlockFactory: config.unlockFactory }, models as Record<number, ModelId>);
  // One Set shared by every server, so a silent unit is silent on every transport.
  const silentUnits = new Set(config.silentUnits);
  const simulators: Simulator[] = [];
  const lines: string[] = [];
  const ids = `unit ids ${config.unitIds.map((id) => (models[id] ? `${id} (${getProfile(models[id]!).name})` : String(id))).join(', ')}`;
  try {
    for (const transport of config.transports) {
      const faults: SimulatorOptions['faults'] = { latencyMs: config.latencyMs, silentUnits };
      // Each transport counts its own writes.
      if (config.refuseWrite !== undefined) faults.refuseWrite = { ...config.refuseWrite };
      const common: Omit<SimulatorOptions, 'transport'> = { bus, faults };
      if (transport.kind === 'rtu') {
        const simulator = await startSimulator({
          ...common,
          transport: 'rtu',
          path: transport.path,
          baudRate: config.baudRate,
          parity: config.parity,
          dataBits: config.dataBits,
          stopBits: config.stopBits,
          wireTiming: config.wireTiming,
        });
        simulators.push(simulator);
        const frame = `${config.dataBits}${config.parity[0].toUpperCase()}${config.stopBits}`;
        lines.push(`DIRIS simulator: ${TRANSPORT_NAMES.rtu} on ${transport.path} at ${config.baudRate} ${frame}, ${ids}`);
      } else {
        const simulator = await startSimulator({ ...common, transport: transport.kind, host: config.host, port: transport.port });
        simulators.push(simulator);
        lines.push(`DIRIS simulator: ${TRANSPORT_NAMES[transport.kind]} on ${config.host}:${simulator.port}, ${ids}`);
      }
    }
  } catch (err) {
    await Promise.all(simulators.map((s) => s.close()));
    throw err;
  }
  return { simulators, lines };
}

export async function main(argv: string[]): Promise<number> {
  let config: CliConfig;
  try {
    config = parseCli(argv);
  } catch (err) {
    process.stderr.write(`socomec-sim: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let started: Awaited<ReturnType<typeof startFromConfig>>;
  try {
    started = await startFromConfig(config);
  } catch (err) {
    process.stderr.write(`socomec-sim: ${(err as Error).message}\n`);
    return 1;
  }
  for (const line of started.lines) process.stdout.write(`${line}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await Promise.all(started.simulators.map((s) => s.close()));
  process.stdout.write('DIRIS simulator: stopped\n');
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
