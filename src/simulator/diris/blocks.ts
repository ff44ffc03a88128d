/**
 * The meter's state -> the user values of each info block, and those values -> register
 * words through the codec's encodeField, so the simulator and the decoder can never
 * disagree about scaling, word order or enum codes.
 *
 * Which table holds what:
 * - instantaneous (0xC550), legacy32 (0x300): primary values (secondary x CT ratio).
 * - instantaneous16 (0xC850), legacy16 (0x700), legacyB00 (0xB00): 16-bit tables, so
 *   currents and powers are secondary (primary / CT ratio); voltages, F, PF, THD are the
 *   same on both sides. Counters (energies, hour meter) are the meter's own counters in
 *   every table: the 0xC850 totals in whole MWh / Mvarh, the legacy tables' energies are
 *   the partial (resettable) kWh / kvarh counters.
 */
import { encodeField, scaleToValue } from '../../codec';
import type { BlockDef, FieldDef } from '../../registers';
import type { AlarmView } from './alarms';
import type { Counters } from './counters';
import type { MeterIdentity, FieldValues } from './identity';
import { MEASUREMENT_KEYS, type Measurements } from './physics';

export interface MeterView {
  /** Primary instantaneous values. */
  measurements: Measurements;
  ctRatio: number;
  counters: Counters;
  alarm: AlarmView;
  inputs: readonly boolean[];
  outputs: readonly boolean[];
  identity: MeterIdentity;
  /** The meter's clock, seconds since 1970. */
  nowS: number;
}

/** The Countis and A-14 count time in seconds since 2000-01-01. */
const SECONDS_1970_TO_2000 = 946_684_800;

/** Quantities divided by the CT ratio in the secondary (16-bit) tables. */
const CT_SCALED = new Set(['I1', 'I2', 'I3', 'In', 'iSys', 'P', 'Q', 'S', 'P1', 'P2', 'P3', 'Q1', 'Q2', 'Q3', 'S1', 'S2', 'S3']);

function instantaneousValues(m: Measurements, divisor: number): FieldValues {
  const values: FieldValues = {};
  for (const key of MEASUREMENT_KEYS) values[key] = CT_SCALED.has(key) ? m[key] / divisor : m[key];
  return values;
}

/** A counter shows only completed units: floor, not round. */
const floorTo = (value: number, step: number): number => Math.floor(value / step + 1e-9) * step;

function maxAvgValues(counters: Counters, divisor: number): FieldValues {
  const currents = counters.currentDemand.maxima;
  const powers = counters.powerDemand.maxima;
  return {
    maxAvgI1: currents.I1 / divisor,
    maxAvgI2: currents.I2 / divisor,
    maxAvgI3: currents.I3 / divisor,
    maxAvgIn: currents.In / divisor,
    maxAvgPPos: powers.P / divisor,
    maxAvgQPos: powers.Q / divisor,
    maxAvgS: powers.S / divisor,
  };
}

function legacyCounterValues(counters: Counters, hourStep: number): FieldValues {
  return {
    hourMeter: floorTo(counters.hourMeter, hourStep),
    EaPos: floorTo(counters.partial.EaPos, 1),
    ErPos: floorTo(counters.partial.ErPos, 1),
  };
}

const boolBits = (states: readonly boolean[]): number => states.reduce((mask, on, i) => (on ? mask | (1 << i) : mask), 0);

