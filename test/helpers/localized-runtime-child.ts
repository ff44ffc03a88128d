/**
 * A real Node-RED runtime in a language of its own, in its own process (Node-RED's i18n
 * is one per process): `node localized-runtime-child.js <lang>`. It installs this package
 * in a fresh user directory (a link, as `npm start` does), starts a DIRIS simulator (unit
 * id 5 only) and a flow of read-measurements nodes and a Catch node, then makes four reads
 * fail in turn: a silent unit id, an unknown field, a Modbus exception, and a bad msg.unitId;
 * then a bad msg.fields, a node deployed with a bad saved unit id ("five"), a reset and a
 * restart the reset node does not allow, and a msg without msg.unitId into socomec-mqtt.
 * It prints one JSON line: what the Catch node got for each (msg.error.message) and the
 * error lines Node-RED logged for our nodes, as its console logger prints them (the deploy's
 * apart); then it stops Node-RED and the simulator and exits.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulator } from '../../src/simulator';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PACKAGE_NAME = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;

interface LogLine {
  level: number;
  type?: string;
  name?: string;
  id?: string;
  msg?: unknown;
}

/** Node-RED's error level. */
const ERROR_LEVEL = 20;
const WARN_LEVEL = 30;

async function main(): Promise<void> {
  const lang = process.argv[2] ?? 'en-US';
  const sim = await startSimulator({ transport: 'tcp', host: '127.0.0.1', port: 0, unitIds: [5], seed: 3 });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socomec-lang-'));
  const link = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(ROOT, link, 'junction');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, dependencies: { [PACKAGE_NAME]: `file:${ROOT}` } }));
  const flow = [
    { id: 'tab', type: 'tab', label: 'languages' },
    { id: 'conn', type: 'socomec-connection', name: 'sim', transport: 'tcp', host: '127.0.0.1', port: sim.port, timeoutMs: 300, retries: 0 },
    { id: 'read5', x: 100, y: 40, type: 'socomec-read-measurements', z: 'tab', name: 'meter 5', connection: 'conn', unitId: 5, groups: ['instantaneous'], table: 'standard', pollSeconds: 0, outputMode: 'single', wires: [['ok']] },
    { id: 'read7', x: 250, y: 40, type: 'socomec-read-measurements', z: 'tab', name: 'meter 7', connection: 'conn', unitId: 7, groups: ['instantaneous'], table: 'standard', pollSeconds: 0, outputMode: 'single', wires: [[]] },
    { id: 'ok', x: 400, y: 40, type: 'function', z: 'tab', name: 'ok', func: 'node.warn("read ok"); return null;', outputs: 0, wires: [] },
    // A node the Catch node does not cover: its error goes to the log.
    { id: 'lone', x: 100, y: 120, type: 'socomec-read-measurements', z: 'tab', name: 'uncaught', connection: 'conn', unitId: 7, groups: ['instantaneous'], table: 'standard', pollSeconds: 0, outputMode: 'single', wires: [[]] },
    // Saved with a unit id that is none: logged at deploy, and every msg fails with it.
    { id: 'badSetting', x: 100, y: 200, type: 'socomec-read-measurements', z: 'tab', name: 'bad setting', connection: 'conn', unitId: 'five', groups: ['instantaneous'], pollSeconds: 0, wires: [[]] },
    { id: 'reset5', x: 250, y: 200, type: 'socomec-reset', z: 'tab', name: 'reset', connection: 'conn', unitId: 5, allowMaxCurrents: true, wires: [[]] },
    { id: 'mqtt', x: 400, y: 200, type: 'socomec-mqtt', z: 'tab', name: 'mqtt', site: 'lang', wires: [[]] },
    { id: 'badConn', type: 'socomec-connection', name: 'bad', transport: 'tcp', host: '127.0.0.1', port: 70000 },
    { id: 'onBadConn', x: 100, y: 260, type: 'socomec-read-measurements', z: 'tab', name: 'on bad connection', connection: 'badConn', unitId: 5, wires: [[]] },
    { id: 'mqttBadNames', x: 400, y: 260, type: 'socomec-mqtt', z: 'tab', name: 'bad names', site: 'lang', names: '5=incomer, 300=x', wires: [[]] },
    { id: 'caught', x: 550, y: 40, type: 'catch', z: 'tab', name: '', scope: ['read5', 'read7', 'badSetting', 'reset5', 'mqtt', 'onBadConn'], uncaught: false, wires: [['report']] },
    { id: 'report', x: 700, y: 40, type: 'function', z: 'tab', name: 'report', func: 'node.warn("caught:" + msg.error.message); return null;', outputs: 0, wires: [] },
  ];
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));

  const warnings: string[] = [];
  const errorLines: string[] = [];
  const connectionWarnings: string[] = [];
  let connectionWarned: (() => void) | undefined;
  let waiting: ((warning: string) => void) | undefined;
  let loggedError: (() => void) | undefined;
  const capture = (line: LogLine): void => {
    // The flow's own function nodes report here; the runtime's warnings are not ours.
    if (line.level === WARN_LEVEL && line.type === 'function' && typeof line.msg === 'string') {
      if (waiting) waiting(line.msg);
      else warnings.push(line.msg);
    }
    if (line.level === WARN_LEVEL && line.type === 'socomec-connection') {
      connectionWarnings.push(`[warn] [${line.type}:${line.name ?? line.id ?? ''}] ${String(line.msg)}`);
      connectionWarned?.();
    }
    // What Node-RED's console logger prints for an error of one of our nodes: "[error] [type:name] " + String(msg).
    if (line.level === ERROR_LEVEL && line.type?.startsWith('socomec-')) {
      errorLines.push(`[error] [${line.type}:${line.name ?? line.id ?? ''}] ${String(line.msg)}`);
      loggedError?.();
    }
  };
  /** The next warning the flow logs ("read ok", or "caught:<message>"). */
  const nextWarning = (): Promise<string> => {
    const ready = warnings.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting = undefined;
        reject(new Error(`no warning from the flow within 10 s (errors: ${errorLines.join(' | ')})`));
      }, 10_000);
      waiting = (warning) => {
        clearTimeout(timer);
        waiting = undefined;
        resolve(warning);
      };
    });
  };

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as typeof import('node-red');
  const server = http.createServer();
  const settings = {
    userDir,
    flowFile: 'flows.json',
    lang,
    disableEditor: true,
    httpAdminRoot: false,
    httpNodeRoot: false,
    credentialSecret: false,
    telemetry: { enabled: false, updateNotification: false },
    logging: {
      console: { level: 'off' },
      capture: { level: 'warn', metrics: false, audit: false, handler: () => capture },
    },
  };
  let result: object;
  try {
    RED.init(server, settings as unknown as Parameters<typeof RED.init>[1]);
    const started = new Promise<void>((resolve) => RED.events.once('flows:started', () => resolve()));
    await RED.start();
    await started;
    const receive = (id: string, msg: object): void => {
      (RED.nodes as unknown as { getNode(id: string): { receive(msg: object): void } }).getNode(id).receive(msg);
    };
    // A first good read: the line has answered, so a silent unit id gets no wiring hint.
    receive('read5', {});
    const first = await nextWarning();
    receive('read7', {});
    const silent = await nextWarning();
    receive('read5', { fields: ['V1', 'bogus'] });
    const unknownField = await nextWarning();
    sim.server.faults.exceptionAt.set(50512, 4);
    receive('read5', {});
    const exception = await nextWarning();
    receive('read5', { unitId: 300 });
    const badUnitId = await nextWarning();
    receive('read5', { fields: 7 });
    const badFields = await nextWarning();
    receive('badSetting', {});
    const badSetting = await nextWarning();
    receive('reset5', { payload: 'hourMeter' });
    const resetNotAllowed = await nextWarning();
    receive('reset5', { payload: 'restart' });
    const restartNotAllowed = await nextWarning();
    receive('mqtt', { payload: { V1: 230 } });
    const mqttNoUnitId = await nextWarning();
    receive('onBadConn', {});
    const badConnection = await nextWarning();
    // The uncaught node's error goes to the log; the Catch node's "report" is the only warning source, so wait for the log line itself.
    const logged = new Promise<void>((resolve) => {
      loggedError = resolve;
    });
    receive('lone', {});
    await logged;
    // Last: the meter's gateway goes away under a working link, which the connection says once in the log.
    const linkLost = new Promise<void>((resolve) => {
      connectionWarned = resolve;
    });
    await sim.close();
    await linkLost;
    const deployLines = errorLines.filter((line) => !line.includes(':uncaught]'));
    result = {
      port: sim.port,
      first,
      caught: { silent, unknownField, exception, badUnitId, badFields, badSetting, resetNotAllowed, restartNotAllowed, mqttNoUnitId, badConnection },
      errorLines: errorLines.filter((line) => line.includes(':uncaught]')),
      deployLines,
      connectionWarnings,
    };
  } catch (err) {
    result = { failed: err instanceof Error ? err.stack : String(err), warnings, errorLines };
  }
  await RED.stop().catch(() => undefined);
  await sim.close().catch(() => undefined);
  fs.rmSync(userDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`localized runtime failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
