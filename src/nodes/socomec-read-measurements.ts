/**
 * socomec-read-measurements: named, scaled electrical values (instantaneous, energies,
 * max/avg, harmonics) from one DIRIS, on each input and optionally on an interval.
 * Its parse and its work; the lifecycle is defineMeterNode's.
 */
import type { NodeAPI, NodeMessage } from 'node-red';
import type { MeasurementTable, Reading } from '../device';
import { serveMeasurementFields } from './admin-endpoints';
import { configuredSeconds, configuredSetting, configuredUnitId, stringList } from './input-parsing';
import { defineMeterNode, outputTopic, type MeterNodeDef, type MeterNodeSettings } from './meter-node';
import { explainError } from './node-errors';
import { configuredModel } from './model-choice';
import { successStatus } from './node-status';
import { statusText } from './status-text';

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
  /** Also send a failed read as a msg with msg.error and no payload (for socomec-mqtt's availability). */
  sendFailures?: boolean;
}

interface ReadMeasurementsSettings extends MeterNodeSettings {
  groups: string[];
  table: MeasurementTable;
  outputMode: OutputMode;
  sendFailures: boolean;
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
    sendFailures: def.sendFailures === true,
  };
}

export = function (RED: NodeAPI): void {
  defineMeterNode<ReadMeasurementsDef, ReadMeasurementsSettings>(RED, {
    type: TYPE,
    parse,
    work: (meter) => {
      const { node, settings, attached, output, status } = meter;
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
      const read = async (msg: NodeMessage | undefined, unitId: number): Promise<NodeMessage[]> => {
        const fields = stringList(msg?.fields, 'msg.fields');
        const groups = fields === undefined ? (stringList(msg?.groups, 'msg.groups') ?? settings.groups) : undefined;
        // The device checks group and field names and lists the valid ones when one is wrong.
        const reading = await attached.device(unitId).readMeasurements(fields !== undefined ? { table: settings.table, fields } : { table: settings.table, groups });
        status(successStatus(statusText('values', { count: String(Object.keys(reading.payload).length), unitId: String(unitId) }), reading.timestamp));
        return outputs(msg, reading, unitId);
      };
      /**
       * With sendFailures, a failed read also goes out as a msg without payload and with
       * msg.error, so the next node (socomec-mqtt) can mark the meter offline without a
       * Catch node; the error still reaches done(err) / the status as before.
       */
      return async (msg, unitId, where) => {
        try {
          return await read(msg, unitId);
        } catch (err) {
          if (settings.sendFailures && !meter.closed) {
            const explained = explainError(err, where);
            const failure: NodeMessage = { ...(msg ?? {}), topic: outputTopic(settings.topic, msg, unitId), unitId, timestamp: Date.now() };
            delete failure.payload;
            failure.error = { message: explained.message, kind: (explained as Error & { kind?: string }).kind ?? 'error' };
            failure.diagnostics = { link: attached.describe() };
            node.send(failure);
          }
          throw err;
        }
      };
    },
  });
  serveMeasurementFields(RED);
};
