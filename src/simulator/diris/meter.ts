/**
 * One simulated DIRIS A-20: a ModbusUnit with a register image for every block of the map.
 *
 * Values are recomputed on each access from the seeded model and the clock; counters
 * (energies, hour meter, max/avg) and the alarm are integrated in time steps up to the
 * clock's "now" first, so no timer runs and an injected clock makes everything
 * deterministic: the same seed and the same clock readings give the same registers.
 *
 * Modbus rules, from the map:
 * - A read or write must lie inside one block (start .. start + size); anything else,
 *   and a command register the block does not define, answers exception 2.
 * - A function the block's access rights do not allow answers exception 1: reads of
 *   command blocks, writes to info blocks, function 16 to a command register, and writes
 *   to block 0 unless `unlockFactory` is on (its lock level is USER, locked access READ).
 * - A value a setting refuses (enum, allowed values, range), an unknown reset bit or an
 *   unknown action code answers exception 3 and changes nothing.
 * - Reserved words inside a settings block accept any value and read back what was written.
 */
import {
  getField,
  getProfile,
  profileBlock,
  profileBlockAt,
  type Access,
  type BlockDef,
  type FieldDef,
  type FieldValue,
  type MeterProfile,
  type ModelId,
} from '../../registers';
import { MAX_READ_REGISTERS, MAX_WRITE_REGISTERS, ModbusException, type ModbusUnit } from '../protocol';
import { AlarmMonitor, type AlarmSettings } from './alarms';
import { encodeBlock, infoBlockValues, representable, type MeterView } from './blocks';
import { Counters } from './counters';
import { buildIdentity, type MeterIdentity } from './identity';
import {
  NetworkModel,
  computeMeasurements,
  isMeasurementKey,
  type MeasurementKey,
  type Measurements,
} from './physics';
import { between, seededRandom } from './random';
import { SettingsStore } from './settings';

export interface DirisMeterOptions {
  /** Which model's table the meter serves (block sizes, fields, codings, commands). Default "A20". */
  model?: ModelId;
  /** Same seed and same clock => same registers. Default 1. */
  seed?: number;
  /** Product name at 50050. Default the model's ("DIRIS A20", "COUNTIS E34"...). */
  productName?: string;
  /** Extended name at 50058. Default "<productName> RS485". */
  extendedName?: string;
  /** Serial number words (50008..50010); drawn from the seed when absent. */
  serial?: { yearWeek?: number; sstL?: number; order?: number };
  /** Milliseconds since the epoch; inject one to advance time in tests. Default Date.now. */
  clock?: () => number;
  /** How long the meter stays silent after the restart command 0xB2, in ms (default 2000). */
  restartMs?: number;
  /** Allow writes to block 0 (lock level USER). Off by default, as on a locked meter. */
  unlockFactory?: boolean;
  /**
   * Serve a measurement block's words for this long (meter clock, ms) before computing them
   * again, as a meter refreshing its values on a period does; a write, command, override, load
   * or input change refreshes at once. 0 (the default): every read computes. For load tests,
   * where thousands of reads a second would measure the simulator rather than the client.
   */
  refreshMs?: number;
}

/** What `override` pins: a measurement by key (primary, physical units), or one field of one block. */
export type OverrideTarget = string | { blockId: string; key: string };


/** Hour meter allocation codes (applicationSettings.hourMeterAllocation). */
const HOUR_METER_CURRENTS = 2;
const HOUR_METER_VOLTAGE = 3;
const HOUR_METER_INPUT1 = 4;

const RELAY_NORMALLY_CLOSED = 1;

/** What each model calls itself at 50050 (product name) and which family (50004) it is. */
const PRODUCT: Readonly<Record<ModelId, { name: string; family: number; extendedName?: string }>> = {
  A10: { name: 'DIRIS A10', family: 400 },
  A14: { name: 'DIRIS A14', family: 400 },
  A20: { name: 'DIRIS A20', family: 400 },
  E14: { name: 'COUNTIS E14', family: 100, extendedName: 'Countis E14 MID' },
  E23: { name: 'COUNTIS E23', family: 100, extendedName: 'Countis E23 MID' },
  E34: { name: 'COUNTIS E34', family: 100, extendedName: 'Countis E34 MID' },
};

