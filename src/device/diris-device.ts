import { decodeField } from '../codec';
import { planReads, planWrites, type PlanOptions, type ReadRequest, type WantedField } from '../planner';
import { ACTIONS, getBlock, visibleFields, type BlockDef, type FieldValue } from '../registers';
import { alarmSide } from './alarms';
import { decodeReplies } from './decode';
import { DeviceError, meterName, toDeviceError } from './errors';
import { buildIdentity } from './identity';
import { selectMeasurementFields, type MeasurementSelection } from './measurements';
import { resetNamesOf, resolveResetMask } from './reset';
import { scaleByQuantity } from './quantity-scale';
import { keysNeedingCurrentSettings, validateSettings } from './settings';
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

  private async readPlanned(requests: readonly ReadRequest[]): Promise<Reading> {
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
    return { ...decodeReplies(requests, replies), timestamp, requests: requests.length };
  }

  /** Reads a whole block (reserved words too when asked): every row of the map is reachable this way. */
  readBlock(blockId: string, options: { includeReserved?: boolean } = {}): Promise<Reading> {
    // Alarm and settings reads repeat on every poll: plan each block once.
    return this.readPlanned(
      this.cachedPlan(`block:${blockId}:${options.includeReserved === true}`, () => {
        const block = getBlock(blockId);
        const fields = options.includeReserved ? block.fields : visibleFields(block);
        return planReads(fields.map((field) => ({ block, field })), this.planOptions);
      }),
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
  async readSettings(block: SettingsBlockId = 'applicationSettings'): Promise<Reading> {
    const reading = await this.readBlock(block);
    // Alarm thresholds come out in the unit of the alarm type's quantity, not raw.
    return { ...reading, ...scaleByQuantity(getBlock(block).fields, reading.payload, reading.units) };
  }

  /**
   * Validates the whole payload, then writes only what differs (contiguous fields in one
   * request), stores the configuration (0xA1), reads back and checks every written value.
   * With dryRun, returns the diff without writing. With no settings, returns the current ones.
   */
  async writeSettings(settings: unknown, options: WriteSettingsOptions = {}): Promise<WriteSettingsResult> {
    const blockId = options.block ?? 'applicationSettings';
    const payload = settings ?? {};
    const checks = { allowFactoryBlocks: options.allowFactoryBlocks, unitId: this.unitId, meter: this.meter };
    let current: Reading | undefined;
    const dependent = keysNeedingCurrentSettings(blockId, payload);
    if (dependent.length > 0) {
      // A threshold's unit follows the meter's alarm type: check everything else before asking the meter.
      validateSettings(blockId, Object.fromEntries(Object.entries(payload as Record<string, unknown>).filter(([key]) => !dependent.includes(key))), checks);
      current = await this.readSettings(blockId);
    }
    const planned = validateSettings(blockId, payload, { ...checks, current: current?.payload });
    const before = current ?? (await this.readSettings(blockId));
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
    let writes = 0;
    for (const run of planWrites(toWrite)) {
      const where = `${block.id} (${block.start})`;
      try {
        if (run.words.length === 1) await this.link.writeRegister(this.unitId, run.address, run.words[0], this.requestOptions('high'));
        else await this.link.writeRegisters(this.unitId, run.address, run.words, this.requestOptions('high'));
        writes++;
      } catch (err) {
        throw toDeviceError(err, { unitId: this.unitId, link: this.link.description, block: where, action: `writing ${run.fields.map((f) => f.key).join(', ')}` });
      }
    }
    if (options.store !== false) {
      await this.sendAction('store');
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
