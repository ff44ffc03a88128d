import { MAX_UNIT_ID } from '../modbus/limits';
import { decodeField } from '../codec';
import { planReads, planWrites, type PlanOptions, type ReadRequest, type WantedField, type WriteRun } from '../planner';
import { DIRIS_A20, getProfile, PROFILES, profileBlock, visibleFields, type BlockDef, type FieldValue, type MeterProfile } from '../registers';
import { alarmSide } from './alarms';
import { decodeReplies } from './decode';
import {
  detectFromIdentification,
  forgetDetection,
  pendingDetection,
  rememberDetection,
  rememberedDetection,
  trackDetection,
  withoutMissingIdentity,
  type Detection,
  type ModelChoice,
} from './detect';
import { wordReason, type ErrorReason } from '../transport/reasons';
import { DeviceError, meterName, toDeviceError } from './errors';
import { englishPhrase } from './reasons';
import { buildIdentity } from './identity';
import { selectMeasurementFields, type MeasurementSelection } from './measurements';
import { resolveResets } from './reset';
import { scaleByQuantity } from './quantity-scale';
import { keysNeedingCurrentSettings, settingsBlock, validateSettings } from './settings';
import type {
  AlarmState,
  Identity,
  Reading,
  RegisterLink,
  RequestOptions,
  ResetResult,
  SettingsBlockId,
  SettingsChange,
  WriteSettingsOptions,
  WriteSettingsResult,
} from './types';

/** The identification block is the same 66 words in every Socomec table. */
const IDENTIFICATION = DIRIS_A20.blocks.find((b) => b.id === 'identification')!;
const SUPPORTED = PROFILES.map((p) => p.name).join(', ');

function modbusCodeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { modbusCode?: unknown }).modbusCode : undefined;
}

/** Failures after which a write may have been applied: it was sent, but no valid answer came. */
const MAYBE_APPLIED = new Set<string>(['timeout', 'link', 'framing', 'closed']);

export interface DeviceOptions {
  /** Who asks (a flow node id), for fair queueing on the link. */
  source?: string;
  /** Planner option: split reads on gaps larger than this (slow serial lines). */
  maxGapWords?: number;
  /** Extra attempts after a timeout (default: the link's own setting). */
  retries?: number;
  /**
   * The meter's model: "auto" identifies it on first contact (once per unit id per link);
   * a model id ("A10") is checked against the identification and used when that is
   * unreadable or customised. Absent (flows and code from before profiles): the A-20
   * table, as before, until an exception 2 makes the device identify the meter.
   */
  model?: ModelChoice;
}

/**
 * A DIRIS meter at one unit id on a link: reads named, scaled values, validates and writes
 * settings, resets counters, reads alarms. Knows nothing of sockets (the link does that)
 * and nothing of Node-RED.
 */
export class DirisDevice {
  private readonly meter: string;
  private readonly planOptions: PlanOptions;
  /** The last selection read (copies of its lists, so a list changed in place is not mistaken for it) and its plan key. */
  private lastSelection?: { table?: string; groups?: readonly string[]; fields?: readonly string[]; key: string };
  private readonly plans = new Map<string, ReadRequest[]>();

  constructor(
    private readonly link: RegisterLink,
    readonly unitId: number,
    private readonly options: DeviceOptions = {},
  ) {
    if (!Number.isInteger(unitId) || unitId < 1 || unitId > MAX_UNIT_ID) {
      throw new DeviceError('input', { code: 'badUnitId', max: MAX_UNIT_ID, got: String(unitId) }, { problems: [`bad unit id ${String(unitId)}`] });
    }
    this.meter = meterName(unitId, link.description);
    this.planOptions = options.maxGapWords === undefined ? {} : { maxGapWords: options.maxGapWords };
    this.optionsByPriority = {
      normal: Object.freeze({ source: options.source, priority: 'normal', retries: options.retries }),
      high: Object.freeze({ source: options.source, priority: 'high', retries: options.retries }),
    };
  }

