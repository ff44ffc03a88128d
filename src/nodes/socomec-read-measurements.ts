/**
 * socomec-read-measurements: named, scaled electrical values (instantaneous, energies,
 * max/avg, harmonics) from one DIRIS, on each input and optionally on an interval.
 * Its parse and its work; the lifecycle is defineMeterNode's.
 */
import type { NodeAPI, NodeMessage } from 'node-red';
import type { MeasurementTable, Reading } from '../device';
import { serveMeasurementFields } from './admin-endpoints';
import { configuredSeconds, configuredSetting, configuredUnitId, stringList } from './input-parsing';
import { defineMeterNode, type MeterNodeDef, type MeterNodeSettings } from './meter-node';
import { configuredModel } from './model-choice';
import { successStatus } from './node-status';

type OutputMode = 'single' | 'perValue';

interface ReadMeasurementsDef extends MeterNodeDef {
  unitId?: number | string;
  topic?: string;
  /** Checked groups in the editor (an array; older or hand-made flows may hold a comma separated string). */
  groups?: string[] | string;
  table?: string;
  /** Seconds between polls; 0 or blank = read only on input. */
  pollSeconds?: number | string;
  outputMode?: OutputMode;
  /** "auto", a model id ("A10"), or absent (flows from before models: the A-20 table). */
  model?: string;
}

interface ReadMeasurementsSettings extends MeterNodeSettings {
  groups: string[];
  table: MeasurementTable;
  outputMode: OutputMode;
}

const TYPE = 'socomec-read-measurements';

function parse(def: ReadMeasurementsDef): ReadMeasurementsSettings {
  return {
    unitId: configuredUnitId(def.unitId),
    poll: configuredSeconds(def.pollSeconds, 'poll interval'),
    model: configuredModel(def.model),
    topic: def.topic,
    block: 'measurements',
    // A comma separated string (older or hand-made flows) is a list too.
    groups: configuredSetting<string[]>(TYPE, 'groups', stringList(def.groups, 'groups')),
    table: configuredSetting<MeasurementTable>(TYPE, 'table', def.table),
    outputMode: configuredSetting<OutputMode>(TYPE, 'outputMode', def.outputMode),
  };
}

export = function (RED: NodeAPI): void {
  defineMeterNode<ReadMeasurementsDef, ReadMeasurementsSettings>(RED, {
    type: TYPE,
    parse,
    work: ({ settings, attached, output, status }) => {
      /** The msgs for one reading, in the configured output mode. */
      const outputs = (msg: NodeMessage | undefined, reading: Reading, unitId: number): NodeMessage[] => {
        if (settings.outputMode === 'single') return [output(msg, unitId, reading)];
        // One msg per value, topic "<topic>/<key>": what an MQTT out node publishes as is.
        return Object.entries(reading.payload).map(([key, value]) => {
          const unit = reading.units[key] ?? '';
          const one = { payload: value, units: { [key]: unit }, timestamp: reading.timestamp, requests: reading.requests, topicSuffix: key };
          return output(msg, unitId, one, { key, unit });
        });
      };
      return async (msg, unitId) => {
        const fields = stringList(msg?.fields, 'msg.fields');
        const groups = fields === undefined ? (stringList(msg?.groups, 'msg.groups') ?? settings.groups) : undefined;
        // The device checks group and field names and lists the valid ones when one is wrong.
        const reading = await attached.device(unitId).readMeasurements(fields !== undefined ? { table: settings.table, fields } : { table: settings.table, groups });
        status(successStatus(`${Object.keys(reading.payload).length} values, unit ${unitId}`, reading.timestamp));
        return outputs(msg, reading, unitId);
      };
    },
  });
  serveMeasurementFields(RED);
};
