/**
 * socomec-read-measurements: named, scaled electrical values (instantaneous, energies,
 * max/avg, harmonics) from one DIRIS or a list of them on one connection, on each input and
 * optionally on an interval (each group at its own rate; the line's budget watched).
 * Its parse, its work and its poll; the lifecycle is defineMeterNode's.
 */
import type { NodeAPI, NodeMessage, NodeStatus } from 'node-red';
import { LinePoller, type FailedPoll, type MeasurementGroup, type MeasurementTable, type PollRate, type PolledReading, type Reading } from '../device';
import { serveMeasurementFields } from './admin-endpoints';
import { parseUnitIdList } from './connection-settings';
import { configuredSeconds, configuredSetting, configuredUnitId, stringList } from './input-parsing';
import { defineMeterNode, outputTopic, type MeterNodeContext, type MeterNodeDef, type MeterNodeSettings, type MeterWork, type PollReport } from './meter-node';
import { reasonOf, textReason } from '../transport/reasons';
import { explainError, messageOf, NodeInputError, type FailureContext } from './node-errors';
import { configuredModel } from './model-choice';
import { clockTime, successStatus } from './node-status';
import { catalogText, fitStatus, statusText } from './status-text';

type OutputMode = 'single' | 'perValue';

interface ReadMeasurementsDef extends MeterNodeDef {
  unitId?: number | string;
  /** More meters: "5-12, 20" (blank: the unit id alone). */
  unitIds?: string;
  topic?: string;
  /** Checked groups in the editor (an array; older or hand-made flows may hold a comma separated string). */
  groups?: string[] | string;
  table?: string;
  /** Seconds between polls; 0 or blank = read only on input. */
  pollSeconds?: number | string;
  /** These of the groups every slowSeconds instead (blank: every group at pollSeconds). */
  slowGroups?: string[] | string;
  slowSeconds?: number | string;
  outputMode?: OutputMode;
  /** "auto", a model id ("A10"), or absent (flows from before models: the A-20 table). */
  model?: string;
  /** Also send a failed read as a msg with msg.error and no payload (for socomec-mqtt's availability). */
  sendFailures?: boolean;
  /** A second output with each meter's health after each of its polls. */
  health?: boolean;
}

interface ReadMeasurementsSettings extends MeterNodeSettings {
  /** Every meter the node reads: the unit id alone, or the list. */
  unitIds: number[];
  groups: string[];
  table: MeasurementTable;
  /** The poll's rates (empty: no poll). */
  rates: PollRate[];
  outputMode: OutputMode;
  sendFailures: boolean;
  health: boolean;
}

const TYPE = 'socomec-read-measurements';

/** The poll's rates: the groups not slow at the poll interval, the slow ones at theirs. */
function pollRates(groups: string[], pollSeconds: number | 'once' | undefined, slowGroups: string[], slowSeconds: number): PollRate[] {
  if (!(typeof pollSeconds === 'number' && pollSeconds > 0)) return [];
  const notRead = slowGroups.filter((g) => !groups.includes(g));
  if (notRead.length > 0) {
    throw new NodeInputError({ code: 'slowGroupsNotRead', slow: notRead, groups });
  }
  const slow = slowSeconds > 0 ? groups.filter((g) => slowGroups.includes(g)) : [];
  const fast = groups.filter((g) => !slow.includes(g));
  const rates: PollRate[] = [];
  if (fast.length > 0) rates.push({ groups: fast as MeasurementGroup[], everyMs: pollSeconds * 1000 });
  if (slow.length > 0) rates.push({ groups: slow as MeasurementGroup[], everyMs: slowSeconds * 1000 });
  return rates;
}

function parse(def: ReadMeasurementsDef): ReadMeasurementsSettings {
  const unitId = configuredUnitId(def.unitId);
  const listed = configuredSetting<string>(TYPE, 'unitIds', def.unitIds);
  const poll = configuredSeconds(def.pollSeconds, 'pollSeconds');
  // A comma separated string (older or hand-made flows) is a list too.
  const groups = configuredSetting<string[]>(TYPE, 'groups', stringList(def.groups, 'groups'));
  let unitIds: number[];
  try {
    unitIds = typeof listed === 'string' && listed.trim() !== '' ? parseUnitIdList(listed) : [unitId];
  } catch (err) {
    throw new NodeInputError({ code: 'badUnitIdList', cause: reasonOf(err) ?? textReason(messageOf(err)) });
  }
  return {
    unitId: unitIds[0],
    unitIds,
    poll,
    model: configuredModel(def.model),
    topic: def.topic,
    block: 'measurements',
    groups,
    table: configuredSetting<MeasurementTable>(TYPE, 'table', def.table),
    rates: pollRates(
      groups,
      poll,
      configuredSetting<string[]>(TYPE, 'slowGroups', stringList(def.slowGroups, 'slowGroups') ?? []),
      configuredSetting<number | string>(TYPE, 'slowSeconds', def.slowSeconds) === '' ? 0 : Number(configuredSetting(TYPE, 'slowSeconds', def.slowSeconds)),
    ),
    outputMode: configuredSetting<OutputMode>(TYPE, 'outputMode', def.outputMode),
    sendFailures: def.sendFailures === true,
    health: def.health === true,
  };
}