  /** Reads the wanted fields with the fewest requests and decodes them into a flat payload. */
  readFields(wanted: readonly WantedField[]): Promise<Reading> {
    return this.readPlanned(planReads(wanted, this.planOptions));
  }

  /**
   * The profile this meter is read with: the remembered one, else (auto or a pinned model)
   * read from the identification block on first contact. Refuses a Socomec product without
   * a profile, and a pinned model the meter says it is not.
   */
  async profile(): Promise<MeterProfile> {
    const choice = this.options.model;
    if (this.tableWithoutModel()) return DIRIS_A20;
    let detection = rememberedDetection(this.link, this.unitId);
    if (!detection) {
      try {
        detection = await this.identify();
      } catch (err) {
        // A pinned model serves meters whose identification cannot be read (an exception, not silence).
        if (choice !== undefined && choice !== 'auto' && err instanceof DeviceError && (err.kind === 'exception' || err.kind === 'not-socomec')) {
          detection = { profile: getProfile(choice), product: 'identification unreadable', family: null };
          rememberDetection(this.link, this.unitId, detection);
        } else throw err;
      }
    }
    return this.accept(detection);
  }

  /** The profile this meter is read with when that is already known (no request), else undefined. */
  knownProfile(): MeterProfile | undefined {
    if (this.tableWithoutModel()) return DIRIS_A20;
    const detection = rememberedDetection(this.link, this.unitId);
    if (!detection) return undefined;
    try {
      return this.accept(detection);
    } catch {
      return undefined;
    }
  }

  /** The model named by the node, the meter, or both; the errors that say why not. */
  private accept(detection: Detection): MeterProfile {
    const choice = this.options.model;
    if (choice !== undefined && choice !== 'auto') {
      const pinned = getProfile(choice);
      if (detection.profile && detection.profile.id !== pinned.id) {
        throw new DeviceError(
          'model-mismatch',
          { code: 'modelMismatch', pinned: pinned.name, actual: detection.profile.name, product: detection.product, actualId: detection.profile.id },
          { meter: this.meter, unitId: this.unitId, block: 'identification (50000)' },
        );
      }
      return pinned;
    }
    if (!detection.profile) {
      throw new DeviceError(
        'unsupported-model',
        { code: 'unsupportedModel', product: detection.product, supported: SUPPORTED },
        { meter: this.meter, unitId: this.unitId, block: 'identification (50000)' },
      );
    }
    return detection.profile;
  }

  /**
   * Reads the identification block and remembers which model it names. Nodes that meet a
   * unit id at the same moment share one identification read.
   */
  private identify(): Promise<Detection> {
    const running = pendingDetection(this.link, this.unitId);
    if (running) return running;
    const detecting = this.readIdentification().then((identification) => {
      const detection = detectFromIdentification(identification.payload);
      rememberDetection(this.link, this.unitId, detection);
      return detection;
    });
    return trackDetection(this.link, this.unitId, detecting);
  }

  private async readIdentification(): Promise<Reading> {
    const reading = await this.readPlanned(this.cachedPlan('identification', () => planReads(visibleFields(IDENTIFICATION).map((field) => ({ block: IDENTIFICATION, field })), this.planOptions)));
    if (reading.payload.signature !== 'SOCO') {
      throw new DeviceError('not-socomec', { code: 'notSocomec', signature: JSON.stringify(reading.payload.signature) ?? 'undefined' }, {
        meter: this.meter,
        unitId: this.unitId,
        block: 'identification (50000)',
      });
    }
    return reading;
  }

  /** Set once an exception 2 showed that a device without a model is not reading an A-20. */
  private legacyDetect = false;

  /** True while a device without a model reads the A-20 table, as before profiles existed. */
  private tableWithoutModel(): boolean {
    return this.options.model === undefined && !this.legacyDetect;
  }

