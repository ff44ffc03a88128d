/**
 * Who the simulated meter is: the identification, options and customization blocks, and
 * the factory data of block 0 and the industrialization block. Values are user values
 * for the codec (strings, numbers, enum codes), keyed by the map's field keys.
 */
import { encodeField } from '../../codec';
import { DIRIS_A20, profileBlock, type MeterProfile } from '../../registers';
import { between } from './random';

export interface IdentityOptions {
  productName: string;
  /** Extended name; default "<productName> RS485". */
  extendedName?: string;
  /** Serial number parts; drawn from the seed when absent. */
  serial?: { yearWeek?: number; sstL?: number; order?: number };
  /** Product order id at 50004 (Countis 100, Diris 400). Default 400. */
  family?: number;
  /** The model's table (which factory blocks it has). Default the A-20. */
  profile?: MeterProfile;
}

export type FieldValues = Record<string, unknown>;

/** Option code bits of the map: bit 2 communication, bit 3 inputs/outputs. */
const OPTION_COMMUNICATION = 1 << 2;
const OPTION_INPUTS_OUTPUTS = 1 << 3;
const SLOT_COMMUNICATION = 1;
const SLOT_INPUTS_OUTPUTS = 2;

export interface MeterIdentity {
  identification: FieldValues;
  options: FieldValues;
  customization: FieldValues;
  calibration: FieldValues;
  /** Initial per-address words of block 0 and the industrialization block. */
  factoryWords: Map<number, number>;
}

/** Encode `values` (by field key) into per-address words of one block of the profile (none when it lacks the block). */
function wordsOf(profile: MeterProfile, blockId: string, values: FieldValues, into: Map<number, number>): void {
  for (const field of profileBlock(profile, blockId)?.fields ?? []) {
    if (!(field.key in values)) continue;
    encodeField(field, values[field.key]).forEach((word, i) => into.set(field.address + i, word));
  }
}

export function buildIdentity(options: IdentityOptions, random: () => number): MeterIdentity {
  // "AA SS": year and week as hex digits, 0x2117 = 2021 week 17.
  const week = Math.floor(between(random, 1, 53));
  const yearWeek = options.serial?.yearWeek ?? 0x2100 + Number.parseInt(String(week), 16);
  const sstL = options.serial?.sstL ?? Math.floor(between(random, 0x1000, 0xffff));
  const order = options.serial?.order ?? Math.floor(between(random, 1, 9999));
  const identification: FieldValues = {
    signature: 'SOCO',
    family: options.family ?? 400,
    productId: 20,
    jbusTableVersion: 101,
    softwareVersion: 102,
    serialAaSs: yearWeek,
    serialSstL: sstL,
    serialOrder: order,
    serialReserve: 0,
    codeTable: '0x0000000000000000',
    customizationLoaded: false,
    productVersionMajor: 1,
    productVersionMinor: 2,
    productVersionRevision: 0,
    productVersionBuild: 7,
    buildDate: '2021-04-27T10:30:00',
    baseVersionMajor: 2,
    baseVersionMinor: 1,
    baseVersionRevision: 3,
    customizationVersionMajor: 0,
    customizationVersionMinor: 0,
    productVlo: '880100',
    customizationVlo: '880700',
    baseVlo: '880600',
    vendorName: 'SOCOMEC',
    productName: options.productName,
    extendedName: options.extendedName ?? `${options.productName} RS485`,
  };
  const optionValues: FieldValues = {
    optionCode: OPTION_COMMUNICATION | OPTION_INPUTS_OUTPUTS,
    optionSlot1: SLOT_COMMUNICATION,
    optionSlot2: SLOT_INPUTS_OUTPUTS,
  };
  const customization: FieldValues = { customizationDataLoaded: false, retrofitActivated: false };
  const calibration: FieldValues = { offsetCalibration: 512, offsetIntExt: 0, convertValue: 512 };

  const factoryWords = new Map<number, number>();
  const gains = Object.fromEntries(['In', 'I1', 'I2', 'I3', 'Vn', 'V1', 'V2', 'V3'].flatMap((c) => [[`offset${c}`, 128], [`gain${c}`, 128]]));
  const profile = options.profile ?? DIRIS_A20;
  wordsOf(profile, 'factory', {
    serialAaSs: yearWeek,
    serialXxl1: sstL,
    serialXxl2: order,
    serialReserve: 0,
    softwareVersion: 102,
    currentGain: 10000,
    voltageGain: 10000,
    powerGain: 10000,
    ...gains,
  }, factoryWords);
  wordsOf(profile, 'industrialization', {
    calibrationCurrent: 5000,
    calibrationVoltage: 23000,
    currentGainCoefficients: [10000, 10000, 10000, 10000],
    voltageGainCoefficients: [10000, 10000, 10000, 10000],
    ...gains,
  }, factoryWords);
  return { identification, options: optionValues, customization, calibration, factoryWords };
}