type Meter = MeterNodeContext<ReadMeasurementsSettings>;

/** Show `status` unless the node shows just that now (many meters' reads in one second would repeat it). */
function showChanged(meter: Meter, status: NodeStatus): void {
  const shown = meter.shown;
  if (shown !== undefined && shown.text === status.text && shown.fill === status.fill && shown.shape === status.shape) return;
  meter.status(status);
}

/** An interval for a status, in seconds: "0.35", "1.5", "12.0", "90". */
function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 1) return s.toPrecision(2);
  return s < 100 ? s.toFixed(1) : String(Math.round(s));
}

/**
 * What a msg says of its meter besides the unit id: its name on the connection, its model
 * (known once it has been read). Made once per meter and model, shared by its msgs (the
 * output copies it onto each).
 */
function meterFacts(meter: Meter): (unitId: number) => Readonly<Record<string, unknown>> {
  const known = new Map<number, { profile: unknown; facts: Readonly<Record<string, unknown>> }>();
  return (unitId) => {
    const profile = meter.attached.device(unitId).knownProfile();
    const cached = known.get(unitId);
    if (cached !== undefined && cached.profile === profile) return cached.facts;
    const facts: Record<string, unknown> = {};
    const name = meter.attached.connection.meterName(unitId);
    if (name !== undefined) facts.meter = name;
    if (profile !== undefined) {
      facts.model = profile.id;
      facts.modelName = profile.name;
    }
    known.set(unitId, { profile, facts: Object.freeze(facts) });
    return facts;
  };
}

/**
 * The green "38 values, unit 5 12:03:09" after a reading, set only when it would read
 * differently: polls faster than once a second (or many meters on one node) would otherwise
 * send the editor the same status again and again.
 */
function valuesStatus(meter: Meter): (unitId: number, reading: Reading, ownSelection?: boolean) => void {
  let last: { status: NodeStatus; second: number; unitId: number } | undefined;
  return (unitId, reading, ownSelection = false) => {
    const second = Math.floor(reading.timestamp / 1000);
    // Still standing (no error or link state since), same second, same meter, the node's own selection: it would read the same.
    if (!ownSelection && last !== undefined && meter.shown === last.status && last.second === second && last.unitId === unitId) return;
    const status = successStatus(statusText('values', { count: String(Object.keys(reading.payload).length), unitId: String(unitId) }), reading.timestamp);
    last = { status, second, unitId };
    meter.status(status);
  };
}

/** The msgs for one reading, in the configured output mode. */
function outputs(meter: Meter, msg: NodeMessage | undefined, reading: Reading, unitId: number, facts: Readonly<Record<string, unknown>>): NodeMessage[] {
  if (meter.settings.outputMode === 'single') return [meter.output(msg, unitId, reading, facts)];
  // One msg per value, topic "<topic>/<key>": what an MQTT out node publishes as is.
  return Object.entries(reading.payload).map(([key, value]) => {
    const unit = reading.units[key] ?? '';
    const one = { payload: value, units: { [key]: unit }, timestamp: reading.timestamp, requests: reading.requests, topicSuffix: key };
    return meter.output(msg, unitId, one, Object.assign({ key, unit }, facts));
  });
}

/**
 * With sendFailures, a failed read also goes out as a msg without payload and with
 * msg.error, so the next node (socomec-mqtt) can mark the meter offline without a Catch
 * node; the error still reaches done(err) / the status as before.
 */
function failureMessage(meter: Meter, msg: NodeMessage | undefined, unitId: number, err: unknown, where: FailureContext): NodeMessage {
  const explained = explainError(err, where);
  const failure: NodeMessage = { ...(msg ?? {}), topic: outputTopic(meter.settings.topic, msg, unitId), unitId, timestamp: Date.now() };
  delete failure.payload;
  const name = meter.attached.connection.meterName(unitId);
  if (name !== undefined) failure.meter = name;
  failure.error = { message: explained.message, kind: (explained as Error & { kind?: string }).kind ?? 'error' };
  failure.diagnostics = { link: meter.attached.describe() };
  return failure;
}

