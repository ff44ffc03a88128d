#!/usr/bin/env node
/**
 * The demo behind `npm start`: in one process, a DIRIS simulator on loopback (Modbus TCP,
 * unit ids 5 and 6) and Node-RED 4 with this package, the FlowFuse Dashboard 2.0 nodes and
 * the demo flow (examples/demo.json). `startDemo()` is the same thing as a function, so
 * tests can run it on free ports with a temporary user directory.
 *
 * Node-RED's runtime is a process-wide singleton that cannot be started twice: one demo
 * per process.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator, type Simulator } from '../simulator';
import type { TransportKind } from '../transport';

export const PACKAGE_NAME = '@diris-tools/node-red-socomec';
export const DASHBOARD_PACKAGE = '@flowfuse/node-red-dashboard';
export const DEFAULT_HTTP_PORT = 1880;
export const DEFAULT_MODBUS_PORT = 5020;
export const DEFAULT_UNIT_IDS: readonly number[] = [5, 6];
/** Where the demo flow expects the simulator; the copy in the user dir is pointed at the real one. */
const FLOW_SIMULATOR_HOST = '127.0.0.1';
const FLOW_SIMULATOR_PORT = DEFAULT_MODBUS_PORT;
const FLOW_FILE_NAME = 'flows.json';
/** The environment variable the demo flow reads its meters' unit ids from ("5,6"). */
export const DEMO_UNITS_ENV = 'DIRIS_DEMO_UNITS';
/** "simulator", or the real meter the demo reads: the demo flow's alarm buttons write to the simulator only. */
export const DEMO_TARGET_ENV = 'DIRIS_DEMO_TARGET';

/** A real meter (or gateway) the demo talks to instead of its simulator: --meter, --rtu, --rtu-over-tcp. */
export interface DemoMeter {
  transport: TransportKind;
  /** tcp and rtu-over-tcp */
  host?: string;
  port?: number;
  /** rtu */
  serialPath?: string;
  baudRate?: number;
}

export interface DemoOptions {
  /** Node-RED's HTTP port (editor and dashboard); 0 picks a free one. Default 1880. */
  port?: number;
  /** Interface for both servers. Default 127.0.0.1: the editor has no login, keep it off the network. */
  host?: string;
  /** The simulator's Modbus TCP port; 0 picks a free one. Default 5020. */
  modbusPort?: number;
  /** Unit ids of the meters: the simulator answers them, the demo flow reads them. Default 5 and 6 (5 with a real meter). */
  unitIds?: number[];
  /** Talk to this meter instead of starting the simulator; the demo flow's connections are pointed at it. */
  meter?: DemoMeter;
  /** Seed of the simulated meters (same seed, same values). Default 1. */
  seed?: number;
  /** Node-RED's user directory. Default `.node-red-demo/` in the project. */
  userDir?: string;
  /** Copy the demo flow over the user's flow file even when one exists. */
  reset?: boolean;
  /** Node-RED's console log level. Default "info". */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'off';
  /** Where the demo's own lines go. Default console.log. */
  log?: (line: string) => void;
}

export interface RunningDemo {
  editorUrl: string;
  dashboardUrl: string;
  httpPort: number;
  /** The simulator's Modbus TCP port; undefined with a real meter. */
  modbusPort?: number;
  userDir: string;
  flowFile: string;
  /** True when this start copied examples/demo.json into the user dir. */
  flowCopied: boolean;
  /** Undefined with a real meter. */
  simulator?: Simulator;
  /** Stops Node-RED (closing every flow node and link), the HTTP server and the simulator. */
  stop(): Promise<void>;
}

