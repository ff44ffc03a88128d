/**
 * socomec-mqtt: turns the readings and identities of read-measurements / read-identity
 * into what Node-RED's core `mqtt out` node publishes: per-value topics, a JSON state per
 * meter, availability (online / offline) and Home Assistant discovery. It publishes
 * nothing itself (no second MQTT client): msg.topic, msg.payload, msg.retain, msg.qos out.
 * Thin: the topic scheme, discovery and availability live in src/mqtt.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { AVAILABILITY_LEVEL, MqttFormatError, MqttFormatter, parseNames, type FormatResult, type MeterRef, type Qos } from '../mqtt';
import { MAX_UNIT_ID } from '../modbus/limits';
import { configuredSettings, shown } from './input-parsing';
import { asError, asInputError, inUserLanguage, NodeInputError } from './node-errors';
import { parseSavedConfig, rejectInputs } from './node-lifecycle';
import { brokenStatus } from './node-status';
import { fitStatus } from './status-text';

interface SocomecMqttDef extends NodeDef {
  prefix?: string;
  site?: string;
  /** "5=incomer, 6=pv": names of meters by unit id. */
  names?: string;
  values?: boolean;
  state?: boolean;
  retain?: boolean;
  qos?: number | string;
  discovery?: boolean;
  discoveryPrefix?: string;
  instanceStatusTopic?: string;
  staleSeconds?: number | string;
}

/** The status text core mqtt nodes show once their broker connection is up. */
const BROKER_CONNECTED = 'node-red:common.status.connected';

const AVAILABILITY_SUFFIX = `/${AVAILABILITY_LEVEL}`;

/** How often the watchdog looks for meters whose readings stopped. */
const WATCHDOG_PERIOD_MS = 1000;

function packageVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The meter a msg is about: msg.unitId, the link from msg.diagnostics, msg.meter as its name. */
function meterRef(msg: NodeMessageInFlow): MeterRef {
  const unitId = typeof msg.unitId === 'number' ? msg.unitId : Number(msg.unitId);
  if (!Number.isInteger(unitId) || unitId < 1 || unitId > MAX_UNIT_ID) {
    throw new NodeInputError({ code: 'mqttBadUnitId', got: shown(msg.unitId), max: MAX_UNIT_ID });
  }
  const diagnostics = msg.diagnostics as { link?: unknown } | undefined;
  const link = typeof diagnostics?.link === 'string' ? diagnostics.link : undefined;
  const name = typeof msg.meter === 'string' && msg.meter.trim() !== '' ? msg.meter : undefined;
  return { unitId, ...(link !== undefined ? { link } : {}), ...(name !== undefined ? { name } : {}) };
}

const TYPE = 'socomec-mqtt';

