import type { FieldValue } from '../registers';

/** What the device needs of a link: the transport's ModbusLink fits; so does anything with these three. */
export interface RegisterLink {
  readHoldingRegisters(unitId: number, address: number, count: number, options?: RequestOptions): Promise<number[]>;
  writeRegister(unitId: number, address: number, value: number, options?: RequestOptions): Promise<void>;
  writeRegisters(unitId: number, address: number, values: number[], options?: RequestOptions): Promise<void>;
  /** A short description of the link for error messages ("tcp 127.0.0.1:502"). */
  readonly description?: string;
}

export interface RequestOptions {
  /** Who asks (a flow node id), so the link can queue fairly. */
  source?: string;
  priority?: 'normal' | 'high';
  /** Extra attempts after a timeout for this request (default: the link's setting). */
  retries?: number;
}

/** Measurement groups a read-measurements node offers. */
export type MeasurementGroup = 'instantaneous' | 'energies' | 'maxAvg' | 'harmonics' | 'fineEnergies' | 'tariffEnergies' | 'temperatures';
/** The last three only on the models whose tables have them (0xC700, 0xC6A0, 0xC900). */
export const MEASUREMENT_GROUPS: readonly MeasurementGroup[] = ['instantaneous', 'energies', 'maxAvg', 'harmonics', 'fineEnergies', 'tariffEnergies', 'temperatures'];

/**
 * Which register table serves the instantaneous, energy and max/avg values.
 * - standard: the 32-bit primary tables 0xC550 / 0xC650 / 0xC750 (default)
 * - secondary16: the 16-bit secondary table 0xC850 (not multiplied by CT/VT ratios; total energies in MWh)
 * - legacy32 / legacy16 / legacyB00: the older 0x300 / 0x700 / 0xB00 tables
 * Harmonics always come from 0xC950.
 */
export type MeasurementTable = 'standard' | 'secondary16' | 'legacy32' | 'legacy16' | 'legacyB00';
export const MEASUREMENT_TABLES: readonly MeasurementTable[] = ['standard', 'secondary16', 'legacy32', 'legacy16', 'legacyB00'];

export interface Reading {
  payload: Record<string, FieldValue>;
  units: Record<string, string>;
  /** ms since epoch when the last reply arrived. */
  timestamp: number;
  /** How many Modbus requests the read took. */
  requests: number;
}

/** Who the meter is. Keys its model's table lacks (a Countis has no build date) are absent. */
export interface Identity {
  signature: string;
  family: string | number;
  productId: number;
  productName: string;
  extendedName: string;
  vendorName: string;
  /** "1.01" from 101, as the table's examples say. */
  jbusTableVersion: string;
  softwareVersion: string;
  /** "major.minor.revision.build" */
  productVersion: string;
  baseVersion: string;
  customizationVersion: string;
  serialNumber: string;
  buildDate: string | number[];
  productVlo: string;
  customizationVlo: string;
  baseVlo: string;
  codeTable: string;
  customizationLoaded: boolean;
  options: { metering: boolean; communication: boolean; inputsOutputs: boolean };
  optionSlots: [string | number, string | number];
  retrofitActivated: boolean;
  /** The model whose table the package uses ("A10"), or null for a Socomec product without one. */
  model: string | null;
  /** "DIRIS A-10", or null. */
  modelName: string | null;
  /** With `details`: the customization, calibration and legacy option blocks, decoded. */
  details?: Record<string, Record<string, unknown>>;
}

/** Settings blocks write-settings offers; 'factory' and 'industrialization' need the factory option. */
export type SettingsBlockId = 'applicationSettings' | 'commonSettings' | 'legacySettings' | 'industrialization' | 'factory';
export const SETTINGS_BLOCKS: readonly SettingsBlockId[] = ['applicationSettings', 'commonSettings', 'legacySettings', 'industrialization', 'factory'];

export interface WriteSettingsOptions {
  block?: SettingsBlockId;
  /** Return the diff without writing. */
  dryRun?: boolean;
  /** Allow block 0 and the industrialization block. Off by default. */
  allowFactoryBlocks?: boolean;
  /** Send the store command (0xA1) after writing (default true). */
  store?: boolean;
}

export interface SettingsChange {
  from: FieldValue;
  to: FieldValue;
}

export interface WriteSettingsResult extends Reading {
  changed: Record<string, SettingsChange>;
  dryRun: boolean;
  /** Requests that wrote (function 6/16, store command). */
  writes: number;
}

/** Reset names a reset node offers, with their bit in the 1024 mask. */
export type ResetName =
  | 'maxCurrents'
  | 'maxPowers'
  | 'hourMeter'
  | 'activeEnergyPos'
  | 'reactiveEnergyPos'
  | 'apparentEnergy'
  | 'activeEnergyNeg'
  | 'reactiveEnergyNeg'
  | 'energies'
  | 'tariffEnergies'
  | 'all';

export interface ResetResult {
  /** The bits written to the (first) reset register. */
  mask: number;
  reset: string[];
  /** Every register written and its bits (Countis models reset through several). */
  registers?: { address: number; mask: number }[];
}

export interface AlarmSide {
  active: boolean;
  cause: string | number;
  /** Scaled by the cause's quantity when known (A for I1, V for U12...), else raw. */
  value: number;
  unit: string;
}

export interface AlarmEvent {
  /** raise / clear for threshold alarms; input / output when an extension state changes. */
  event: 'raise' | 'clear' | 'input' | 'output';
  side?: 'lower' | 'upper';
  cause?: string | number;
  value?: number;
  unit?: string;
  duration?: number;
  /** For input/output events: the states that changed, by name. */
  states?: Record<string, boolean>;
}

export interface AlarmState {
  lower: AlarmSide;
  upper: AlarmSide;
  /** Seconds the active alarm has lasted. */
  duration: number;
  inputs?: Record<string, boolean>;
  outputs?: Record<string, boolean>;
  timestamp: number;
  requests: number;
}
