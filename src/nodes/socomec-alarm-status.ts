/**
 * socomec-alarm-status: the active threshold alarms of a DIRIS meter (and its input /
 * output states), as the whole state after every read or, with "only on change", as one
 * message per event. The device reads and diffs; this file polls, keeps the last state
 * per unit id and turns states and events into messages and a status.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import { alarmEvents, type AlarmEvent, type AlarmSide, type AlarmState, type ModelChoice } from '../device';
import { configuredModel } from './model-choice';
import {
  attachConnection,
  buildOutput,
  configuredSeconds,
  configuredUnitId,
  onMeterInput,
  outputTopic,
  pollMeter,
  rejectInputs,
} from './common';

const NODE_TYPE = 'socomec-alarm-status';

interface AlarmStatusDef extends NodeDef {
  connection: string;
  unitId: number | string;
  topic: string;
  pollSeconds: number | string;
  legacy: boolean;
  io: boolean;
  onlyOnChange: boolean;
  /** "auto", a model id, or absent (flows from before models: the A-20 table). */
  model?: string;
}

/** "I1 high 6.2 A" */
function describeSide(side: AlarmSide, word: 'high' | 'low'): string {
  const value = Number(side.value.toPrecision(4));
  return `${side.cause} ${word} ${value}${side.unit ? ` ${side.unit}` : ''}`;
}

function alarmStatus(state: AlarmState): NodeStatus {
  const active = [
    ...(state.upper.active ? [describeSide(state.upper, 'high')] : []),
    ...(state.lower.active ? [describeSide(state.lower, 'low')] : []),
  ];
  if (active.length === 0) return { fill: 'green', shape: 'dot', text: 'no alarm' };
  const text = active.join(', ');
  return { fill: 'red', shape: 'ring', text: text.length > 40 ? `${text.slice(0, 39)}…` : text };
}

function statePayload(state: AlarmState): Record<string, unknown> {
  const payload: Record<string, unknown> = { lower: state.lower, upper: state.upper, duration: state.duration };
  if (state.inputs !== undefined) payload.inputs = state.inputs;
  if (state.outputs !== undefined) payload.outputs = state.outputs;
  return payload;
}

/** An event's payload: raise/clear carry the alarm; input/output carry only the states that changed. */
function eventPayload(event: AlarmEvent): { payload: unknown; units: Record<string, string> } {
  if (event.event === 'input' || event.event === 'output') return { payload: event.states ?? {}, units: {} };
  return { payload: event, units: { value: event.unit ?? '', duration: 's' } };
}

export = function (RED: NodeAPI): void {
  function SocomecAlarmStatusNode(this: Node, def: AlarmStatusDef): void {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: AlarmStatusDef): void {
    let configuredUnit: number;
    let intervalSeconds: number;
    let model: ModelChoice | undefined;
    try {
      configuredUnit = configuredUnitId(def.unitId);
      intervalSeconds = configuredSeconds(def.pollSeconds, 'poll interval');
      model = configuredModel(def.model);
    } catch (err) {
      rejectInputs(node, err instanceof Error ? err : new Error(String(err)), { fill: 'red', shape: 'ring', text: 'bad settings' });
      return;
    }
    const readOptions = { legacy: def.legacy === true, io: def.io === true };
    const block = readOptions.legacy ? 'legacy alarms (1280)' : 'alarms (36176)';
    const attached = attachConnection(RED, node, def.connection, { model });
    if (attached === undefined) return;
    // The last state seen per unit id, so msg.unitId can point one node at several meters.
    const lastStates = new Map<number, AlarmState>();
    let closed = false;


    /** Reads the state and returns the messages to send (none when only-on-change finds nothing new). */
    const readAndBuild = async (msg: NodeMessage | undefined, unitId: number): Promise<NodeMessage[]> => {
      const state = await attached.device(unitId).readAlarms(readOptions);
      const previous = lastStates.get(unitId);
      lastStates.set(unitId, state);
      if (!closed) node.status(alarmStatus(state));
      const topic = outputTopic(def.topic, msg, unitId);
      const diagnostics = { link: attached.describe(), requests: state.requests };
      if (!def.onlyOnChange) {
        const units = { lower: state.lower.unit, upper: state.upper.unit, duration: 's' };
        return [{ ...buildOutput(msg, { payload: statePayload(state), units, timestamp: state.timestamp }, { topic, unitId }), diagnostics }];
      }
      return alarmEvents(previous, state).map((event) => ({
        ...buildOutput(msg, { ...eventPayload(event), timestamp: state.timestamp }, { topic, unitId }),
        event: event.event,
        diagnostics,
      }));
    };

    onMeterInput(node, attached, { unitId: configuredUnit, block }, readAndBuild);

    const poller = pollMeter(node, attached, { seconds: intervalSeconds, unitId: configuredUnit, block, topic: def.topic }, readAndBuild);

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      poller.stop();
      lastStates.clear();
      attached.release();
      done();
    });
  }

  RED.nodes.registerType(NODE_TYPE, SocomecAlarmStatusNode);
};