const INPUT_COUNT = 3;
const OUTPUT_COUNT = 1;

/** Sync period names of the map ("2s", "15min") -> seconds. */
function syncPeriodSeconds(raw: number): number {
  const name = getField('applicationSettings', 'syncCurrentAvgMax').enumValues?.[raw] ?? '';
  const match = /^(\d+)(s|min)$/.exec(name);
  if (!match) throw new Error(`simulator: unknown sync period ${raw}`);
  return Number(match[1]) * (match[2] === 's' ? 1 : 60);
}

function allows(access: readonly Access[], needed: Access): boolean {
  return access.includes(needed);
}

export class DirisMeter implements ModbusUnit {
  /** The model's table this meter serves. */
  readonly profile: MeterProfile;
  private readonly clock: () => number;
  private readonly model: NetworkModel;
  private readonly identity: MeterIdentity;
  private readonly settings: SettingsStore;
  private readonly counters: Counters;
  private readonly alarms = new AlarmMonitor();
  private readonly restartMs: number;
  private readonly unlockFactory: boolean;
  private readonly measurementOverrides = new Map<MeasurementKey, number>();
  private readonly fieldPins = new Map<string, Map<string, FieldValue>>();
  private readonly refreshMs: number;
  /** Measurement block words as last computed, with the meter time (ms) they were computed at. */
  private readonly images = new Map<BlockDef, { atMs: number; words: number[] }>();
  private lastS: number;
  private loadFactor = 1;
  private inputs: boolean[] = new Array<boolean>(INPUT_COUNT).fill(false);
  private manualOutputs: boolean[] = new Array<boolean>(OUTPUT_COUNT).fill(false);
  private restartUntilS = -Infinity;
  private readonly restartListeners = new Set<() => void>();

  constructor(options: DirisMeterOptions = {}) {
    const seed = options.seed ?? 1;
    const random = seededRandom(seed);
    this.clock = options.clock ?? Date.now;
    this.restartMs = options.restartMs ?? 2000;
    if (!Number.isFinite(this.restartMs) || this.restartMs < 0) throw new Error(`restartMs must be >= 0, got ${options.restartMs}`);
    this.unlockFactory = options.unlockFactory ?? false;
    this.refreshMs = options.refreshMs ?? 0;
    if (!Number.isFinite(this.refreshMs) || this.refreshMs < 0) throw new Error(`refreshMs must be >= 0, got ${options.refreshMs}`);
    this.profile = getProfile(options.model ?? 'A20');
    this.model = new NetworkModel(random);
    const product = PRODUCT[this.profile.id];
    this.identity = buildIdentity(
      { productName: options.productName ?? product.name, extendedName: options.extendedName ?? (options.productName ? undefined : product.extendedName), serial: options.serial, family: product.family, profile: this.profile },
      random,
    );
    this.settings = new SettingsStore(this.identity.factoryWords, this.profile);
    this.lastS = this.nowS();

    // Counters start at plausible non-zero values so the first read is not all zeros.
    const typical = this.measurementsAt(this.lastS);
    const partialEa = Math.round(between(random, 10000, 20000));
    this.counters = new Counters({
      partial: {
        EaPos: partialEa,
        ErPos: Math.round(partialEa * 0.35),
        Es: Math.round(partialEa * 1.06),
        EaNeg: Math.round(between(random, 5, 50)),
        ErNeg: Math.round(between(random, 1, 20)),
      },
      total: {
        EaPos: partialEa + Math.round(between(random, 20000, 90000)),
        EaNeg: Math.round(between(random, 1200, 3000)),
        ErPos: Math.round(partialEa * 0.35) + Math.round(between(random, 5000, 30000)),
        ErNeg: Math.round(between(random, 1200, 3000)),
        Es: Math.round(partialEa * 1.06),
      },
      hourMeter: Math.round(between(random, 2000, 9000) * 100) / 100,
      currentMaxima: { I1: typical.I1 * 1.2, I2: typical.I2 * 1.2, I3: typical.I3 * 1.2, In: typical.In * 1.5 },
      powerMaxima: { P: typical.P * 1.2, Q: typical.Q * 1.2, S: typical.S * 1.2 },
      syncCurrentS: syncPeriodSeconds(this.settings.get('syncCurrentAvgMax')),
      syncPowerS: syncPeriodSeconds(this.settings.get('syncPowerAvgMax')),
    });
  }

