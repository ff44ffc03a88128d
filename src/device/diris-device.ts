import { decodeField } from '../codec';
import { planReads, planWrites, type PlanOptions, type ReadRequest, type WantedField, type WriteRun } from '../planner';
import { ACTIONS, getBlock, visibleFields, type BlockDef, type FieldValue } from '../registers';
import { alarmSide } from './alarms';
import { decodeReplies } from './decode';
import { DeviceError, meterName, toDeviceError } from './errors';
import { buildIdentity } from './identity';
import { selectMeasurementFields, type MeasurementSelection } from './measurements';
import { resetNamesOf, resolveResetMask } from './reset';
import { validateSettings } from './settings';
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

/** Failures after which a write may have been applied: it was sent, but no valid answer came. */
const MAYBE_APPLIED = new Set<string>(['timeout', 'link', 'framing', 'closed']);

const ACTION_CODES = Object.fromEntries(Object.entries(ACTIONS).map(([code, name]) => [name, Number(code)])) as Record<string, number>;
const ACTION_ADDRESS = getBlock('actions').start;
const RESET_ADDRESS = getBlock('reset').start;

export interface DeviceOptions {
  /** Who asks (a flow node id), for fair queueing on the link. */
  source?: string;
  /** Planner option: split reads on gaps larger than this (slow serial lines). */
  maxGapWords?: number;
  /** Extra attempts after a timeout (default: the link's own setting). */
  retries?: number;
}

/**
 * A DIRIS meter at one unit id on a link: reads named, scaled values, validates and writes
 * settings, resets counters, reads alarms. Knows nothing of sockets (the link does that)
 * and nothing of Node-RED.
 */
export class DirisDevice {
  private readonly meter: string;
  private readonly planOptions: PlanOptions;
  private readonly plans = new Map<string, ReadRequest[]>();

  constructor(
    private readonly link: RegisterLink,
    readonly unitId: number,
    private readonly options: DeviceOptions = {},
  ) {
    if (!Number.isInteger(unitId) || unitId < 1 || unitId > 247) {
      throw new DeviceError('input', `unit id must be an integer 1..247, got ${String(unitId)}`, { problems: [`bad unit id ${String(unitId)}`] });
    }
    this.meter = meterName(unitId, link.description);
    this.planOptions = options.maxGapWords === undefined ? {} : { maxGapWords: options.maxGapWords };
  }

  /** Reads the wanted fields with the fewest requests and decodes them into a flat payload. */
  readFields(wanted: readonly WantedField[]): Promise<Reading> {
    return this.readPlanned(planReads(wanted, this.planOptions));
  }

  /** `rawWords`, when given, receives each field's reply words by key (to write them back unchanged). */
  private async readPlanned(requests: readonly ReadRequest[], rawWords?: Map<string, number[]>): Promise<Reading> {
    const replies: number[][] = [];
    for (const request of requests) {
      const block = `${request.block.id} (${request.block.start})`;
      try {
        replies.push(await this.link.readHoldingRegisters(this.unitId, request.address, request.count, this.requestOptions()));
      } catch (err) {
        throw toDeviceError(err, { unitId: this.unitId, link: this.link.description, block, action: `reading ${request.count} registers at ${request.address}` });
      }
    }
    const timestamp = Date.now();
    const decoded = decodeReplies(requests, replies);
    requests.forEach((request, i) => {
      for (const field of rawWords === undefined ? [] : request.fields) {
        const offset = field.address - request.address;
        rawWords?.set(field.key, replies[i].slice(offset, offset + field.words));
      }
    });
    return { ...decoded, timestamp, requests: requests.length };
  }

  /** Reads a whole block (reserved words too when asked): every row of the map is reachable this way. */
  readBlock(blockId: string, options: { includeReserved?: boolean } = {}, rawWords?: Map<string, number[]>): Promise<Reading> {
    // Alarm and settings reads repeat on every poll: plan each block once.
    return this.readPlanned(
      this.cachedPlan(`block:${blockId}:${options.includeReserved === true}`, () => {
        const block = getBlock(blockId);
        const fields = options.includeReserved ? block.fields : visibleFields(block);
        return planReads(fields.map((field) => ({ block, field })), this.planOptions);
      }),
      rawWords,
    );
  }