/** The node's settings, checked against the settings schema (every bad one named at once), then by the formatter (what only it knows: names, values or state). */
function parse(def: SocomecMqttDef): MqttFormatter {
  const settings = configuredSettings(TYPE, def as unknown as Record<string, unknown>);
  return new MqttFormatter({
    prefix: settings.prefix as string,
    site: settings.site as string,
    names: parseNames(settings.names as string),
    values: settings.values as boolean,
    state: settings.state as boolean,
    retainValues: settings.retain as boolean,
    qos: settings.qos as Qos,
    discovery: settings.discovery as boolean,
    discoveryPrefix: settings.discoveryPrefix as string,
    instanceStatusTopic: settings.instanceStatusTopic as string,
    staleSeconds: settings.staleSeconds as number,
    origin: { name: '@diris-tools/node-red-socomec', sw_version: packageVersion() },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function payloadText(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return undefined;
}

export = function (RED: NodeAPI): void {
  function SocomecMqttNode(this: Node, def: SocomecMqttDef): void {
    RED.nodes.createNode(this, def);
    setupMqtt(this, def);
  }

  function setupMqtt(node: Node, saved: SocomecMqttDef): void {
    let formatter: MqttFormatter;
    try {
      formatter = parseSavedConfig(node, TYPE, saved, parse);
    } catch (err) {
      rejectInputs(node, inUserLanguage(err), brokenStatus('badSettings'));
      return;
    }

    let waiting: string | undefined;
    const showStatus = (): string => {
      const meters = formatter.meterStates();
      const online = meters.filter((m) => m.id !== undefined && m.online === true).length;
      const offline = meters.filter((m) => m.id !== undefined && m.online === false).length;
      if (waiting !== undefined && online + offline === 0) {
        node.status({ fill: 'yellow', shape: 'ring', text: RED._('socomec-mqtt.status.waiting') });
        return 'waiting';
      }
      node.status({
        fill: offline > 0 ? 'yellow' : 'green',
        shape: offline > 0 ? 'ring' : 'dot',
        text: RED._('socomec-mqtt.status.meters', { online, offline }),
      });
      return `${online}/${offline}`;
    };

    let statusShown: string | undefined;
    const emit = (result: FormatResult): void => {
      const waitingChanged = result.waiting !== waiting;
      if (result.waiting !== undefined && waitingChanged) node.warn(result.waitingReason === undefined ? result.waiting : inUserLanguage({ reason: result.waitingReason }).message);
      waiting = result.waiting;
      if (result.messages.length > 0) node.send([result.messages as unknown as NodeMessage[]]);
      // The status changes with availability only: no per-reading work over every meter.
      if (waitingChanged || statusShown === undefined || result.messages.some((m) => m.topic.endsWith(AVAILABILITY_SUFFIX))) statusShown = showStatus();
    };

    /** One input msg, by what it carries. */
    const handle = (msg: NodeMessageInFlow): FormatResult => {
      const now = Date.now();
      const haStatus = formatter.homeAssistantStatusTopic;
      if (haStatus !== undefined && msg.topic === haStatus) {
        // Home Assistant's birth message: it may have lost configs (a broker without persistence).
        return payloadText(msg.payload) === 'online' ? formatter.announceAll() : { messages: [] };
      }
      if (isObject(msg.status)) {
        // A Status node watching mqtt out: once the broker is (back) up, say again what mqtt out dropped while it was not.
        return msg.status.text === BROKER_CONNECTED ? formatter.announceAll() : { messages: [] };
      }
      if (msg.action === 'clear') {
        if (typeof msg.meter === 'string' && msg.meter !== '') return formatter.clear({ id: msg.meter });
        const ref = meterRef(msg);
        return formatter.clear({ unitId: ref.unitId, ...(ref.link !== undefined ? { link: ref.link } : {}) });
      }
      if (msg.error !== undefined && msg.error !== null) {
        // A failed read (read-measurements' failure output, or a Catch node): offline, and no value.
        return formatter.failure(meterRef(msg));
      }
      const payload = msg.payload;
      if (typeof msg.key === 'string') {
        throw new NodeInputError({ code: 'mqttPerValue' });
      }
      if (!isObject(payload)) {
        throw new NodeInputError({ code: 'mqttBadPayload', got: typeof payload });
      }
      const ref = meterRef(msg);
      if (typeof payload.serialNumber === 'string' && typeof payload.signature === 'string') {
        return formatter.identity(
          ref,
          {
            serialNumber: payload.serialNumber,
            model: String(payload.extendedName || payload.productName || 'DIRIS'),
            softwareVersion: String(payload.softwareVersion ?? ''),
            ...(typeof payload.productVersion === 'string' ? { hardwareVersion: payload.productVersion } : {}),
          },
          now,
        );
      }
      const units = isObject(msg.units) ? (msg.units as Record<string, string>) : {};
      const timestamp = typeof msg.timestamp === 'number' ? msg.timestamp : now;
      return formatter.reading(ref, { payload, units, timestamp }, now);
    };

    node.on('input', (msg, _send, done) => {
      try {
        emit(handle(msg));
        done();
      } catch (err) {
        // A bad msg is the caller's input, said as every node of the package says it (the message alone), in the runtime's language.
        const failure = err instanceof MqttFormatError || err instanceof NodeInputError ? inUserLanguage(asInputError(err)) : asError(err);
        node.status({ fill: 'red', shape: 'dot', text: fitStatus(failure.message) });
        statusShown = undefined; // the next good msg puts the meters' status back
        done(failure);
      }
    });

    const watchdog = setInterval(() => {
      const result = formatter.check(Date.now());
      // The watchdog knows nothing of meters waiting for a name: keep what the last msg said.
      if (result.messages.length > 0) emit({ ...result, waiting });
    }, WATCHDOG_PERIOD_MS);

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(watchdog);
      node.status({});
      done();
    });
  }

  RED.nodes.registerType(TYPE, SocomecMqttNode);
};