  /**
   * Reads what `plan` asks of the meter's profile. An exception 2 means the meter's table is
   * not the one we read with (another model, or it was replaced): identify again and, when
   * the model changed, read once more with the new table.
   */
  private async readWithProfile(key: string, plan: (profile: MeterProfile) => ReadRequest[], rawWords?: Map<string, number[]>): Promise<Reading> {
    // Without a model the A-20's table is known at once: no wait for profile() on every poll.
    const profile = this.tableWithoutModel() ? DIRIS_A20 : await this.profile();
    try {
      return await this.readPlanned(this.cachedPlan(`${profile.id}:${key}`, () => plan(profile)), rawWords);
    } catch (err) {
      if (modbusCodeOf(err) !== 2) throw err;
      forgetDetection(this.link, this.unitId);
      if (this.options.model === undefined) this.legacyDetect = true;
      const again = await this.profile();
      if (again.id === profile.id) throw err;
      return this.readPlanned(this.cachedPlan(`${again.id}:${key}`, () => plan(again)), rawWords);
    }
  }

  /** `rawWords`, when given, receives each field's reply words by key (to write them back unchanged). */
  private async readPlanned(requests: readonly ReadRequest[], rawWords?: Map<string, number[]>): Promise<Reading> {
    const replies: number[][] = [];
    for (const request of requests) {
      try {
        replies.push(await this.link.readHoldingRegisters(this.unitId, request.address, request.count, this.requestOptions()));
      } catch (err) {
        const block = `${request.block.id} (${request.block.start})`;
        throw toDeviceError(err, { unitId: this.unitId, link: this.link.description, block, action: { code: 'readRegisters', count: request.count, address: request.address } });
      }
    }
    const timestamp = Date.now();
    const { payload, units } = decodeReplies(requests, replies);
    if (rawWords !== undefined) {
      requests.forEach((request, i) => {
        for (const field of request.fields) {
          const offset = field.address - request.address;
          rawWords.set(field.key, replies[i].slice(offset, offset + field.words));
        }
      });
    }
    return { payload, units, timestamp, requests: requests.length };
  }

  /** Reads a whole block of the meter's profile (reserved words too when asked): every row is reachable this way. */
  readBlock(blockId: string, options: { includeReserved?: boolean } = {}): Promise<Reading> {
    // Alarm and settings reads repeat on every poll: plan each block once.
    return this.readWithProfile(`block:${blockId}:${options.includeReserved === true}`, (profile) => {
      const block = this.blockOf(profile, blockId);
      const fields = options.includeReserved ? block.fields : visibleFields(block);
      return planReads(fields.map((field) => ({ block, field })), this.planOptions);
    });
  }

  /** The block of the profile, or an input error naming the model that lacks it. */
  private blockOf(profile: MeterProfile, blockId: string, purpose: ErrorReason = { code: 'purposeRead' }): BlockDef {
    const block = profileBlock(profile, blockId);
    if (!block) {
      const problem: ErrorReason = { code: 'noBlock', model: profile.name, block: blockId, purpose };
      throw new DeviceError('input', problem, { meter: this.meter, unitId: this.unitId, problems: [wordReason(problem, englishPhrase)] });
    }
    return block;
  }

  /** Measurement groups (instantaneous, energies, maxAvg, harmonics...) from the chosen table, or named fields, of the meter's model. */
  readMeasurements(selection: MeasurementSelection = {}): Promise<Reading> {
    // A poller asks for the same selection every time: plan it once, and key it once.
    const last = this.lastSelection;
    let key: string;
    if (last !== undefined && last.table === selection.table && sameNames(last.groups, selection.groups) && sameNames(last.fields, selection.fields)) key = last.key;
    else {
      key = JSON.stringify([selection.table, selection.groups, selection.fields]);
      const listOrAbsent = (list: unknown): boolean => list === undefined || Array.isArray(list);
      // Only lists are kept to compare with (anything else is refused by the selection check below).
      this.lastSelection =
        listOrAbsent(selection.groups) && listOrAbsent(selection.fields)
          ? { table: selection.table, groups: selection.groups?.slice(), fields: selection.fields?.slice(), key }
          : undefined;
    }
    return this.readWithProfile(key, (profile) => planReads(selectMeasurementFields(selection, { unitId: this.unitId, profile }), this.planOptions));
  }