  /** Measurement groups (instantaneous, energies, maxAvg, harmonics) from the chosen table, or named fields. */
  readMeasurements(selection: MeasurementSelection = {}): Promise<Reading> {
    // A poller asks for the same selection every time: plan it once.
    const key = JSON.stringify([selection.table, selection.groups, selection.fields]);
    return this.readPlanned(this.cachedPlan(key, () => planReads(selectMeasurementFields(selection, { unitId: this.unitId }), this.planOptions)));
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
  async readIdentity(options: { details?: boolean } = {}): Promise<Identity & Pick<Reading, 'timestamp' | 'requests'>> {
    const identification = await this.readBlock('identification');
    if (identification.payload.signature !== 'SOCO') {
      throw new DeviceError('not-socomec', `${this.meter}: not a Socomec meter (signature at 50000 is ${JSON.stringify(identification.payload.signature)}, expected "SOCO")`, {
        unitId: this.unitId,
        block: 'identification (50000)',
      });
    }
    const options_ = await this.readBlock('options');
    const customization = await this.readFields(['customizationDataLoaded', 'retrofitActivated'].map((key) => this.wanted('customization', key)));
    const identity: Identity & Pick<Reading, 'timestamp' | 'requests'> = {
      ...buildIdentity(identification.payload, options_.payload, customization.payload),
      timestamp: customization.timestamp,
      requests: identification.requests + options_.requests + customization.requests,
    };
    if (options.details) {
      identity.details = {};
      for (const blockId of ['customization', 'calibration', 'legacyOptions']) {
        const reading = await this.readBlock(blockId);
        identity.details[blockId] = reading.payload;
        identity.requests += reading.requests;
      }
    }
    return identity;
  }

  /** The current settings of a settings block (application settings by default). */
  readSettings(block: SettingsBlockId = 'applicationSettings'): Promise<Reading> {
    return this.readBlock(block);
  }

  /**
   * Validates the whole payload, then writes only what differs (contiguous fields in one
   * request), stores the configuration (0xA1), reads back and checks every written value.
   * With dryRun, returns the diff without writing. With no settings, returns the current ones.
   */
  async writeSettings(settings: unknown, options: WriteSettingsOptions = {}): Promise<WriteSettingsResult> {
    const blockId = options.block ?? 'applicationSettings';
    const planned = validateSettings(blockId, settings ?? {}, { allowFactoryBlocks: options.allowFactoryBlocks, unitId: this.unitId, meter: this.meter });
    // The words as they are, so a write that cannot be completed can be undone exactly.
    const oldWords = new Map<string, number[]>();
    const before = await this.readBlock(blockId, {}, oldWords);
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

    const block = getBlock(blockId);
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
        const failure = toDeviceError(err, { unitId: this.unitId, link: this.link.description, block: where, action: `writing ${run.fields.map((f) => f.key).join(', ')}` });
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
    const mismatches = toWrite
      .filter((w) => !sameValue(after.payload[w.field.key], changed[w.field.key].to))
      .map((w) => `${w.field.key} reads back ${JSON.stringify(after.payload[w.field.key])}, wrote ${JSON.stringify(changed[w.field.key].to)}`);
    if (mismatches.length > 0) {
      throw new DeviceError('verify', `${this.meter}: settings written but the read-back differs (${block.id}): ${mismatches.join('; ')}`, {
        unitId: this.unitId,
        block: `${block.id} (${block.start})`,
        problems: mismatches,
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
    const value = (v: unknown): string => JSON.stringify(v);
    const was = (keys: string[]): string => keys.map((key) => `${key} = ${value(context.changed[key].from)}`).join(', ');
    const changedKeys = Object.keys(stillChanged);
    const parts: string[] = [];
    if (changedKeys.length > 0) {
      parts.push(`restoring failed: now changed on the meter (not stored): ${changedKeys.map((key) => `${key} = ${value(stillChanged[key].to)} (was ${value(stillChanged[key].from)})`).join(', ')}`);
    }
    if (maybeChanged.length > 0) {
      parts.push(`maybe changed on the meter (no answer): ${maybeChanged.map((key) => `${key} = ${value(context.changed[key].to)} (was ${value(context.changed[key].from)})`).join(', ')}`);
    }
    if (restored.length > 0) parts.push(`restored ${was(restored)}`);
    if (changedKeys.length === 0 && maybeChanged.length === 0) parts.push("the meter's settings are as before");
    const problems = [
      ...changedKeys.map((key) => `${key} is ${value(stillChanged[key].to)} on the meter`),
      ...maybeChanged.map((key) => `${key} may be ${value(context.changed[key].to)} on the meter`),
    ];
    return new DeviceError(failure.kind, `${failure.message}; ${parts.join('; ')}`, {
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

  /** Resets counters by name or bit mask, only those `allowed` permits. */
  async reset(what: unknown, allowed: readonly string[]): Promise<ResetResult> {
    const mask = resolveResetMask(what, allowed, { unitId: this.unitId, meter: this.meter });
    try {
      await this.link.writeRegister(this.unitId, RESET_ADDRESS, mask, this.requestOptions('high'));
    } catch (err) {
      throw toDeviceError(err, { unitId: this.unitId, link: this.link.description, block: `reset (${RESET_ADDRESS})`, action: `reset 0x${mask.toString(16)}` });
    }
    return { mask, reset: resetNamesOf(mask) };
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
      const inputs = await this.readBlock('inputs');
      const io = await this.readBlock('inputsOutputs');
      state.inputs = inputs.payload as Record<string, boolean>;
      state.outputs = firstStates(io.payload.outputStates, io.payload.outputCount);
      state.timestamp = io.timestamp;
      state.requests += inputs.requests + io.requests;
    }
    return state;
  }

  private async sendAction(action: string): Promise<void> {
    try {
      await this.link.writeRegister(this.unitId, ACTION_ADDRESS, ACTION_CODES[action], this.requestOptions('high'));
    } catch (err) {
      throw toDeviceError(err, { unitId: this.unitId, link: this.link.description, block: `actions (${ACTION_ADDRESS})`, action: `command ${action}` });
    }
  }

  private wanted(blockId: string, key: string): WantedField {
    const block: BlockDef = getBlock(blockId);
    return { block, field: block.fields.find((f) => f.key === key)! };
  }

  private requestOptions(priority: 'normal' | 'high' = 'normal'): RequestOptions {
    return { source: this.options.source, priority, retries: this.options.retries };
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