  // ------------------------------------------------------------------ ModbusUnit

  readHoldingRegisters(address: number, count: number): number[] {
    if (!Number.isInteger(count) || count < 1 || count > MAX_READ_REGISTERS) {
      throw new ModbusException(3, `cannot read ${count} registers (1..${MAX_READ_REGISTERS})`);
    }
    const block = this.blockFor(address, count);
    if (!allows(this.accessOf(block), 'READ')) throw new ModbusException(1, `block ${block.id} cannot be read`);
    return this.blockWords(block).slice(address - block.start, address - block.start + count);
  }

  writeRegisters(address: number, values: number[], fn: 6 | 16): void {
    if (values.length < 1 || values.length > MAX_WRITE_REGISTERS) {
      throw new ModbusException(3, `cannot write ${values.length} registers (1..${MAX_WRITE_REGISTERS})`);
    }
    const block = this.blockFor(address, values.length);
    if (!allows(this.accessOf(block), fn === 6 ? 'WRITE' : 'WRITE_MANY')) {
      throw new ModbusException(1, `block ${block.id} does not accept function ${fn}`);
    }
    // Counters up to now were earned under the old settings.
    this.advance();
    this.images.clear();
    if (block.kind === 'commands') this.runCommand(block, address, values[0]);
    else this.settings.write(block, address, values);
  }

  // ------------------------------------------------------------------ test and demo hooks

  /** The register image (any address, any count, no access rules); 0 where no block is. */
  peek(address: number, count: number): number[] {
    const words: number[] = [];
    let cached: { block: BlockDef; words: number[] } | undefined;
    for (let a = address; a < address + count; a++) {
      const block = profileBlockAt(this.profile, a);
      if (block && cached?.block !== block) cached = { block, words: this.blockWords(block) };
      words.push(block && cached ? cached.words[a - block.start] : 0);
    }
    return words;
  }