  /** A plan made once per key (bounded, so msg.fields from a flow cannot grow it without end). */
  private cachedPlan(key: string, make: () => ReadRequest[]): ReadRequest[] {
    let requests = this.plans.get(key);
    if (!requests) {
      requests = make();
      if (this.plans.size < 64) this.plans.set(key, requests);
    }
    return requests;
  }

  /** Who the meter is; refuses a unit id that answers but is not a Socomec meter. */
  /**
   * Who the meter is, and which model's table the package reads it with (`model`, null for a
   * Socomec product without a profile); refuses a unit id that answers but is not a Socomec meter.
   * Works for every Socomec product: only the blocks the model has are read.
   */
  async readIdentity(options: { details?: boolean } = {}): Promise<Identity & Pick<Reading, 'timestamp' | 'requests'>> {
    const identification = await this.readIdentification();
    const detection = detectFromIdentification(identification.payload);
    rememberDetection(this.link, this.unitId, detection);
    const profile = detection.profile;
    const readIf = async (blockId: string, read: (block: BlockDef) => Promise<Reading>): Promise<Reading | undefined> => {
      const block = profile ? profileBlock(profile, blockId) : undefined;
      return block ? read(block) : undefined;
    };
    const planned = (block: BlockDef, fields: readonly { key: string }[]) =>
      this.readPlanned(this.cachedPlan(`${profile?.id}:identity:${block.id}`, () => planReads(block.fields.filter((f) => fields.some((w) => w.key === f.key)).map((field) => ({ block, field })), this.planOptions)));
    const optionsBlock = await readIf('options', (block) => planned(block, visibleFields(block)));
    const customization = await readIf('customization', (block) => planned(block, [{ key: 'customizationDataLoaded' }, { key: 'retrofitActivated' }]));
    const last = customization ?? optionsBlock ?? identification;
    const identity: Identity & Pick<Reading, 'timestamp' | 'requests'> = {
      ...withoutMissingIdentity(buildIdentity(identification.payload, optionsBlock?.payload ?? {}, customization?.payload ?? {}), profile),
      model: profile?.id ?? null,
      modelName: profile?.name ?? null,
      timestamp: last.timestamp,
      requests: identification.requests + (optionsBlock?.requests ?? 0) + (customization?.requests ?? 0),
    };
    if (options.details) {
      identity.details = {};
      for (const blockId of ['customization', 'calibration', 'legacyOptions']) {
        const reading = await readIf(blockId, (block) => planned(block, visibleFields(block)));
        if (!reading) continue;
        identity.details[blockId] = reading.payload;
        identity.requests += reading.requests;
      }
    }
    return identity;
  }

  /** The current settings of a settings block (application settings by default). */
  async readSettings(block: SettingsBlockId = 'applicationSettings', rawWords?: Map<string, number[]>): Promise<Reading> {
    let def: BlockDef | undefined;
    const reading = await this.readWithProfile(
      `settings:${block}`,
      (profile) => {
        def = this.settingsBlockOf(profile, block);
        return planReads(visibleFields(def).map((field) => ({ block: def as BlockDef, field })), this.planOptions);
      },
      rawWords,
    );
    def ??= this.settingsBlockOf(await this.profile(), block);
    // Alarm thresholds come out in the unit of the alarm type's quantity, not raw.
    return { ...reading, ...scaleByQuantity(def.fields, reading.payload, reading.units) };
  }

  private settingsBlockOf(profile: MeterProfile, blockId: string): BlockDef {
    try {
      return settingsBlock(blockId, profile);
    } catch (err) {
      if (err instanceof DeviceError) throw new DeviceError('input', { code: 'nothingWritten', cause: err.reason }, { meter: this.meter, unitId: this.unitId, problems: err.problems });
      throw err;
    }
  }