/** The folder holding this package's package.json (dist/src/cli/ is three levels down). */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package folder above ${__dirname}`);
    dir = parent;
  }
}

/** The node types package.json declares to Node-RED. */
function packageNodeTypes(root: string): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red'?: { nodes?: Record<string, string> } };
  return manifest['node-red']?.nodes ?? {};
}

interface FlowNode {
  id: string;
  type: string;
  name?: string;
  transport?: string;
  host?: string;
  port?: number | string;
  [key: string]: unknown;
}

function isLoopback(host: string | undefined): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/** "Modbus TCP 10.0.0.5:502", "Modbus RTU /dev/ttyUSB0 9600 baud", "RTU over TCP 10.0.0.9:4001". */
export function describeMeter(meter: DemoMeter): string {
  if (meter.transport === 'rtu') return `Modbus RTU ${meter.serialPath ?? ''} ${meter.baudRate ?? 9600} baud 8N1`;
  const where = `${urlHost(meter.host ?? '')}:${meter.port ?? 502}`;
  return meter.transport === 'tcp' ? `Modbus TCP ${where}` : `RTU over TCP ${where}`;
}

/** The socomec-connection properties that point a connection at `meter`. */
export function connectionProperties(meter: DemoMeter): Partial<FlowNode> {
  return meter.transport === 'rtu'
    ? { name: `${METER_CONNECTION_NAME} (--rtu)`, transport: 'rtu', serialPath: meter.serialPath, baudRate: meter.baudRate ?? 9600, dataBits: 8, parity: 'none', stopBits: 1 }
    : { name: `${METER_CONNECTION_NAME} (--${meter.transport === 'tcp' ? 'meter' : 'rtu-over-tcp'})`, transport: meter.transport, host: meter.host, port: meter.port ?? 502 };
}

/** The name a connection gets from --meter, --rtu or --rtu-over-tcp: a start without them points it back at the simulator. */
const METER_CONNECTION_NAME = 'DIRIS meter';

/** Connections an earlier start pointed at a real meter go back to the simulator (and its name). */
function pointFlowBackAtSimulator(flowFile: string, host: string, port: number): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as FlowNode[];
  const moved = flow.filter((n) => n.type === 'socomec-connection' && typeof n.name === 'string' && n.name.startsWith(`${METER_CONNECTION_NAME} (--`));
  if (moved.length === 0) return [];
  for (const node of moved) Object.assign(node, { name: 'DIRIS simulator', transport: 'tcp', host, port });
  fs.writeFileSync(flowFile, `${JSON.stringify(flow, null, 4)}\n`);
  return moved;
}

/**
 * With a real meter, every start points the flow's connections at it (the user's other
 * edits are kept), so the command line decides where the demo reads from.
 */
function pointFlowAtMeter(flowFile: string, meter: DemoMeter): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as FlowNode[];
  const connections = flow.filter((n) => n.type === 'socomec-connection');
  for (const node of connections) Object.assign(node, connectionProperties(meter));
  fs.writeFileSync(flowFile, `${JSON.stringify(flow, null, 4)}\n`);
  return connections;
}

/**
 * Puts examples/demo.json into the user dir as the flow file, on first start or with
 * `reset` only: later starts keep the user's edits. The copy's connections to the default
 * simulator address are pointed at the simulator actually running.
 */
function installFlow(source: string, flowFile: string, simulatorHost: string, simulatorPort: number, reset: boolean): boolean {
  if (fs.existsSync(flowFile) && !reset) return false;
  const flow = JSON.parse(fs.readFileSync(source, 'utf8')) as FlowNode[];
  for (const node of flow) {
    if (node.type === 'socomec-connection' && node.host === FLOW_SIMULATOR_HOST && Number(node.port) === FLOW_SIMULATOR_PORT) {
      node.host = simulatorHost;
      node.port = simulatorPort;
    }
  }
  // Node-RED keeps a backup of the flow it replaces; do the same for the user's edits on reset.
  if (fs.existsSync(flowFile)) fs.copyFileSync(flowFile, `${flowFile}.before-reset`);
  fs.writeFileSync(flowFile, `${JSON.stringify(flow, null, 4)}\n`);
  return true;
}

/** The flow's TCP connections on loopback that do not point at the running simulator. */
function strayConnections(flowFile: string, simulatorPort: number): FlowNode[] {
  try {
    const flow = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as FlowNode[];
    return flow.filter(
      (n) => n.type === 'socomec-connection' && (n.transport ?? 'tcp') === 'tcp' && isLoopback(n.host) && Number(n.port) !== simulatorPort,
    );
  } catch {
    return []; // Node-RED itself reports an unreadable flow file.
  }
}

/**
 * Node-RED loads packages from <userDir>/node_modules: link this project there. The
 * user dir's package.json lists it too, so an install from the palette manager (npm in
 * the user dir) keeps the link instead of pruning it.
 */
function linkPackage(userDir: string, root: string): void {
  const link = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  let current: string | undefined;
  try {
    current = fs.realpathSync(link);
  } catch {
    current = undefined;
  }
  if (current !== fs.realpathSync(root)) {
    fs.rmSync(link, { recursive: true, force: true });
    // A junction needs no privileges on Windows; elsewhere the type is ignored.
    fs.symlinkSync(root, link, 'junction');
  }

  const manifestFile = path.join(userDir, 'package.json');
  let manifest: { dependencies?: Record<string, string>; [key: string]: unknown } = {
    name: 'node-red-demo',
    description: 'Node-RED user directory of the DIRIS demo (npm start)',
    version: '0.0.1',
    private: true,
  };
  if (fs.existsSync(manifestFile)) manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as typeof manifest;
  const wanted = `file:${path.relative(userDir, root).split(path.sep).join('/') || '.'}`;
  if (manifest.dependencies?.[PACKAGE_NAME] !== wanted) {
    manifest.dependencies = { ...manifest.dependencies, [PACKAGE_NAME]: wanted };
    fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 4)}\n`);
  }
}

