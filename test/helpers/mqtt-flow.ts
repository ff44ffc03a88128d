/**
 * The flow of the MQTT tests, shared by the runtime test and the two-site child processes:
 * simulator -> read-identity / read-measurements (polling, failures as msgs) ->
 * socomec-mqtt -> core mqtt out -> a broker node (birth and will on <prefix>/<site>/status).
 */
import { measurementFieldList } from '../../src/device';
import socomecMqtt from '../../src/nodes/socomec-mqtt';
import readIdentity from '../../src/nodes/socomec-read-identity';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import { CONNECTION_ID, FLOW_ID, at, connectionConfig, connectionNode, flowTab, injectNode, type FlowNode, type NodeInitializer } from './node-red';

/* eslint-disable @typescript-eslint/no-require-imports */
const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js') as NodeInitializer;
const statusNode = require('@node-red/nodes/core/common/25-status.js') as NodeInitializer;
const commentNode = require('@node-red/nodes/core/common/90-comment.js') as NodeInitializer;
/* eslint-enable @typescript-eslint/no-require-imports */

export const MQTT_FLOW_NODES = [
  connectionNode,
  readIdentity as unknown as NodeInitializer,
  readMeasurements as unknown as NodeInitializer,
  socomecMqtt as unknown as NodeInitializer,
  mqttNodes,
  statusNode,
  commentNode,
  injectNode,
];

/** The keys read-measurements outputs with its default groups: what each meter must publish. */
export const KEYS = [...new Set(measurementFieldList('standard', ['instantaneous', 'energies']).map((f) => f.key))];
export const UNITS = new Map(measurementFieldList('standard', ['instantaneous', 'energies']).map((f) => [f.key, f.unit]));


export function brokerNode(port: number, site: string): FlowNode {
  return {
    id: 'broker',
    type: 'mqtt-broker',
    z: FLOW_ID,
    broker: '127.0.0.1',
    port,
    clientid: `node-red-${site}`,
    autoConnect: true,
    usetls: false,
    protocolVersion: 4,
    keepalive: 15,
    cleansession: true,
    birthTopic: `socomec/${site}/status`,
    birthQos: '1',
    birthRetain: 'true',
    birthPayload: 'online',
    willTopic: `socomec/${site}/status`,
    willQos: '1',
    willRetain: 'true',
    willPayload: 'offline',
  };
}

/** simulator -> read-identity / read-measurements (polling, failures as msgs) -> socomec-mqtt -> mqtt out -> mosquitto. */
export interface PipelineOptions {
  site: string;
  discovery?: boolean;
  pollSeconds?: number;
  /** read-measurements' Failures option (default on). */
  sendFailures?: boolean;
  names?: string;
  staleSeconds?: number;
}

export function pipeline(sim: { port: number }, brokerPort: number, options: PipelineOptions): FlowNode[] {
  const site = options.site;
  const read = (unitId: number): FlowNode[] => [
    { id: `identity${unitId}`, type: 'socomec-read-identity', z: FLOW_ID, connection: CONNECTION_ID, unitId, readOnDeploy: true, wires: [['fmt']], ...at() },
    {
      id: `read${unitId}`,
      type: 'socomec-read-measurements',
      z: FLOW_ID,
      connection: CONNECTION_ID,
      unitId,
      groups: ['instantaneous', 'energies'],
      table: 'standard',
      pollSeconds: options.pollSeconds ?? 0.3,
      outputMode: 'single',
      sendFailures: options.sendFailures ?? true,
      wires: [['fmt']],
      ...at(),
    },
  ];
  return [
    flowTab(),
    connectionConfig(sim),
    ...read(5),
    ...read(6),
    {
      id: 'fmt',
      type: 'socomec-mqtt',
      z: FLOW_ID,
      prefix: 'socomec',
      site,
      names: options.names ?? '',
      values: true,
      state: true,
      retain: false,
      qos: 1,
      discovery: options.discovery ?? true,
      discoveryPrefix: 'homeassistant',
      instanceStatusTopic: `socomec/${site}/status`,
      staleSeconds: options.staleSeconds ?? 0,
      wires: [['out']],
      ...at(),
    },
    { id: 'brokerUp', type: 'status', z: FLOW_ID, scope: ['out'], wires: [['fmt']], ...at() },
    { id: 'out', type: 'mqtt out', z: FLOW_ID, topic: '', qos: '', retain: '', broker: 'broker', wires: [], ...at() },
    brokerNode(brokerPort, site),
  ];
}