  /**
   * Validates the whole payload, then writes only what differs (contiguous fields in one
   * request), stores the configuration (0xA1), reads back and checks every written value.
   * With dryRun, returns the diff without writing. With no settings, returns the current ones.
   */
  async writeSettings(settings: unknown, options: WriteSettingsOptions = {}): Promise<WriteSettingsResult> {
    const blockId = options.block ?? 'applicationSettings';
    const profile = await this.profile();
    this.settingsBlockOf(profile, blockId);
    const payload = settings ?? {};
    const checks = { allowFactoryBlocks: options.allowFactoryBlocks, unitId: this.unitId, meter: this.meter, profile };
    // The words as they are, so a write that cannot be completed can be undone exactly.
    const oldWords = new Map<string, number[]>();
    let current: Reading | undefined;
    const dependent = keysNeedingCurrentSettings(blockId, payload, profile);
    if (dependent.length > 0) {
      // A threshold's unit follows the meter's alarm type: check everything else before asking the meter.
      validateSettings(blockId, Object.fromEntries(Object.entries(payload as Record<string, unknown>).filter(([key]) => !dependent.includes(key))), checks);
      current = await this.readSettings(blockId, oldWords);
    }
    const planned = validateSettings(blockId, payload, { ...checks, current: current?.payload });
    const before = current ?? (await this.readSettings(blockId, oldWords));
    const changed: Record<string, SettingsChange> = {};
    const toWrite = planned.filter((w) => {
      const from = before.payload[w.field.key];
      const to = decodeField(w.field, w.words);
      if (sameValue(from, to)) return false;
      changed[w.field.key] = { from, to };
      return true;
    });
    if (options.dryRun || toWrite.length === 0) {
      return { ...before, changed, dryRun: options.dryRun === true, writes: 0 };
    }

    const block = this.settingsBlockOf(profile, blockId);
    const where = `${block.id} (${block.start})`;
    let writes = 0;
    // Runs the meter holds now.
    const applied: WriteRun[] = [];
    for (const run of planWrites(toWrite)) {
      try {
        await this.writeRun(run.address, run.words);
        applied.push(run);
        writes++;
      } catch (err) {
        const failure = toDeviceError(err, { unitId: this.unitId, link: this.link.description, block: where, action: { code: 'writeFields', keys: run.fields.map((f) => f.key) } });
        // Refused (exception) or never sent (backoff, full queue): not applied. Sent without a valid answer: maybe.
        const maybe = MAYBE_APPLIED.has(failure.kind) ? run : undefined;
        throw await this.undoWrites(applied, maybe, failure, { oldWords, changed, where });
      }
    }
    if (options.store !== false) {
      try {
        await this.sendAction('store');
      } catch (err) {
        // Written but not stored: put the old values back, so the meter is as before.
        throw await this.undoWrites(applied, undefined, err as DeviceError, { oldWords, changed, where });
      }
      writes++;
    }
    const after = await this.readSettings(blockId);
    const mismatches: ErrorReason[] = toWrite
      .filter((w) => !sameValue(after.payload[w.field.key], changed[w.field.key].to))
      .map((w) => ({ code: 'readsBack', key: w.field.key, read: JSON.stringify(after.payload[w.field.key]) ?? 'undefined', wrote: JSON.stringify(changed[w.field.key].to) ?? 'undefined' }));
    if (mismatches.length > 0) {
      throw new DeviceError('verify', { code: 'settingsWrittenDiffer', block: block.id, mismatches }, {
        meter: this.meter,
        unitId: this.unitId,
        block: `${block.id} (${block.start})`,
        problems: mismatches.map((m) => wordReason(m, englishPhrase)),
      });
    }
    return { ...after, changed, dryRun: false, writes, requests: before.requests + writes + after.requests };
  }