function listen(server: http.Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what} port ${host}:${port} is already in use: stop what uses it, or pick another port (see --help)`)
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

interface ModuleInfo {
  name: string;
  version: string;
  nodes: { name: string; types: string[]; enabled: boolean; err?: string }[];
}

/** A module's loaded node types, or an error saying why it is not usable. */
async function loadedTypes(RED: typeof import('node-red'), name: string, hint: string): Promise<{ version: string; types: string[] }> {
  let info: ModuleInfo;
  try {
    info = (await RED.runtime.nodes.getModuleInfo({ module: name })) as ModuleInfo;
  } catch {
    throw new Error(`Node-RED did not find ${name}: ${hint}`);
  }
  const failed = info.nodes.filter((n) => n.err !== undefined && n.err !== null);
  if (failed.length > 0) {
    throw new Error(`Node-RED could not load ${name}: ${failed.map((n) => `${n.name}: ${String(n.err)}`).join('; ')} (${hint})`);
  }
  return { version: info.version, types: info.nodes.filter((n) => n.enabled).flatMap((n) => n.types) };
}

let demoStarted = false;

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  if (demoStarted) throw new Error('the demo runs once per process: Node-RED cannot be started twice in one process');
  demoStarted = true;
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  const root = projectRoot();
  const userDir = path.resolve(options.userDir ?? path.join(root, '.node-red-demo'));
  const flowFile = path.join(userDir, FLOW_FILE_NAME);

  const meter = options.meter;
  const unitIds = options.unitIds ?? (meter ? [DEFAULT_UNIT_IDS[0]] : [...DEFAULT_UNIT_IDS]);
  // The demo flow reads its meters from the environment (Node-RED's env.get in function nodes).
  process.env[DEMO_UNITS_ENV] = unitIds.join(',');
  process.env[DEMO_TARGET_ENV] = meter ? describeMeter(meter) : 'simulator';
  let simulator: Simulator | undefined;
  if (meter) {
    log(`[demo] Meter: ${describeMeter(meter)}, unit ids ${unitIds.join(' and ')} (no simulator)`);
  } else {
    simulator = await startSimulator({
      transport: 'tcp',
      host,
      port: options.modbusPort ?? DEFAULT_MODBUS_PORT,
      unitIds,
      seed: options.seed ?? 1,
    }).catch((err: NodeJS.ErrnoException) => {
      // The simulator words its own listen error; the code may only survive in the text.
      if (err.code === 'EADDRINUSE' || /EADDRINUSE/.test(String(err.message))) {
        throw new Error(`the simulator's Modbus port ${host}:${String(options.modbusPort ?? DEFAULT_MODBUS_PORT)} is already in use: pass --modbus-port or MODBUS_PORT`);
      }
      throw err;
    });
    log(`[demo] DIRIS simulator: Modbus TCP ${urlHost(host)}:${simulator.port}, unit ids ${unitIds.join(' and ')}`);
  }

  const server = http.createServer();
  // Browsers keep editor and dashboard sockets open; track them so stop() is immediate.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let redStarted = false;
  let RED: typeof import('node-red') | undefined;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const problems: string[] = [];
      if (RED !== undefined && redStarted) {
        // Stops the flows: every socomec node closes its link, the dashboard closes its sockets.
        await RED.stop().catch((err: unknown) => problems.push(`Node-RED: ${String(err)}`));
      }
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      await simulator?.close().catch((err: unknown) => problems.push(`simulator: ${String(err)}`));
      if (problems.length > 0) throw new Error(`the demo did not stop cleanly: ${problems.join('; ')}`);
    })();
    return stopping;
  };

  try {
    fs.mkdirSync(userDir, { recursive: true });
    linkPackage(userDir, root);
    // A wildcard listen address is no address to connect to: the flow uses loopback then.
    const simulatorHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const flowCopied = installFlow(path.join(root, 'examples', 'demo.json'), flowFile, simulatorHost, simulator?.port ?? DEFAULT_MODBUS_PORT, options.reset === true);
    log(
      flowCopied
        ? `[demo] Flow: copied examples/demo.json to ${flowFile}`
        : `[demo] Flow: ${flowFile} (your edits are kept; --reset copies examples/demo.json again)`,
    );
    if (meter) {
      for (const connection of pointFlowAtMeter(flowFile, meter)) log(`[demo] Connection "${connection.id}" now talks to ${describeMeter(meter)}`);
    } else {
      for (const connection of pointFlowBackAtSimulator(flowFile, simulatorHost, simulator!.port)) {
        log(`[demo] Connection "${connection.id}" talks to the simulator again (an earlier start pointed it at a meter)`);
      }
      for (const stray of strayConnections(flowFile, simulator!.port)) {
        log(
          `[demo] Note: connection "${stray.name || stray.id}" points at ${String(stray.host)}:${String(stray.port)}, ` +
            `the simulator listens on port ${simulator!.port}: edit the connection or start with --reset`,
        );
      }
    }

    const httpPort = await listen(server, options.port ?? DEFAULT_HTTP_PORT, host, 'the Node-RED');
    // Loaded only here: requiring node-red sets up its runtime singletons.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    RED = require('node-red') as typeof import('node-red');
    const settings = {
      uiPort: httpPort,
      uiHost: host,
      userDir,
      flowFile: FLOW_FILE_NAME,
      flowFilePretty: true,
      httpAdminRoot: '/',
      httpNodeRoot: '/',
      logging: { console: { level: options.logLevel ?? 'info', metrics: false, audit: false } },
      // No phoning home, no opt-in prompt and no welcome tour over the demo.
      telemetry: { enabled: false, updateNotification: false },
      editorTheme: {
        page: { title: 'Node-RED · DIRIS demo' },
        header: { title: 'Node-RED · DIRIS demo' },
        tours: false,
      },
      // The demo's nodes hold no secrets; an unencrypted (empty) credentials file spares a warning about a generated key.
      credentialSecret: false,
      externalModules: {
        // node-red-contrib-modbus is installed for the benchmarks only; its dozen generic nodes would crowd the demo's palette.
        palette: { denyList: ['node-red-contrib-modbus'] },
      },
    };
    RED.init(server, settings as unknown as Parameters<typeof RED.init>[1]);
    // Express apps are plain request handlers too; the http server needs nothing more.
    type Handler = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
    const httpAdmin = RED.httpAdmin as unknown as Handler;
    const httpNode = RED.httpNode as unknown as Handler;
    // Both roots are "/": the editor's routes first, then the dashboard's and other nodes' routes.
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      httpAdmin(req, res, () => {
        httpNode(req, res, () => {
          res.statusCode = 404;
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end(`Not found: ${req.url ?? ''}`);
        });
      });
    });

    const flowsStarted = new Promise<void>((resolve) => RED!.events.once('flows:started', () => resolve()));
    await RED.start();
    redStarted = true;

    const ours = await loadedTypes(RED, PACKAGE_NAME, 'run `npm run build` so dist/ holds the nodes');
    const missing = Object.keys(packageNodeTypes(root)).filter((type) => !ours.types.includes(type));
    if (missing.length > 0) throw new Error(`Node-RED did not register ${missing.join(', ')} from ${PACKAGE_NAME}`);
    log(`[demo] Node set ${PACKAGE_NAME} ${ours.version}: ${ours.types.join(', ')}`);
    const dashboard = await loadedTypes(RED, DASHBOARD_PACKAGE, 'run `npm install` (the dashboard is a dev dependency)');
    log(`[demo] Node set ${DASHBOARD_PACKAGE} ${dashboard.version}: ${dashboard.types.length} node types`);
    await flowsStarted;

    const base = `http://${urlHost(host)}:${httpPort}`;
    const editorUrl = `${base}/`;
    const dashboardUrl = `${base}/dashboard`;
    log(`[demo] Editor: ${editorUrl}  Dashboard: ${dashboardUrl}`);
    return { editorUrl, dashboardUrl, httpPort, modbusPort: simulator?.port, userDir, flowFile, flowCopied, simulator, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** Command line options and environment variables -> DemoOptions. */
export function parseDemoArguments(argv: string[], env: NodeJS.ProcessEnv): DemoOptions & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'modbus-port': { type: 'string' },
      host: { type: 'string' },
      'user-dir': { type: 'string' },
      seed: { type: 'string' },
      reset: { type: 'boolean' },
      meter: { type: 'string' },
      'rtu-over-tcp': { type: 'string' },
      rtu: { type: 'string' },
      baud: { type: 'string' },
      unit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const portOf = (value: string | undefined, what: string): number | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${what} must be a port number 0..65535, got "${value}"`);
    return port;
  };
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  const meter = parseMeter(values);
  const unitIds = values.unit === undefined ? undefined : parseUnits(values.unit);
  return {
    meter,
    unitIds,
    help: values.help === true,
    port: portOf(values.port, '--port') ?? portOf(env.PORT, 'PORT'),
    modbusPort: portOf(values['modbus-port'], '--modbus-port') ?? portOf(env.MODBUS_PORT, 'MODBUS_PORT'),
    host: values.host,
    userDir: values['user-dir'],
    seed,
    reset: values.reset === true,
  };
}

/** "HOST:PORT" (port default 502), "[::1]:502" for IPv6. */
function hostAndPort(value: string, what: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:/\s]+))(?::(\d+))?$/.exec(value.trim());
  const port = match?.[3] === undefined ? 502 : Number(match[3]);
  if (!match || port < 1 || port > 65535) throw new Error(`${what} must be HOST:PORT (e.g. 192.168.1.50:502), got "${value}"`);
  return { host: match[1] ?? match[2], port };
}

/** --meter tcp://HOST:PORT, --rtu-over-tcp HOST:PORT, --rtu PATH [--baud N]: at most one. */
function parseMeter(values: { meter?: string; 'rtu-over-tcp'?: string; rtu?: string; baud?: string }): DemoMeter | undefined {
  const given = (['meter', 'rtu-over-tcp', 'rtu'] as const).filter((flag) => values[flag] !== undefined);
  if (given.length > 1) throw new Error(`use one of --meter, --rtu-over-tcp and --rtu, not ${given.map((f) => `--${f}`).join(' and ')}`);
  if (values.baud !== undefined && values.rtu === undefined) throw new Error('--baud goes with --rtu PATH (a gateway keeps its own serial settings)');
  if (values.meter !== undefined) {
    const url = /^(tcp|rtu-over-tcp):\/\/(.+)$/.exec(values.meter.trim());
    if (!url) throw new Error(`--meter must be tcp://HOST:PORT (or rtu-over-tcp://HOST:PORT for a transparent gateway), got "${values.meter}"`);
    return { transport: url[1] as TransportKind, ...hostAndPort(url[2], '--meter') };
  }
  if (values['rtu-over-tcp'] !== undefined) return { transport: 'rtu-over-tcp', ...hostAndPort(values['rtu-over-tcp'], '--rtu-over-tcp') };
  if (values.rtu !== undefined) {
    if (values.rtu.trim() === '') throw new Error('--rtu needs the serial port, e.g. /dev/ttyUSB0 or COM3');
    const baudRate = values.baud === undefined ? 9600 : Number(values.baud);
    if (![2400, 4800, 9600, 19200, 38400, 57600, 115200].includes(baudRate)) throw new Error(`--baud must be 2400, 4800, 9600, 19200, 38400, 57600 or 115200, got "${values.baud}"`);
    return { transport: 'rtu', serialPath: values.rtu.trim(), baudRate };
  }
  return undefined;
}