/** User values (by field key) of an info block, or undefined for a block without live values. */
export function infoBlockValues(blockId: string, view: MeterView): FieldValues | undefined {
  const { measurements: m, ctRatio, counters } = view;
  switch (blockId) {
    case 'identification':
      return view.identity.identification;
    case 'options':
    case 'legacyOptions':
      return view.identity.options;
    case 'customization':
      return view.identity.customization;
    case 'calibration':
      return view.identity.calibration;
    case 'instantaneous':
      return { ...instantaneousValues(m, 1), hourMeter: floorTo(counters.hourMeter, 0.01) };
    case 'energies':
      return {
        hourMeter: floorTo(counters.hourMeter, 0.01),
        ...Object.fromEntries(Object.entries(counters.partial).map(([k, v]) => [k, floorTo(v, 1)])),
        // The A-14 and Countis tables add the non-resettable totals and the last power average.
        ...Object.fromEntries(Object.entries(counters.total).map(([k, v]) => [`total${k}`, floorTo(v, 1)])),
        lastAverageTime: Math.floor(view.nowS - SECONDS_1970_TO_2000),
        lastAveragePPos: Math.max(0, Math.round(m.P)),
      };
    case 'fineEnergies':
      return {
        ...Object.fromEntries(Object.entries(counters.partial).map(([k, v]) => [`fine${k}`, floorTo(v, 0.01)])),
        ...Object.fromEntries(Object.entries(counters.total).map(([k, v]) => [`fineTotal${k}`, floorTo(v, 0.01)])),
        fineLastAverageTime: Math.floor(view.nowS - SECONDS_1970_TO_2000),
        fineLastAveragePPos: Math.max(0, Math.round(m.P)),
      };
    case 'tariffEnergies':
      return {
        tariffCount: 2,
        currentTariff: 1,
        tariffEaPos1: floorTo(counters.tariff.EaPos, 1),
        tariffEaPos2: 0,
        tariffEaPos3: 0,
        tariffEaPos4: 0,
        tariffErPos1: floorTo(counters.tariff.ErPos, 1),
        tariffErPos2: 0,
        tariffErPos3: 0,
        tariffErPos4: 0,
        tariffHours1: floorTo(counters.tariff.hours, 0.01),
        tariffHours2: 0,
      };
    case 'temperatures':
      return { moduleTemperaturePresent: true, moduleTemperature: 31, externalTemperatureSensors: 0 };
    case 'legacyThd':
      return instantaneousValues(m, 1);
    case 'maxAvg':
      return maxAvgValues(counters, 1);
    case 'instantaneous16':
      return {
        ...instantaneousValues(m, ctRatio),
        hourMeter: floorTo(counters.hourMeter, 1),
        totalEaPos: floorTo(counters.total.EaPos / 1000, 1),
        totalEaNeg: floorTo(counters.total.EaNeg / 1000, 1),
        totalErPos: floorTo(counters.total.ErPos / 1000, 1),
        totalErNeg: floorTo(counters.total.ErNeg / 1000, 1),
        phaseSequence: '123',
      };
    case 'harmonics':
      // The A-14's quality block adds cos φ (the displacement factor: the simulated PF).
      return { ...instantaneousValues(m, 1), cosPhi: m.PF, cosPhi1: m.PF1, cosPhi2: m.PF2, cosPhi3: m.PF3 };
    case 'legacy32':
      return { ...instantaneousValues(m, 1), ...maxAvgValues(counters, 1), ...legacyCounterValues(counters, 0.01) };
    case 'legacy16':
    case 'legacyB00':
      return { ...instantaneousValues(m, ctRatio), ...maxAvgValues(counters, ctRatio), ...legacyCounterValues(counters, 1) };
    case 'alarms':
    case 'legacyAlarms':
      return {
        lowerAlarmCause: view.alarm.lowerCause,
        lowerAlarmValue: view.alarm.lowerValue,
        upperAlarmCause: view.alarm.upperCause,
        upperAlarmValue: view.alarm.upperValue,
        alarmDuration: Math.min(view.alarm.durationS, 0xffff),
      };
    case 'inputs':
      return { input1: view.inputs[0] ?? false, input2: view.inputs[1] ?? false, input3: view.inputs[2] ?? false };
    case 'inputsOutputs':
      return {
        inputCount: view.inputs.length,
        inputStates: boolBits(view.inputs),
        outputCount: view.outputs.length,
        outputStates: boolBits(view.outputs),
      };
    default:
      return undefined;
  }
}

/** Raw integer limits used to saturate a value instead of failing (a 16-bit table tops out). */
const RAW_LIMITS: Readonly<Record<string, [number, number]>> = {
  U8: [0, 0xffff],
  U16: [0, 0xffff],
  S16: [-0x8000, 0x7fff],
  U32: [0, 0xffffffff],
  S32: [-0x80000000, 0x7fffffff],
};
const SPLIT10000_MAX = 0xffff * 10000 + 9999;

/**
 * A physical number -> the nearest value the field can hold: rounded to the field's scale
 * and saturated at the type's limits (as a meter display saturates), ready for encodeField.
 */
export function representable(field: FieldDef, value: number): number {
  const scale = field.scale ?? 1;
  const limits = field.split10000 ? [0, SPLIT10000_MAX] : (RAW_LIMITS[field.type] ?? [0, 0xffff]);
  const raw = Math.min(limits[1], Math.max(limits[0], Math.round(value / scale)));
  return scaleToValue(raw, scale);
}

/** The words of an info block from its values; absent and reserved fields read 0. */
export function encodeBlock(block: BlockDef, values: FieldValues): number[] {
  const words = new Array<number>(block.size).fill(0);
  for (const field of block.fields) {
    if (field.reserved || !(field.key in values)) continue;
    const value = values[field.key];
    const plainNumber = typeof value === 'number' && !field.enumValues && !field.bits && !field.flag;
    const encoded = encodeField(field, plainNumber ? representable(field, value) : value);
    encoded.forEach((word, i) => (words[field.address - block.start + i] = word));
  }
  return words;
}