  private writeRun(address: number, words: number[]): Promise<void> {
    return words.length === 1
      ? this.link.writeRegister(this.unitId, address, words[0], this.requestOptions('high'))
      : this.link.writeRegisters(this.unitId, address, words, this.requestOptions('high'));
  }

  /**
   * After a failed request of a settings write: writes the old words of every run that is
   * (or may be) applied back, last first, and returns the error to throw, saying what was
   * restored or, when restoring failed too, exactly which settings are changed on the
   * meter now (and which may be, when the meter did not answer).
   */
  private async undoWrites(
    applied: readonly WriteRun[],
    maybeApplied: WriteRun | undefined,
    failure: DeviceError,
    context: { oldWords: ReadonlyMap<string, number[]>; changed: Readonly<Record<string, SettingsChange>>; where: string },
  ): Promise<DeviceError> {
    const runs = maybeApplied === undefined ? applied : [...applied, maybeApplied];
    if (runs.length === 0) return failure;
    const restored: string[] = [];
    const stillChanged: Record<string, SettingsChange> = {};
    const maybeChanged: string[] = [];
    for (const run of [...runs].reverse()) {
      try {
        await this.writeRun(run.address, run.fields.flatMap((f) => context.oldWords.get(f.key) ?? []));
        restored.push(...run.fields.map((f) => f.key));
      } catch {
        for (const f of run.fields) {
          if (run === maybeApplied) maybeChanged.push(f.key);
          else stillChanged[f.key] = context.changed[f.key];
        }
      }
    }
    const value = (v: unknown): string => JSON.stringify(v) ?? 'undefined';
    const change = (key: string, from: unknown, to: unknown): ErrorReason => ({ code: 'settingChange', key, to: value(to), from: value(from) });
    const changedKeys = Object.keys(stillChanged);
    const parts: ErrorReason[] = [];
    if (changedKeys.length > 0) {
      parts.push({ code: 'restoreFailed', changes: changedKeys.map((key) => change(key, stillChanged[key].from, stillChanged[key].to)) });
    }
    if (maybeChanged.length > 0) {
      parts.push({ code: 'maybeChanged', changes: maybeChanged.map((key) => change(key, context.changed[key].from, context.changed[key].to)) });
    }
    if (restored.length > 0) parts.push({ code: 'restored', settings: restored.map((key) => ({ code: 'settingWas', key, from: value(context.changed[key].from) })) });
    if (changedKeys.length === 0 && maybeChanged.length === 0) parts.push({ code: 'asBefore' });
    const problems = [
      ...changedKeys.map((key) => `${key} is ${value(stillChanged[key].to)} on the meter`),
      ...maybeChanged.map((key) => `${key} may be ${value(context.changed[key].to)} on the meter`),
    ];
    return new DeviceError(failure.kind, { code: 'writeUndone', failure: failure.reason, parts }, {
      meter: this.meter,
      unitId: this.unitId,
      link: this.link.description,
      block: context.where,
      modbusCode: failure.modbusCode,
      problems: problems.length > 0 ? problems : undefined,
      restored,
      changedOnMeter: changedKeys.length > 0 ? stillChanged : undefined,
      cause: failure,
    });
  }

  /** Resets counters by name (or bit mask on models with one reset register), only those `allowed` permits, with the model's own commands. */
  async reset(what: unknown, allowed: readonly string[]): Promise<ResetResult> {
    const profile = await this.profile();
    const { targets, names } = resolveResets(what, allowed, { unitId: this.unitId, meter: this.meter, profile });
    for (const target of targets) {
      try {
        await this.link.writeRegister(this.unitId, target.address, target.mask, this.requestOptions('high'));
      } catch (err) {
        throw toDeviceError(err, { unitId: this.unitId, link: this.link.description, block: `reset (${target.address})`, action: { code: 'resetMask', mask: `0x${target.mask.toString(16)}` } });
      }
    }
    const result: ResetResult = { mask: targets[0]?.mask ?? 0, reset: names };
    if (targets.length > 1) result.registers = targets;
    return result;
  }

