/**
 * socomec-alarm-status: the active threshold alarms of a DIRIS meter (and its input /
 * output states), as the whole state after every read or, with "only on change", as one
 * message per event. The device reads and diffs; this file keeps the last state per unit
 * id and turns states and events into messages and a status.
 */
import type { NodeAPI, NodeMessage, NodeStatus } from 'node-red';
import { alarmEvents, type AlarmEvent, type AlarmSide, type AlarmState } from '../device';
import { configuredSeconds, configuredUnitId } from './input-parsing';
import { defineMeterNode, type MeterNodeDef, type MeterNodeSettings } from './meter-node';
import { configuredModel } from './model-choice';
import { fitStatus, statusText } from './status-text';

interface AlarmStatusDef extends MeterNodeDef {
  unitId?: number | string;
  topic?: string;
  pollSeconds?: number | string;
  legacy?: boolean;
  io?: boolean;
  onlyOnChange?: boolean;
  /** "auto", a model id, or absent (flows from before models: the A-20 table). */
  model?: string;
}

interface AlarmStatusSettings extends MeterNodeSettings {
  legacy: boolean;
  io: boolean;
  onlyOnChange: boolean;
}

function parse(def: AlarmStatusDef): AlarmStatusSettings {
  const legacy = def.legacy === true;
  return {
    unitId: configuredUnitId(def.unitId),
    poll: configuredSeconds(def.pollSeconds, 'pollSeconds'),
    model: configuredModel(def.model),
    topic: def.topic,
    block: legacy ? 'legacy alarms (1280)' : 'alarms (36176)',
    legacy,
    io: def.io === true,
    onlyOnChange: def.onlyOnChange === true,
  };
}

/** "I1 high 6.2 A" */
function describeSide(side: AlarmSide, word: 'alarmHigh' | 'alarmLow'): string {
  const value = Number(side.value.toPrecision(4));
  return statusText(word, { cause: String(side.cause), value: `${value}${side.unit ? ` ${side.unit}` : ''}` });
}

function alarmStatus(state: AlarmState): NodeStatus {
  const active = [
    ...(state.upper.active ? [describeSide(state.upper, 'alarmHigh')] : []),
    ...(state.lower.active ? [describeSide(state.lower, 'alarmLow')] : []),
  ];
  if (active.length === 0) return { fill: 'green', shape: 'dot', text: statusText('noAlarm') };
  return { fill: 'red', shape: 'ring', text: fitStatus(active.join(', ')) };
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
  defineMeterNode<AlarmStatusDef, AlarmStatusSettings>(RED, {
    type: 'socomec-alarm-status',
    parse,
    work: ({ settings, attached, output, status }) => {
      // The last state seen per unit id, so msg.unitId can point one node at several meters.
      const lastStates = new Map<number, AlarmState>();
      return async (msg: NodeMessage | undefined, unitId) => {
        const state = await attached.device(unitId).readAlarms({ legacy: settings.legacy, io: settings.io });
        const previous = lastStates.get(unitId);
        lastStates.set(unitId, state);
        status(alarmStatus(state));
        const { timestamp, requests } = state;
        if (!settings.onlyOnChange) {
          const units = { lower: state.lower.unit, upper: state.upper.unit, duration: 's' };
          return [output(msg, unitId, { payload: statePayload(state), units, timestamp, requests })];
        }
        return alarmEvents(previous, state).map((event) => output(msg, unitId, { ...eventPayload(event), timestamp, requests }, { event: event.event }));
      };
    },
  });
};