function work(meter: Meter): MeterWork {
  const { node, settings, attached } = meter;
  const showValues = valuesStatus(meter);
  const factsOf = meterFacts(meter);
  const readOne = async (msg: NodeMessage | undefined, unitId: number, where: FailureContext): Promise<NodeMessage[]> => {
    try {
      const fields = stringList(msg?.fields, 'msg.fields');
      const groups = fields === undefined ? (stringList(msg?.groups, 'msg.groups') ?? settings.groups) : undefined;
      // The device checks group and field names and lists the valid ones when one is wrong.
      const reading = await attached.device(unitId).readMeasurements(fields !== undefined ? { table: settings.table, fields } : { table: settings.table, groups });
      showValues(unitId, reading, fields !== undefined || groups !== settings.groups);
      return outputs(meter, msg, reading, unitId, factsOf(unitId));
    } catch (err) {
      if (settings.sendFailures && !meter.closed) node.send(failureMessage(meter, msg, unitId, err, where));
      throw err;
    }
  };
  return async (msg, unitId, where) => {
    // msg.unitId picks one meter; otherwise every meter of the node, one after the other (one line).
    if (settings.unitIds.length === 1 || (msg !== undefined && msg.unitId !== undefined)) return readOne(msg, unitId, where);
    const sent: NodeMessage[] = [];
    const failures: Array<{ unitId: number; err: unknown }> = [];
    for (const each of settings.unitIds) {
      try {
        sent.push(...(await readOne(msg, each, { ...where, unitId: each })));
      } catch (err) {
        failures.push({ unitId: each, err });
      }
    }
    // No meter answered: the msg fails with the first meter's error, the others are named beside it.
    const thrown = sent.length === 0 ? failures.shift() : undefined;
    if (!meter.closed) for (const { unitId: each, err } of failures) node.error(explainError(err, { ...where, unitId: each }), { ...(msg ?? {}), unitId: each });
    if (thrown !== undefined) {
      where.unitId = thrown.unitId;
      throw thrown.err;
    }
    return sent;
  };
}

/** The health msg of one meter (second output). */
function healthMessage(meter: Meter, poller: LinePoller, unitId: number): NodeMessage {
  const health = poller.health(unitId);
  const msg: NodeMessage = { topic: `${outputTopic(meter.settings.topic, undefined, unitId)}/health`, payload: health, unitId };
  const name = meter.attached.connection.meterName(unitId);
  if (name !== undefined) msg.meter = name;
  return msg;
}

/** The node's poll: its meters on a line poller (each group at its rate), counted in the line's budget. */
function poll(meter: Meter, _work: MeterWork, report: PollReport, startDelayMs: number): { stop(): Promise<void> } | undefined {
  const { node, settings, attached } = meter;
  if (settings.rates.length === 0) return undefined;
  const poller = new LinePoller(undefined, {
    unitIds: settings.unitIds,
    rates: settings.rates,
    table: settings.table,
    deviceFor: (unitId) => attached.device(unitId),
    startDelayMs,
  });
  const leaveBudget = attached.connection.addPoller(node.id, poller, node.name || node.id);
  const answering = new Map<number, boolean>();
  const showValues = valuesStatus(meter);
  const factsOf = meterFacts(meter);
  const where = (unitId: number): FailureContext => ({ unitId, link: attached.describe(), block: settings.block });
  const healthOutput = (unitId: number): NodeMessage[] | null => (settings.health ? [healthMessage(meter, poller, unitId)] : null);

  /** Green with the time of the last reading; yellow when some meters fail or the line is over its budget. */
  const showStatus = (unitId: number, reading: Reading | undefined): void => {
    const load = attached.connection.lineLoad();
    if (load.exceeded) {
      // The estimate fits but polls were skipped (reads slower than measured): no interval to offer.
      const text = load.stretch > 1 ? catalogText('line', 'overBudget', { every: seconds(poller.fastestEveryMs * load.stretch) }) : catalogText('line', 'overBudgetSkipped');
      showChanged(meter, { fill: 'yellow', shape: 'dot', text: fitStatus(text) });
      return;
    }
    if (reading === undefined) return;
    if (settings.unitIds.length === 1) {
      showValues(unitId, reading);
      return;
    }
    let ok = 0;
    for (const good of answering.values()) if (good) ok++;
    const text = fitStatus(catalogText('line', 'meters', { ok: String(ok), count: String(settings.unitIds.length), time: clockTime(reading.timestamp) }));
    showChanged(meter, { fill: ok === settings.unitIds.length ? 'green' : 'yellow', shape: 'dot', text });
  };

  poller.on('reading', ({ unitId, reading }: PolledReading) => {
    answering.set(unitId, true);
    report.succeeded(unitId);
    showStatus(unitId, reading);
    report.send([outputs(meter, undefined, reading, unitId, factsOf(unitId)), healthOutput(unitId)]);
  });
  poller.on('failure', ({ unitId, error }: FailedPoll) => {
    answering.set(unitId, false);
    if (settings.sendFailures && !meter.closed) report.send([[failureMessage(meter, undefined, unitId, error, where(unitId))]]);
    report.send([null, healthOutput(unitId)]);
    // One meter of many failing: named in the log and by the yellow count, not a red status for all.
    report.failed(error, where(unitId), settings.unitIds.length === 1);
    if (settings.unitIds.length > 1) showStatus(unitId, undefined);
  });
  poller.start();
  return {
    stop: async () => {
      leaveBudget();
      await poller.stop();
    },
  };
}

export = function (RED: NodeAPI): void {
  defineMeterNode<ReadMeasurementsDef, ReadMeasurementsSettings>(RED, { type: TYPE, parse, work, poll });
  serveMeasurementFields(RED);
};
