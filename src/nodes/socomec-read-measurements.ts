/**
 * socomec-read-measurements: named, scaled electrical values (instantaneous, energies,
 * max/avg, harmonics) from one DIRIS, on each input and optionally on an interval.
 * Thin: node settings and msg in, DirisDevice.readMeasurements, msg out.
 */
import type { Request, Response } from 'express';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import {
  MEASUREMENT_GROUPS,
  MEASUREMENT_TABLES,
  isModelChoice,
  measurementFieldList,
  type MeasurementGroup,
  type MeasurementTable,
  type ModelChoice,
  type Reading,
} from '../device';
import { DIRIS_A20, PROFILES, getProfile } from '../registers';
import { configuredModel } from './model-choice';
import {
  attachConnection,
  buildOutput,
  configuredSeconds,
  configuredUnitId,
  explainError,
  onMeterInput,
  outputTopic,
  pollMeter,
  rejectInputs,
  stringList,
  successStatus,
} from './common';

type OutputMode = 'single' | 'perValue';

interface ReadMeasurementsDef extends NodeDef {
  connection: string;
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

const DEFAULT_GROUPS = ['instantaneous', 'energies'];

export = function (RED: NodeAPI): void {
  function SocomecReadMeasurementsNode(this: Node, def: ReadMeasurementsDef): void {
    RED.nodes.createNode(this, def);
    setupReadMeasurements(this, def);
  }

  /** The node's behaviour, on the node Node-RED just created. */
  function setupReadMeasurements(node: Node, def: ReadMeasurementsDef): void {
    let configuredUnit: number;
    let pollSeconds: number;
    let model: ModelChoice | undefined;
    try {
      configuredUnit = configuredUnitId(def.unitId);
      pollSeconds = configuredSeconds(def.pollSeconds, 'poll interval');
      model = configuredModel(def.model);
    } catch (err) {
      rejectInputs(node, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const groups = stringList(def.groups, 'groups') ?? DEFAULT_GROUPS;
    const table = (MEASUREMENT_TABLES as readonly string[]).includes(def.table ?? '') ? (def.table as MeasurementTable) : 'standard';
    const outputMode: OutputMode = def.outputMode === 'perValue' ? 'perValue' : 'single';

    const attached = attachConnection(RED, node, def.connection, { model });
    if (attached === undefined) return;

    /** The msgs to send for one reading, in the configured output mode. */
    const outputs = (msg: NodeMessage | undefined, reading: Reading, unitId: number): NodeMessage[] => {
      const topic = outputTopic(def.topic, msg, unitId);
      const diagnostics = { link: attached.describe(), requests: reading.requests };
      if (outputMode === 'single') {
        return [{ ...buildOutput(msg, reading, { topic, unitId }), diagnostics }];
      }
      // One msg per value, topic "<topic>/<key>": what an MQTT out node publishes as is.
      return Object.entries(reading.payload).map(([key, value]) => {
        const unit = reading.units[key] ?? '';
        const output = buildOutput(
          msg,
          { payload: value, units: { [key]: unit }, timestamp: reading.timestamp },
          { topic: `${topic}/${key}`, unitId },
        );
        return { ...output, key, unit, diagnostics };
      });
    };

    /** One read for a msg (undefined for a poll) from the meter at `unitId`. */
    const read = async (msg: NodeMessage | undefined, unitId: number): Promise<NodeMessage[]> => {
      const fields = stringList(msg?.fields, 'msg.fields');
      const requestedGroups = fields === undefined ? (stringList(msg?.groups, 'msg.groups') ?? groups) : undefined;
      const device = attached.device(unitId);
      // The device checks group and field names and lists the valid ones when one is wrong.
      const reading = await device.readMeasurements(fields !== undefined ? { table, fields } : { table, groups: requestedGroups });
      node.status(successStatus(`${Object.keys(reading.payload).length} values, unit ${unitId}`, reading.timestamp));
      return outputs(msg, reading, unitId);
    };

    /**
     * With sendFailures, a failed read also goes out as a msg without payload and with
     * msg.error, so the next node (socomec-mqtt) can mark the meter offline without a
     * Catch node; the error still reaches done(err) / the status as before.
     */
    const readOrReport = async (msg: NodeMessage | undefined, unitId: number): Promise<NodeMessage[]> => {
      try {
        return await read(msg, unitId);
      } catch (err) {
        if (def.sendFailures === true) {
          const explained = explainError(err, { unitId, link: attached.describe(), block: 'measurements' });
          const failure: NodeMessage = { ...(msg ?? {}), topic: outputTopic(def.topic, msg, unitId), unitId, timestamp: Date.now() };
          delete failure.payload;
          failure.error = { message: explained.message, kind: (explained as Error & { kind?: string }).kind ?? 'error' };
          failure.diagnostics = { link: attached.describe() };
          node.send(failure);
        }
        throw err;
      }
    };

    onMeterInput(node, attached, { unitId: configuredUnit, block: 'measurements' }, readOrReport);

    const poller = pollMeter(node, attached, { seconds: pollSeconds, unitId: configuredUnit, block: 'measurements', topic: def.topic }, readOrReport);

    node.on('close', (_removed: boolean, done: () => void) => {
      poller.stop();
      attached.release();
      node.status({});
      done();
    });
  }

  RED.nodes.registerType('socomec-read-measurements', SocomecReadMeasurementsNode);

  // The editor lists the keys the node will output, straight from the model's profile
  // (model=auto: every model's keys, each with the models that have it).
  RED.httpAdmin.get(
    '/socomec-read-measurements/fields',
    RED.auth.needsPermission('socomec-read-measurements.read'),
    (req: Request, res: Response) => {
      const table = typeof req.query.table === 'string' && req.query.table !== '' ? req.query.table : 'standard';
      const groups = typeof req.query.groups === 'string' && req.query.groups !== '' ? req.query.groups.split(',') : [...MEASUREMENT_GROUPS];
      const model = typeof req.query.model === 'string' && req.query.model !== '' ? req.query.model : undefined;
      const bad = [
        ...(model === undefined || isModelChoice(model) ? [] : [`unknown model "${model}"`]),
        ...(MEASUREMENT_TABLES.includes(table as MeasurementTable) ? [] : [`unknown table "${table}"`]),
        ...groups.filter((g) => !MEASUREMENT_GROUPS.includes(g as MeasurementGroup)).map((g) => `unknown group "${g}"`),
      ];
      if (bad.length > 0) {
        res.status(400).json({ error: bad.join('; ') });
        return;
      }
      if (model === undefined) {
        // A key in two blocks (hourMeter) is output once.
        const seen = new Set<string>();
        const fields = measurementFieldList(table as MeasurementTable, groups as MeasurementGroup[], DIRIS_A20).filter((f) => !seen.has(f.key) && seen.add(f.key));
        res.json(fields.map((f) => ({ key: f.key, label: f.label, unit: f.unit, group: f.group })));
        return;
      }
      const profiles = model === 'auto' ? PROFILES : [getProfile(model)];
      const byKey = new Map<string, { key: string; label: string; unit: string; group: string; models: string[] }>();
      for (const profile of profiles) {
        for (const f of measurementFieldList(table as MeasurementTable, groups as MeasurementGroup[], profile)) {
          const entry = byKey.get(f.key) ?? { key: f.key, label: f.label, unit: f.unit, group: f.group, models: [] };
          if (!entry.models.includes(profile.id)) entry.models.push(profile.id);
          byKey.set(f.key, entry);
        }
      }
      res.json([...byKey.values()]);
    },
  );
};