  /**
   * Force a value; `undefined` releases it. A measurement key ("I1", "V2", "F", "P", "thdI1"...)
   * takes a primary, physical value and every table follows (forcing I1 moves P1, S1, In,
   * the totals and the secondary tables); `{ blockId, key }` pins one field of one block
   * (user value, as decodeField returns it).
   */
  override(target: OverrideTarget, value: FieldValue | undefined): void {
    this.advance();
    this.images.clear();
    if (typeof target === 'string') {
      if (!isMeasurementKey(target)) throw new Error(`simulator: "${target}" is not a measurement key`);
      if (value === undefined || value === null) this.measurementOverrides.delete(target);
      else if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`simulator: ${target} needs a finite number`);
      else this.measurementOverrides.set(target, value);
      return;
    }
    const pinned = this.profileField(target.blockId, target.key); // throws for an unknown block or key
    if (profileBlock(this.profile, target.blockId)?.kind !== 'info' || !pinned) {
      throw new Error(`simulator: only info blocks can be pinned; write settings of ${target.blockId} over Modbus`);
    }
    const pins = this.fieldPins.get(target.blockId) ?? new Map<string, FieldValue>();
    if (value === undefined) pins.delete(target.key);
    else pins.set(target.key, value);
    this.fieldPins.set(target.blockId, pins);
  }

  clearOverrides(): void {
    this.advance();
    this.images.clear();
    this.measurementOverrides.clear();
    this.fieldPins.clear();
  }

  /** Multiply every current (and so every power) by `factor` (1 = the normal load, 0 = no load). */
  setLoad(factor: number): void {
    this.images.clear();
    if (!Number.isFinite(factor) || factor < 0) throw new Error(`simulator: load factor must be >= 0, got ${factor}`);
    this.advance();
    this.loadFactor = factor;
  }

  /** Input 1..3 states (true = closed). */
  setInputs(states: readonly boolean[]): void {
    this.images.clear();
    if (states.length > INPUT_COUNT) throw new Error(`simulator: the meter has ${INPUT_COUNT} inputs`);
    this.advance();
    this.inputs = Array.from({ length: INPUT_COUNT }, (_, i) => states[i] ?? false);
  }

  /** The output's state when it is not allocated to the alarm. */
  setOutputs(states: readonly boolean[]): void {
    this.images.clear();
    if (states.length > OUTPUT_COUNT) throw new Error(`simulator: the meter has ${OUTPUT_COUNT} output`);
    this.manualOutputs = Array.from({ length: OUTPUT_COUNT }, (_, i) => states[i] ?? false);
  }

  /** True while the meter restarts after command 0xB2: it answers nothing. */
  isRestarting(): boolean {
    return this.nowS() < this.restartUntilS;
  }

  /** Called on each restart command (e.g. to drop TCP connections). Returns an unsubscribe function. */
  onRestart(listener: () => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /** The current primary measurements, physical units (for demos and tests). */
  measurements(): Measurements {
    this.advance();
    return this.measurementsAt(this.lastS);
  }

  /** The active raw value of a user setting by key ("ctPrimary", "networkType"...). */
  setting(key: string): number {
    return this.settings.get(key);
  }

  /** True when settings were written but not stored (command 0xA1). */
  hasPendingSettings(): boolean {
    return this.settings.hasPendingChanges();
  }

  // ------------------------------------------------------------------ internals

  private nowS(): number {
    return this.clock() / 1000;
  }

  private ctRatio(): number {
    return this.settings.get('ctPrimary') / this.settings.get('ctSecondary');
  }

  private measurementsAt(timeS: number): Measurements {
    return computeMeasurements(this.model.inputsAt(timeS, this.loadFactor), this.ctRatio(), this.measurementOverrides);
  }

  private alarmSettings(): AlarmSettings {
    return {
      type: this.settings.get('alarmType'),
      delayS: this.settings.get('alarmDelay'),
      upper: this.settings.get('alarmUpperThreshold'),
      lower: this.settings.get('alarmLowerThreshold'),
      hysteresisPercent: this.settings.get('alarmHysteresis'),
    };
  }

  private hourMeterRunning(m: Measurements): boolean {
    const allocation = this.settings.get('hourMeterAllocation');
    if (allocation === HOUR_METER_CURRENTS) return m.I1 + m.I2 + m.I3 > 0;
    if (allocation === HOUR_METER_VOLTAGE) return m.U12 + m.U23 + m.U31 > 0;
    if (allocation >= HOUR_METER_INPUT1) return this.inputs[allocation - HOUR_METER_INPUT1] ?? false;
    return true; // auxiliary supply: whenever the meter is powered
  }

  /**
   * Integrate counters and the alarm from the last access to now, in steps of at most 1 s
   * (or 1/600 of a long jump, so a read after an idle hour stays fast), each with the
   * values at its middle.
   */
  private advance(): void {
    const now = this.nowS();
    if (!(now > this.lastS)) return; // a clock that stands still or goes back adds nothing
    this.counters.currentDemand.setPeriod(syncPeriodSeconds(this.settings.get('syncCurrentAvgMax')));
    this.counters.powerDemand.setPeriod(syncPeriodSeconds(this.settings.get('syncPowerAvgMax')));
    const alarmSettings = this.alarmSettings();
    const maxStep = Math.max(1, (now - this.lastS) / 600);
    let t = this.lastS;
    while (t < now) {
      const end = Math.min(now, t + maxStep);
      const m = this.measurementsAt((t + end) / 2);
      this.counters.accumulate(m, t, end, this.hourMeterRunning(m));
      this.alarms.evaluate(m, this.counters.hourMeter, alarmSettings, t, end);
      t = end;
    }
    this.lastS = now;
  }

  private accessOf(block: BlockDef): readonly Access[] {
    return block.lockLevel === 'USER' && this.unlockFactory ? block.unlockedAccess : block.lockedAccess;
  }

  /** A field of the meter's own table; throws for one it does not have (unless `required` is false). */
  private profileField(blockId: string, key: string, required = true): FieldDef | undefined {
    const field = profileBlock(this.profile, blockId)?.fields.find((f) => f.key === key);
    if (!field && required) throw new Error(`simulator: the ${this.profile.name} has no field ${blockId}.${key}`);
    return field;
  }

  /** The one block holding [address, address + count), or exception 2. */
  private blockFor(address: number, count: number): BlockDef {
    const block = profileBlockAt(this.profile, address);
    if (!block || address + count > block.start + block.size) {
      throw new ModbusException(2, `registers ${address}..${address + count - 1} are not inside one block`);
    }
    return block;
  }

  private outputs(): boolean[] {
    // The allocation code of "alarm" is the model's own (2 on the A-20, 5 on the A-10).
    const allocation = this.profileField('applicationSettings', 'pulseOutputAllocation', false)?.enumValues?.[this.settings.get('pulseOutputAllocation')];
    if (allocation !== 'alarm') return [...this.manualOutputs];
    const closed = this.alarms.isActive() !== (this.settings.get('relayState') === RELAY_NORMALLY_CLOSED);
    return [closed];
  }

  private view(): MeterView {
    this.advance();
    return {
      measurements: this.measurementsAt(this.lastS),
      ctRatio: this.ctRatio(),
      counters: this.counters,
      alarm: this.alarms.view(this.lastS),
      inputs: this.inputs,
      outputs: this.outputs(),
      identity: this.identity,
      nowS: this.lastS,
    };
  }

  /** Every word of a block as it reads now. */
  private blockWords(block: BlockDef): number[] {
    if (block.kind === 'settings') return this.settings.readBlock(block);
    if (block.kind === 'commands') return new Array<number>(block.size).fill(0);
    if (this.refreshMs > 0) {
      const nowMs = this.clock();
      const image = this.images.get(block);
      if (image && nowMs >= image.atMs && nowMs - image.atMs < this.refreshMs) return image.words;
      const words = this.computeBlockWords(block);
      this.images.set(block, { atMs: nowMs, words });
      return words;
    }
    return this.computeBlockWords(block);
  }

  private computeBlockWords(block: BlockDef): number[] {
    const values = { ...(infoBlockValues(block.id, this.view()) ?? {}) };
    for (const [key, value] of this.fieldPins.get(block.id) ?? []) {
      const field = this.profileField(block.id, key)!;
      values[key] = typeof value === 'number' ? representable(field, value) : value;
    }
    return encodeBlock(block, values);
  }

  private runCommand(block: BlockDef, address: number, value: number): void {
    const resetRegisters = new Set(Object.values(this.profile.resets).flatMap((targets) => targets.map((t) => t.address)));
    if (resetRegisters.has(address)) {
      // The DIRIS bit mask at 1024 as the map defines it; the other models by their profile's reset names.
      if (address === getField('reset', 'reset').address) this.counters.reset(value);
      else this.counters.resetNames(this.resetNamesAt(address, value));
      return;
    }
    if (block.id === 'actions' && address === block.start) {
      // The model's own action codes (0xA1 store, 0xB2 restart, 0xC3 factory configuration where it has it).
      const action = this.profile.actions[value];
      if (action === 'store') this.settings.store();
      else if (action === 'factoryConfig') this.settings.loadFactoryDefaults();
      else if (action === 'restart') this.restart();
      else throw new ModbusException(3, `unknown action 0x${value.toString(16)}`);
      return;
    }
    throw new ModbusException(2, `no command at register ${address}`);
  }

  /** The reset names whose bits at `address` `value` sets; exception 3 for bits no name defines. */
  private resetNamesAt(address: number, value: number): string[] {
    const named = Object.entries(this.profile.resets).flatMap(([name, targets]) => targets.filter((t) => t.address === address).map((t) => ({ name, mask: t.mask })));
    const defined = named.reduce((all, n) => all | n.mask, 0);
    if (value === 0 || (value & ~defined) !== 0) {
      throw new ModbusException(3, `reset register ${address}: 0x${value.toString(16)} has undefined bits`);
    }
    return named.filter((n) => (value & n.mask) === n.mask).map((n) => n.name);
  }

  private restart(): void {
    this.images.clear();
    this.settings.revertToStored();
    this.alarms.clear();
    this.restartUntilS = this.nowS() + this.restartMs / 1000;
    for (const listener of this.restartListeners) listener();
  }
}