  /** Restarts the meter (0xB2). It stops answering for a moment. */
  restart(): Promise<void> {
    return this.sendAction('restart');
  }

  /** Loads the factory configuration (0xC3): every setting back to its default. */
  loadFactoryConfiguration(): Promise<void> {
    return this.sendAction('factoryConfig');
  }

  /** Active threshold alarms (cause by name, value in its unit, duration) and, optionally, input/output states. */
  async readAlarms(options: { legacy?: boolean; io?: boolean } = {}): Promise<AlarmState> {
    const profile = await this.profile();
    this.blockOf(profile, options.legacy ? 'legacyAlarms' : 'alarms', { code: 'purposeAlarms' });
    const alarms = await this.readBlock(options.legacy ? 'legacyAlarms' : 'alarms');
    const p = alarms.payload;
    const state: AlarmState = {
      lower: alarmSide(p.lowerAlarmCause, p.lowerAlarmValue),
      upper: alarmSide(p.upperAlarmCause, p.upperAlarmValue),
      duration: typeof p.alarmDuration === 'number' ? p.alarmDuration : 0,
      timestamp: alarms.timestamp,
      requests: alarms.requests,
    };
    if (options.io) {
      // The A-20 has an inputs block (8192); the A-10 gives its inputs as bits of 51969 only.
      const inputs = profileBlock(profile, 'inputs') ? await this.readBlock('inputs') : undefined;
      const io = await this.readBlock('inputsOutputs');
      state.inputs = inputs ? (inputs.payload as Record<string, boolean>) : firstStates(io.payload.inputStates, io.payload.inputCount);
      state.outputs = firstStates(io.payload.outputStates, io.payload.outputCount);
      state.timestamp = io.timestamp;
      state.requests += (inputs?.requests ?? 0) + io.requests;
    }
    return state;
  }

  private async sendAction(action: string): Promise<void> {
    const profile = await this.profile();
    const address = this.blockOf(profile, 'actions', { code: 'purposeSend', action }).start;
    const code = Object.entries(profile.actions).find(([, name]) => name === action)?.[0];
    if (code === undefined) {
      const commands = Object.values(profile.actions);
      const problem = `the ${profile.name} has no ${action} command (its commands: ${commands.join(', ')})`;
      throw new DeviceError('input', { code: 'noCommand', model: profile.name, action, commands }, { meter: this.meter, unitId: this.unitId, block: `actions (${address})`, problems: [problem] });
    }
    try {
      await this.link.writeRegister(this.unitId, address, Number(code), this.requestOptions('high'));
    } catch (err) {
      throw toDeviceError(err, { unitId: this.unitId, link: this.link.description, block: `actions (${address})`, action: { code: 'command', action } });
    }
    // A restarted meter may come back as something else (a replaced meter): identify it again.
    if (action === 'restart') forgetDetection(this.link, this.unitId);
  }

  /** The same two option objects for every request of this device: a poll allocates none. */
  private readonly optionsByPriority: Readonly<Record<'normal' | 'high', RequestOptions>>;

  private requestOptions(priority: 'normal' | 'high' = 'normal'): RequestOptions {
    return this.optionsByPriority[priority];
  }
}

/** The first `count` named states of a bit field. */
function firstStates(states: FieldValue, count: FieldValue): Record<string, boolean> {
  const all = (typeof states === 'object' && states !== null && !Array.isArray(states) ? states : {}) as Record<string, boolean>;
  const n = typeof count === 'number' ? count : 0;
  return Object.fromEntries(Object.entries(all).slice(0, n));
}

function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The same names in the same order (both absent counts as the same); not a match for anything that is not a list. */
function sameNames(kept: readonly string[] | undefined, asked: unknown): boolean {
  if (kept === undefined || asked === undefined) return kept === asked;
  if (!Array.isArray(asked) || asked.length !== kept.length) return false;
  for (let i = 0; i < kept.length; i++) if (asked[i] !== kept[i]) return false;
  return true;
}