/** --unit 5 or --unit 5,6: unit ids 1..247. */
function parseUnits(value: string): number[] {
  const ids = value.split(',').map((part) => Number(part.trim()));
  const bad = ids.find((id) => !Number.isInteger(id) || id < 1 || id > 247);
  if (value.trim() === '' || bad !== undefined) throw new Error(`--unit must be unit ids 1..247, e.g. 5 or 5,6, got "${value}"`);
  return [...new Set(ids)];
}

const USAGE = `Usage: npm start [-- options]   (or: node dist/src/cli/demo.js [options])

Starts a DIRIS simulator (Modbus TCP, unit ids 5 and 6) and Node-RED with the Socomec
nodes, the FlowFuse Dashboard and a demo flow, in one process. Ctrl-C stops both.
With --meter, --rtu or --rtu-over-tcp the demo reads a real meter instead (no simulator).

Options:
  --port <n>         Node-RED editor and dashboard port (default 1880, env PORT)
  --modbus-port <n>  simulator Modbus TCP port (default 5020, env MODBUS_PORT)
  --meter tcp://HOST:PORT      a real meter or gateway speaking Modbus TCP (port default 502)
  --rtu-over-tcp HOST:PORT     a transparent serial gateway (raw RTU frames over TCP)
  --rtu <path> [--baud <n>]    a meter on a local RS-485 adapter, 8N1 (baud default 9600)
  --unit <ids>       unit ids of the meters, e.g. 5 or 5,6 (default 5,6; 5 with a real meter)
  --host <address>   interface for both (default 127.0.0.1; the editor has no login)
  --user-dir <dir>   Node-RED user directory (default .node-red-demo/ in the project)
  --seed <n>         seed of the simulated meters (default 1)
  --reset            copy examples/demo.json over the flow again (the old one is kept as flows.json.before-reset)
  -h, --help         this text
`;

async function main(): Promise<void> {
  let options: ReturnType<typeof parseDemoArguments>;
  try {
    options = parseDemoArguments(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  let demo: RunningDemo;
  try {
    demo = await startDemo(options);
  } catch (err) {
    console.error(`[demo] Could not start: ${(err as Error).message}`);
    process.exitCode = 1;
    return;
  }
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      console.log(`[demo] ${signal} again: exiting now`);
      process.exit(130);
    }
    console.log(`[demo] ${signal}: stopping Node-RED and the simulator`);
    demo.stop().then(
      () => {
        console.log('[demo] Stopped');
        process.removeListener('SIGINT', shutdown);
        process.removeListener('SIGTERM', shutdown);
        // Everything is closed, so the process ends by itself; if a third-party node left a
        // timer running, say so and end anyway instead of hanging the terminal.
        setTimeout(() => {
          console.log('[demo] something still holds the event loop after stopping; exiting');
          process.exit(0);
        }, 3000).unref();
      },
      (err: unknown) => {
        console.error(`[demo] ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) void main();
