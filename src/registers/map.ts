/**
 * The DIRIS A-20 register map as typed data: every block and row of the table
 * (shared/register-map.txt), with stable keys, units and scales. The other models'
 * profiles (profiles/) are built from these blocks plus each model's differences.
 *
 * Where the table is wrong or silent, the device notes win and a `note` says why.
 * The codec, planner, device, simulator, editor choices and README reference all read
 * this one map, so changing a register is one edit here.
 */
import type { Access, BlockDef, BlockKind, Category, DataType, FieldDef, LockLevel } from './types';

export type FieldOptions = Partial<Omit<FieldDef, 'key' | 'address' | 'words' | 'label' | 'type'>>;

export function field(address: number, words: number, type: DataType, key: string, label: string, options: FieldOptions = {}): FieldDef {
  return { key, address, words, label, type, unit: '', writable: false, reserved: false, ...options };
}

/** A reserved or undocumented word (a blank row, "Reserved", "Réservé constructeur"). */
export function reserved(address: number, words: number, type?: DataType): FieldDef {
  const guessed: DataType = words === 1 ? 'U16' : words === 2 ? 'U32' : 'U16[]';
  return field(address, words, type ?? guessed, `reserved${address}`, 'Reserved', { reserved: true });
}

/** Consecutive reserved rows of `words` each, from `first` to `last` (row addresses, inclusive). */
export function reservedRows(first: number, last: number, words: number): FieldDef[] {
  const rows: FieldDef[] = [];
  for (let address = first; address <= last; address += words) rows.push(reserved(address, words));
  return rows;
}

export interface BlockOptions {
  id: string;
  title: string;
  start: number;
  size: number;
  kind: BlockKind;
  category: Category;
  lockLevel?: LockLevel;
  lockedAccess: Access[];
  unlockedAccess?: Access[];
  factoryOnly?: boolean;
}

export function block(options: BlockOptions, fields: FieldDef[]): BlockDef {
  const writableKind = options.kind !== 'info';
  return {
    id: options.id,
    title: options.title,
    start: options.start,
    size: options.size,
    kind: options.kind,
    category: options.category,
    lockLevel: options.lockLevel ?? 'NONE',
    lockedAccess: options.lockedAccess,
    unlockedAccess: options.unlockedAccess ?? options.lockedAccess,
    factoryOnly: options.factoryOnly ?? false,
    fields: fields.map((f) => ({ ...f, writable: writableKind && !f.reserved })),
  };
}

export const READ: Access[] = ['READ'];
export const READ_WRITE: Access[] = ['READ', 'WRITE', 'WRITE_MANY'];
export const WRITE: Access[] = ['WRITE'];

// ---------------------------------------------------------------------------------------
// Shared value tables
// ---------------------------------------------------------------------------------------

export const NETWORK_TYPES: Readonly<Record<number, string>> = {
  0: '1BL',
  1: '2BL',
  2: '3BL',
  3: '3NBL',
  4: '4BL',
  5: '4NBL',
  6: '2NBL',
};
/** The legacy settings block (512) lists 0..5 only: 2NBL came later. */
export const LEGACY_NETWORK_TYPES: Readonly<Record<number, string>> = { 0: '1BL', 1: '2BL', 2: '3BL', 3: '3NBL', 4: '4BL', 5: '4NBL' };

export const SYNC_PERIODS: Readonly<Record<number, string>> = {
  2: '2s',
  5: '5min',
  8: '8min',
  10: '10min',
  15: '15min',
  20: '20min',
  30: '30min',
  60: '60min',
};

export const PULSE_ALLOCATIONS: Readonly<Record<number, string>> = { 0: 'kWh+', 1: 'kvarh+', 2: 'alarm', 3: 'command' };

export const PULSE_VALUES: Readonly<Record<number, string>> = {
  0: '0.1kWh',
  1: '1kWh',
  2: '10kWh',
  3: '100kWh',
  4: '1000kWh',
  5: '10000kWh',
};

export const HOUR_METER_ALLOCATIONS: Readonly<Record<number, string>> = {
  1: 'auxiliarySupply',
  2: 'currents',
  3: 'phaseToPhaseVoltage',
  4: 'input1',
  5: 'input2',
  6: 'input3',
};

/** "?" in the table is Σ (sum): ΣP+ is the total active power. */
export const ALARM_TYPES: Readonly<Record<number, string>> = {
  1: 'I',
  2: 'In',
  3: 'U',
  4: 'V',
  5: 'P+',
  6: 'Q+',
  7: 'S+',
  8: 'PFC',
  9: 'PFL',
  10: 'thdU',
  11: 'thdV',
  12: 'thdI',
  13: 'hour',
  14: 'F',
};

/** The alarm thresholds' raw count is in the register unit of the alarm type's quantity. */
const THRESHOLD_NOTE =
  'Given and returned in the unit of the alarm type\'s quantity (30 A, 400 V, 20000 W); the meter holds the raw count of that quantity\'s register: mA (I, In), 0.01 V (U, V), 10 W/var/VA (P+, Q+, S+), 0.001 (PFC, PFL), 0.1 % (THD), 0.01 h (hour), 0.01 Hz (F).';

export const RELAY_STATES: Readonly<Record<number, string>> = { 0: 'normallyOpen', 1: 'normallyClosed' };

/** Cause of the active threshold alarm (36176 / 36179 / 1280 / 1283). */
export const ALARM_CAUSES: Readonly<Record<number, string>> = {
  0: 'none',
  1: 'I1',
  2: 'I2',
  3: 'I3',
  4: 'In',
  5: 'U12',
  6: 'U23',
  7: 'U31',
  8: 'P+',
  9: 'Q+',
  10: 'S',
  11: 'F',
  12: 'PFL',
  15: 'thdI1',
  16: 'thdI2',
  17: 'thdI3',
  18: 'thdU12',
  19: 'thdU23',
  20: 'thdU31',
  21: 'hour',
  22: 'V1',
  23: 'V2',
  24: 'V3',
  26: 'thdV1',
  27: 'thdV2',
  28: 'thdV3',
  31: 'PFC',
};

export const PF_TYPES: Readonly<Record<number, string>> = { 0: 'undefined', 1: 'leading', 2: 'lagging' };

const PRODUCT_FAMILIES: Readonly<Record<number, string>> = { 100: 'Countis', 200: 'Protection', 300: 'Atys', 400: 'Diris' };

/** The table says "bit 1 / bit 2 / bit 3"; we take that literally (bit 0 unused). */
export const OPTION_BITS: Readonly<Record<number, string>> = { 1: 'metering', 2: 'communication', 3: 'inputsOutputs' };
const OPTION_SLOTS: Readonly<Record<number, string>> = { 0xff: 'none', 0: 'metering', 1: 'communication', 2: 'inputsOutputs' };

export const eightBits = (prefix: string): Record<number, string> =>
  Object.fromEntries(Array.from({ length: 8 }, (_, bit) => [bit, `${prefix}${bit + 1}`]));

/** Reset command (1024) bits, as the table and the device notes give them. */
export const RESET_BITS: Readonly<Record<number, string>> = {
  0: 'maxAvgCurrents',
  1: 'maxAvgPowers',
  6: 'hourMeter',
  7: 'activeEnergyPos',
  8: 'reactiveEnergyPos',
  9: 'apparentEnergy',
  10: 'activeEnergyNeg',
  11: 'reactiveEnergyNeg',
  12: 'all',
};

/** Command register 57856 action codes. */
export const ACTIONS: Readonly<Record<number, string>> = { 0xa1: 'store', 0xb2: 'restart', 0xc3: 'factoryConfig' };

// ---------------------------------------------------------------------------------------
// Field builders for the measurement tables
// ---------------------------------------------------------------------------------------

export const V = { unit: 'V', scale: 0.01 };
export const HZ = { unit: 'Hz', scale: 0.01 };
export const A = { unit: 'A', scale: 0.001 };
export const W = { unit: 'W', scale: 10 };
export const VAR = { unit: 'var', scale: 10 };
export const VA = { unit: 'VA', scale: 10 };
export const PF = { unit: '', scale: 0.001 };
const PCT_UNBALANCE = { unit: '%', scale: 0.01, note: 'Unit not published; 0.01 % as on the DIRIS A-100.' };
export const KWH = { unit: 'kWh', scale: 1 };
export const KVARH = { unit: 'kvarh', scale: 1 };

/** Voltages, frequency and currents in the order of the 0xC550 / 0xC850 tables. */
export function voltagesFrequencyCurrents(first: number, step: number, type: DataType): FieldDef[] {
  const specs: [string, string, FieldOptions][] = [
    ['U12', 'Phase-to-phase voltage U12', V],
    ['U23', 'Phase-to-phase voltage U23', V],
    ['U31', 'Phase-to-phase voltage U31', V],
    ['V1', 'Phase-to-neutral voltage V1', V],
    ['V2', 'Phase-to-neutral voltage V2', V],
    ['V3', 'Phase-to-neutral voltage V3', V],
    ['F', 'Frequency', HZ],
    ['I1', 'Current I1', A],
    ['I2', 'Current I2', A],
    ['I3', 'Current I3', A],
    ['In', 'Neutral current In', A],
  ];
  return specs.map(([key, label, options], i) => field(first + i * step, step, type, key, label, options));
}

/** P Q S PF, P1..P3, Q1..Q3, S1..S3, PF1..PF3 in table order. */
export function powers(first: number, step: number, signed: DataType, unsigned: DataType): FieldDef[] {
  const specs: [string, string, FieldOptions, boolean][] = [
    ['P', 'Total active power P (ΣP, + import / - export)', W, true],
    ['Q', 'Total reactive power Q', VAR, true],
    ['S', 'Total apparent power S', VA, false],
    ['PF', 'Total power factor PF (- leading, + lagging)', PF, true],
    ['P1', 'Active power phase 1', W, true],
    ['P2', 'Active power phase 2', W, true],
    ['P3', 'Active power phase 3', W, true],
    ['Q1', 'Reactive power phase 1', VAR, true],
    ['Q2', 'Reactive power phase 2', VAR, true],
    ['Q3', 'Reactive power phase 3', VAR, true],
    ['S1', 'Apparent power phase 1', VA, false],
    ['S2', 'Apparent power phase 2', VA, false],
    ['S3', 'Apparent power phase 3', VA, false],
    ['PF1', 'Power factor phase 1 (- leading, + lagging)', PF, true],
    ['PF2', 'Power factor phase 2 (- leading, + lagging)', PF, true],
    ['PF3', 'Power factor phase 3 (- leading, + lagging)', PF, true],
  ];
  return specs.map(([key, label, options, isSigned], i) =>
    field(first + i * step, step, isSigned ? signed : unsigned, key, label, options),
  );
}

/** Isys, Usys, Vsys, IEC power factors, PF types, unbalances (0xC550 and 0xC850 tails). */
export function systemValues(first: number, step: number, unsigned: DataType): FieldDef[] {
  return [
    field(first, step, unsigned, 'iSys', 'System current Isys = (I1+I2+I3)/3', A),
    field(first + step, step, unsigned, 'uSys', 'System voltage Usys = (U12+U23+U31)/3', V),
    field(first + 2 * step, step, unsigned, 'vSys', 'System voltage Vsys = (V1+V2+V3)/3', V),
  ];
}

export function iecPowerFactors(first: number, step: number, signed: DataType): FieldDef[] {
  return [
    field(first, step, signed, 'pfIec', 'Total power factor (IEC)', PF),
    field(first + step, step, signed, 'pf1Iec', 'Power factor phase 1 (IEC)', PF),
    field(first + 2 * step, step, signed, 'pf2Iec', 'Power factor phase 2 (IEC)', PF),
    field(first + 3 * step, step, signed, 'pf3Iec', 'Power factor phase 3 (IEC)', PF),
  ];
}

export function pfTypesAndUnbalance(first: number, unbalanceStep: number, pfType: DataType, unbalanceType: DataType): FieldDef[] {
  const typeOptions = { enumValues: PF_TYPES };
  const unbalanceFirst = first + 4;
  return [
    field(first, 1, pfType, 'pfType', 'Total power factor type', typeOptions),
    field(first + 1, 1, pfType, 'pf1Type', 'Power factor type phase 1', typeOptions),
    field(first + 2, 1, pfType, 'pf2Type', 'Power factor type phase 2', typeOptions),
    field(first + 3, 1, pfType, 'pf3Type', 'Power factor type phase 3', typeOptions),
    field(unbalanceFirst, unbalanceStep, unbalanceType, 'vUnbalance', 'Voltage unbalance Vnba', PCT_UNBALANCE),
    field(unbalanceFirst + unbalanceStep, unbalanceStep, unbalanceType, 'uUnbalance', 'Voltage unbalance Unba', PCT_UNBALANCE),
    field(unbalanceFirst + 2 * unbalanceStep, unbalanceStep, unbalanceType, 'iUnbalance', 'Current unbalance Inba', PCT_UNBALANCE),
  ];
}

/** Legacy (0x300 / 0x700) order: currents first, then voltages and frequency. */
function legacyCurrentsVoltagesFrequency(first: number, step: number, type: DataType): FieldDef[] {
  const specs: [string, string, FieldOptions][] = [
    ['I1', 'Current I1', A],
    ['I2', 'Current I2', A],
    ['I3', 'Current I3', A],
    ['In', 'Neutral current In', A],
    ['U12', 'Phase-to-phase voltage U12', V],
    ['U23', 'Phase-to-phase voltage U23', V],
    ['U31', 'Phase-to-phase voltage U31', V],
    ['V1', 'Phase-to-neutral voltage V1', V],
    ['V2', 'Phase-to-neutral voltage V2', V],
    ['V3', 'Phase-to-neutral voltage V3', V],
    ['F', 'Frequency', HZ],
  ];
  return specs.map(([key, label, options], i) => field(first + i * step, step, type, key, label, options));
}

export const maxAvg = {
  I1: (address: number, type: DataType) => field(address, type === 'U32' ? 2 : 1, type, 'maxAvgI1', 'Max/avg current I1', A),
  I2: (address: number, type: DataType) => field(address, type === 'U32' ? 2 : 1, type, 'maxAvgI2', 'Max/avg current I2', A),
  I3: (address: number, type: DataType) => field(address, type === 'U32' ? 2 : 1, type, 'maxAvgI3', 'Max/avg current I3', A),
  In: (address: number, type: DataType) => field(address, type === 'U32' ? 2 : 1, type, 'maxAvgIn', 'Max/avg neutral current In', A),
  P: (address: number, type: DataType) => field(address, type === 'U32' ? 2 : 1, type, 'maxAvgPPos', 'Max/avg active power ΣP+', W),
  Q: (address: number, type: DataType) => field(address, type === 'U32' ? 2 : 1, type, 'maxAvgQPos', 'Max/avg reactive power ΣQ+', VAR),
  S: (address: number, type: DataType) => field(address, type === 'U32' ? 2 : 1, type, 'maxAvgS', 'Max/avg apparent power ΣS', VA),
};

/** Two U16 rows "<10 000" and ">10 000" read as one counter (device notes, inferred from the labels). */
function split10000(address: number, key: string, label: string, options: FieldOptions): FieldDef {
  return field(address, 2, 'U16', key, label, { ...options, split10000: true, tableRows: 2 });
}

export const ENERGY_UNIT_NOTE = 'The table says Wh/varh; one count is 1 kWh/kvarh (device notes).';

// ---------------------------------------------------------------------------------------
// The blocks, in table order
// ---------------------------------------------------------------------------------------

export const BLOCKS: readonly BlockDef[] = [
  block({ id: 'identification', title: 'Identification', start: 50000, size: 66, kind: 'info', category: 'identification', lockedAccess: READ }, [
    field(50000, 4, 'STRING_16', 'signature', 'Signature ("SOCO")'),
    field(50004, 1, 'U16', 'family', 'Product family (product order id)', { enumValues: PRODUCT_FAMILIES }),
    field(50005, 1, 'U16', 'productId', 'Product id'),
    field(50006, 1, 'U16', 'jbusTableVersion', 'JBUS table version (101 = 1.01)'),
    field(50007, 1, 'U16', 'softwareVersion', 'Product software version (100 = 1.00)'),
    field(50008, 1, 'U16_HEX', 'serialAaSs', 'Serial number: year and week (AA SS)'),
    field(50009, 1, 'U16_HEX', 'serialSstL', 'Serial number: SST L'),
    field(50010, 1, 'U16', 'serialOrder', 'Serial number: order'),
    field(50011, 2, 'U32', 'serialReserve', 'Serial number: reserve'),
    field(50013, 4, 'U64_HEX', 'codeTable', 'Code table (see the "Code table" tab)'),
    field(50017, 1, 'U8', 'customizationLoaded', 'Customization data loaded', { flag: true }),
    field(50018, 1, 'U16', 'productVersionMajor', 'Product version (major)'),
    field(50019, 1, 'U16', 'productVersionMinor', 'Product version (minor)'),
    field(50020, 1, 'U16', 'productVersionRevision', 'Product version (revision)'),
    field(50021, 1, 'U16', 'productVersionBuild', 'Product version (build)'),
    field(50022, 3, 'DATETIME_3', 'buildDate', 'Product build date'),
    field(50025, 1, 'U16', 'baseVersionMajor', 'Software technical base version (major)'),
    field(50026, 1, 'U16', 'baseVersionMinor', 'Software technical base version (minor)'),
    field(50027, 1, 'U16', 'baseVersionRevision', 'Software technical base version (revision)'),
    field(50028, 1, 'U16', 'customizationVersionMajor', 'Customization version (major)'),
    field(50029, 1, 'U16', 'customizationVersionMinor', 'Customization version (minor)'),
    field(50030, 4, 'STRING_NORM', 'productVlo', 'Product VLO (e.g. "880100")'),
    field(50034, 4, 'STRING_NORM', 'customizationVlo', 'Customization VLO'),
    field(50038, 4, 'STRING_NORM', 'baseVlo', 'Software technical base VLO'),
    field(50042, 8, 'STRING_NORM', 'vendorName', 'Vendor name'),
    field(50050, 8, 'STRING_NORM', 'productName', 'Product name (e.g. "DIRIS A20")'),
    field(50058, 8, 'STRING_NORM', 'extendedName', 'Extended name'),
  ]),
  block({ id: 'options', title: 'Product options', start: 36096, size: 4, kind: 'info', category: 'identification', lockedAccess: READ }, [
    field(36096, 1, 'U8', 'optionCode', 'Product option code', { bits: OPTION_BITS }),
    reserved(36097, 1),
    field(36098, 1, 'U8', 'optionSlot1', 'Option slot 1', { enumValues: OPTION_SLOTS }),
    field(36099, 1, 'U8', 'optionSlot2', 'Option slot 2', { enumValues: OPTION_SLOTS }),
  ]),
  block({ id: 'customization', title: 'Customization data', start: 4096, size: 138, kind: 'info', category: 'identification', lockedAccess: READ }, [
    field(4096, 1, 'U8', 'customizationDataLoaded', 'Customisation specific data loaded', { flag: true }),
    field(4097, 1, 'U8', 'retrofitActivated', 'Retrofit activated', { flag: true }),
    field(4098, 8, 'U32[]', 'ctList', 'CT list', { unit: 'A' }),
    field(4106, 16, 'U32[]', 'ctGainCorrectionX1', 'CT gain correction X1 (2 words per CT)'),
    field(4122, 16, 'U32[]', 'ctGainCorrectionX2', 'CT gain correction X2 (2 words per CT)'),
    field(4138, 16, 'U32[]', 'ctGainCorrectionY1', 'CT gain correction Y1 (2 words per CT)'),
    field(4154, 16, 'U32[]', 'ctGainCorrectionY2', 'CT gain correction Y2 (2 words per CT)'),
    field(4170, 16, 'U32[]', 'ctPhaseCorrectionX1', 'CT phase correction X1 (2 words per CT)'),
    field(4186, 16, 'U32[]', 'ctPhaseCorrectionX2', 'CT phase correction X2 (2 words per CT)'),
    field(4202, 16, 'U32[]', 'ctPhaseCorrectionY1', 'CT phase correction Y1 (2 words per CT)'),
    field(4218, 16, 'U32[]', 'ctPhaseCorrectionY2', 'CT phase correction Y2 (2 words per CT)'),
  ]),
  block(
    { id: 'commonSettings', title: 'Common settings', start: 57344, size: 12, kind: 'settings', category: 'settings', lockedAccess: READ_WRITE },
    [
      field(57344, 1, 'U8', 'networkType', 'Network type', { enumValues: NETWORK_TYPES }),
      field(57345, 1, 'U8', 'ctSecondary', 'CT secondary', {
        unit: 'A',
        allowedValues: [1, 5],
        note: 'Blocks disagree on the coding; we follow the table: 1 = 1 A, 5 = 5 A.',
      }),
      field(57346, 1, 'U16', 'ctPrimary', 'CT primary', { unit: 'A', min: 1, max: 10000 }),
      ...reservedRows(57347, 57351, 1),
      reserved(57352, 2),
      reserved(57354, 1),
      reserved(57355, 1),
    ],
  ),
  block({ id: 'actions', title: 'Actions (store, restart, factory configuration)', start: 57856, size: 2, kind: 'commands', category: 'commands', lockedAccess: WRITE }, [
    field(57856, 1, 'U8_HEX', 'action', 'Action: 0xA1 store, 0xB2 restart, 0xC3 factory configuration', { enumValues: ACTIONS }),
  ]),
  block(
    { id: 'applicationSettings', title: 'Application settings', start: 36352, size: 18, kind: 'settings', category: 'settings', lockedAccess: READ_WRITE },
    [
      field(36352, 1, 'U8', 'networkType', 'Network type', { enumValues: NETWORK_TYPES }),
      field(36353, 1, 'U8', 'ctSecondary', 'CT secondary', {
        unit: 'A',
        allowedValues: [1, 5],
        note: 'Blocks disagree on the coding; we follow the table: 1 = 1 A, 5 = 5 A.',
      }),
      field(36354, 1, 'U8', 'ctPrimary', 'CT primary', { unit: 'A', min: 1, max: 10000, note: '"U8" is not a real bound: the whole register holds the value.' }),
      reserved(36355, 1, 'U8'),
      field(36356, 1, 'U8', 'syncCurrentAvgMax', 'Synchronisation of I avg/max', { enumValues: SYNC_PERIODS }),
      field(36357, 1, 'U8', 'syncPowerAvgMax', 'Synchronisation of P/Q/S avg/max', { enumValues: SYNC_PERIODS }),
      field(36358, 1, 'U8', 'pulseOutputAllocation', 'Output: pulse allocation', { enumValues: PULSE_ALLOCATIONS }),
      field(36359, 1, 'U8', 'pulseOutputValue', 'Output: pulse value (per pulse)', { enumValues: PULSE_VALUES }),
      field(36360, 1, 'U8', 'pulseOutputDuration', 'Output: pulse duration', { unit: 'ms', scale: 100, min: 1, max: 9 }),
      field(36361, 1, 'U8', 'hourMeterAllocation', 'Hour meter allocation', { enumValues: HOUR_METER_ALLOCATIONS }),
      field(36362, 1, 'U16', 'hourMeterThreshold', 'Hour meter trigger threshold', { min: 0, max: 65535 }),
      field(36363, 1, 'U8', 'alarmType', 'Alarm type', { enumValues: ALARM_TYPES }),
      field(36364, 1, 'U16', 'alarmDelay', 'Alarm specified time', { unit: 's', min: 1, max: 999 }),
      field(36365, 1, 'U16', 'alarmUpperThreshold', 'Alarm upper threshold (in the unit of the alarm type\'s quantity)', { min: 0, max: 65535, quantityField: 'alarmType', note: THRESHOLD_NOTE }),
      field(36366, 1, 'U16', 'alarmLowerThreshold', 'Alarm lower threshold (in the unit of the alarm type\'s quantity)', { min: 0, max: 65535, quantityField: 'alarmType', note: THRESHOLD_NOTE }),
      field(36367, 1, 'U8', 'alarmHysteresis', 'Alarm hysteresis', { unit: '%', min: 0, max: 99 }),
      field(36368, 1, 'U8', 'relayState', 'Relay state', { enumValues: RELAY_STATES }),
      field(36369, 1, 'U8', 'reactivePowerCalculation', 'Reactive power calculation (0 or 1)', { allowedValues: [0, 1] }),
    ],
  ),
  block({ id: 'instantaneous', title: 'Instantaneous values (32-bit)', start: 50512, size: 80, kind: 'info', category: 'measurements', lockedAccess: READ }, [
    field(50512, 2, 'U32', 'hourMeter', 'Hour meter', { unit: 'h', scale: 0.01 }),
    ...voltagesFrequencyCurrents(50514, 2, 'U32'),
    ...powers(50536, 2, 'S32', 'U32'),
    ...systemValues(50568, 2, 'U32'),
    ...iecPowerFactors(50574, 2, 'S32'),
    ...pfTypesAndUnbalance(50582, 2, 'U8', 'U32'),
  ]),
  block({ id: 'energies', title: 'Energies (partial counters)', start: 50768, size: 65, kind: 'info', category: 'measurements', lockedAccess: READ }, [
    field(50768, 2, 'U32', 'hourMeter', 'Hour meter', { unit: 'h', scale: 0.01 }),
    ...reservedRows(50770, 50778, 2),
    field(50780, 2, 'U32', 'EaPos', 'Partial positive active energy Ea+', { ...KWH, note: ENERGY_UNIT_NOTE }),
    field(50782, 2, 'U32', 'ErPos', 'Partial positive reactive energy Er+', { ...KVARH, note: ENERGY_UNIT_NOTE }),
    field(50784, 2, 'U32', 'Es', 'Partial apparent energy Es', { unit: 'kVAh', scale: 1, note: ENERGY_UNIT_NOTE }),
    field(50786, 2, 'U32', 'EaNeg', 'Partial negative active energy Ea-', { ...KWH, note: ENERGY_UNIT_NOTE }),
    field(50788, 2, 'U32', 'ErNeg', 'Partial negative reactive energy Er-', { ...KVARH, note: ENERGY_UNIT_NOTE }),
    ...reservedRows(50790, 50826, 2),
    ...reservedRows(50828, 50832, 1),
  ]),
  block({ id: 'maxAvg', title: 'Max/avg (demand) values', start: 51024, size: 70, kind: 'info', category: 'measurements', lockedAccess: READ }, [
    ...reservedRows(51024, 51068, 2),
    maxAvg.I1(51070, 'U32'),
    maxAvg.I2(51072, 'U32'),
    maxAvg.I3(51074, 'U32'),
    maxAvg.In(51076, 'U32'),
    maxAvg.P(51078, 'U32'),
    reserved(51080, 2),
    maxAvg.Q(51082, 'U32'),
    reserved(51084, 2),
    maxAvg.S(51086, 'U32'),
    ...reservedRows(51088, 51093, 1),
  ]),
  block(
    { id: 'instantaneous16', title: 'Instantaneous values (16-bit, secondary)', start: 51280, size: 46, kind: 'info', category: 'measurements', lockedAccess: READ },
    [
      field(51280, 1, 'U16', 'hourMeter', 'Hour meter', { unit: 'h', scale: 1, note: 'One public source says 0.01 h; the device notes give 1 h.' }),
      ...voltagesFrequencyCurrents(51281, 1, 'U16'),
      ...powers(51292, 1, 'S16', 'U16'),
      ...systemValues(51308, 1, 'U16'),
      field(51311, 1, 'U16', 'totalEaPos', 'Total positive active energy Ea+ (not resettable)', {
        unit: 'MWh',
        scale: 1,
        note: 'The table says Wh; one count is 1 MWh (device notes).',
      }),
      field(51312, 1, 'U16', 'totalEaNeg', 'Total negative active energy Ea- (not resettable)', {
        unit: 'MWh',
        scale: 1,
        note: 'Blank in the table; it holds Ea- (device notes).',
      }),
      field(51313, 1, 'U16', 'totalErPos', 'Total positive reactive energy Er+ (not resettable)', {
        unit: 'Mvarh',
        scale: 1,
        note: 'The table says Wh; one count is 1 Mvarh (device notes).',
      }),
      field(51314, 1, 'U16', 'totalErNeg', 'Total negative reactive energy Er- (not resettable)', {
        unit: 'Mvarh',
        scale: 1,
        note: 'Blank in the table; it holds Er- (device notes).',
      }),
      ...iecPowerFactors(51315, 1, 'S16'),
      ...pfTypesAndUnbalance(51319, 1, 'U16', 'U16'),
    ],
  ),
  block({ id: 'harmonics', title: 'Harmonics (THD)', start: 51536, size: 10, kind: 'info', category: 'measurements', lockedAccess: READ }, [
    ...['thdU12', 'thdU23', 'thdU31', 'thdV1', 'thdV2', 'thdV3', 'thdI1', 'thdI2', 'thdI3', 'thdIn'].map((key, i) =>
      field(51536 + i, 1, 'U16', key, `THD ${key.slice(3)}`, { unit: '%', scale: 0.1 }),
    ),
  ]),
  block({ id: 'legacy32', title: 'Legacy values 0x300 (32-bit, primary)', start: 768, size: 150, kind: 'info', category: 'legacy', lockedAccess: READ }, [
    ...legacyCurrentsVoltagesFrequency(768, 2, 'U32'),
    ...powers(790, 2, 'S32', 'U32'),
    field(822, 16, 'U32[]', 'reserved822', 'Reserved (manufacturer)', { reserved: true }),
    maxAvg.I1(838, 'U32'),
    maxAvg.I2(840, 'U32'),
    maxAvg.I3(842, 'U32'),
    maxAvg.P(844, 'U32'),
    reserved(846, 2, 'U32'),
    maxAvg.Q(848, 'U32'),
    reserved(850, 2, 'U32'),
    maxAvg.S(852, 'U32'),
    field(854, 2, 'U32', 'hourMeter', 'Hour meter', { unit: 'h', scale: 0.01 }),
    field(856, 2, 'U32', 'EaPos', 'Active energy Ea+', { ...KWH, note: ENERGY_UNIT_NOTE }),
    field(858, 2, 'U32', 'ErPos', 'Reactive energy Er+', { ...KVARH, note: ENERGY_UNIT_NOTE }),
    field(860, 56, 'U32[]', 'reserved860', 'Reserved', { reserved: true }),
    maxAvg.In(916, 'U32'),
  ]),
  block({ id: 'legacy16', title: 'Legacy values 0x700 (16-bit)', start: 1792, size: 100, kind: 'info', category: 'legacy', lockedAccess: READ }, [
    ...legacyCurrentsVoltagesFrequency(1792, 1, 'U16'),
    ...powers(1803, 1, 'S16', 'U16'),
    field(1819, 8, 'U16[]', 'reserved1819', 'Reserved (manufacturer)', { reserved: true }),
    maxAvg.I1(1827, 'U16'),
    maxAvg.I2(1828, 'U16'),
    maxAvg.I3(1829, 'U16'),
    maxAvg.P(1830, 'U16'),
    reserved(1831, 1),
    maxAvg.Q(1832, 'U16'),
    reserved(1833, 1),
    maxAvg.S(1834, 'U16'),
    split10000(1835, 'EaPos', 'Active energy Ea+', { ...KWH, note: ENERGY_UNIT_NOTE }),
    split10000(1837, 'ErPos', 'Reactive energy Er+', { ...KVARH, note: ENERGY_UNIT_NOTE }),
    field(1839, 52, 'U16[]', 'reserved1839', 'Reserved (manufacturer)', { reserved: true }),
    maxAvg.In(1891, 'U16'),
  ]),
  block({ id: 'reset', title: 'Reset counters and max/avg values', start: 1024, size: 1, kind: 'commands', category: 'commands', lockedAccess: WRITE }, [
    field(1024, 1, 'U16_HEX', 'reset', 'Reset bit mask', { bits: RESET_BITS }),
  ]),
  block({ id: 'alarms', title: 'Active threshold alarms', start: 36176, size: 7, kind: 'info', category: 'alarms', lockedAccess: READ }, [
    field(36176, 1, 'U8', 'lowerAlarmCause', 'Alarm on lower threshold: cause', { enumValues: ALARM_CAUSES }),
    field(36177, 2, 'U32', 'lowerAlarmValue', 'Alarm on lower threshold: minimum value (raw, in the cause quantity)'),
    field(36179, 1, 'U8', 'upperAlarmCause', 'Alarm on upper threshold: cause', { enumValues: ALARM_CAUSES }),
    field(36180, 2, 'U32', 'upperAlarmValue', 'Alarm on upper threshold: maximum value (raw, in the cause quantity)'),
    field(36182, 1, 'U8', 'alarmDuration', 'Alarm duration', { unit: 's' }),
  ]),
  block({ id: 'inputs', title: 'Extension inputs', start: 8192, size: 3, kind: 'info', category: 'extensions', lockedAccess: READ }, [
    field(8192, 1, 'U8', 'input1', 'Input 1 state (closed = true)', { flag: true }),
    field(8193, 1, 'U8', 'input2', 'Input 2 state (closed = true)', { flag: true }),
    field(8194, 1, 'U8', 'input3', 'Input 3 state (closed = true)', { flag: true }),
  ]),
  block({ id: 'inputsOutputs', title: 'Inputs and outputs', start: 51968, size: 4, kind: 'info', category: 'extensions', lockedAccess: READ }, [
    field(51968, 1, 'U8', 'inputCount', 'Number of inputs'),
    field(51969, 1, 'U8', 'inputStates', 'Input states (bit 0 = input 1; closed = true)', { bits: eightBits('input') }),
    field(51970, 1, 'U8', 'outputCount', 'Number of outputs'),
    field(51971, 1, 'U8', 'outputStates', 'Output states (bit 0 = output 1; closed = true)', { bits: eightBits('output') }),
  ]),
  block(
    {
      id: 'industrialization',
      title: 'Industrialization (calibration)',
      start: 36816,
      size: 45,
      kind: 'settings',
      category: 'industrialization',
      lockedAccess: READ_WRITE,
      factoryOnly: true,
    },
    [
      field(36816, 2, 'U32', 'calibrationCurrent', 'Current injected during calibration'),
      field(36818, 2, 'U32', 'calibrationVoltage', 'Phase-to-neutral voltage injected during calibration'),
      field(36820, 1, 'U8', 'calibrationAction', 'Calibration action'),
      field(36821, 1, 'U8', 'setPulseRelay', 'Set pulse relay'),
      field(36822, 1, 'U8', 'clearPulseRelay', 'Clear pulse relay'),
      field(36823, 2, 'S32', 'manufacturerCode', 'Manufacturer code'),
      field(36825, 4, 'U16[]', 'currentGainCoefficients', 'General current coefficients'),
      field(36829, 4, 'U16[]', 'voltageGainCoefficients', 'General voltage coefficients'),
      field(36833, 4, 'U16[]', 'phaseShift1', 'Phase shift phase 1'),
      field(36837, 4, 'U16[]', 'phaseShift2', 'Phase shift phase 2'),
      field(36841, 4, 'U16[]', 'phaseShift3', 'Phase shift phase 3'),
      ...offsetGainPairs(36845, 'U8'),
    ],
  ),
  block({ id: 'calibration', title: 'Analog calibration', start: 36384, size: 3, kind: 'info', category: 'industrialization', lockedAccess: READ }, [
    field(36384, 1, 'U8', 'offsetCalibration', 'Offset calibration (0-1024)'),
    field(36385, 1, 'U8', 'offsetIntExt', 'Offset internal/external (default 0)'),
    field(36386, 1, 'U8', 'convertValue', 'Converted value (0-1024)'),
  ]),
  block({ id: 'legacyB00', title: 'Legacy values 0xB00 (16-bit)', start: 2816, size: 40, kind: 'info', category: 'legacy', lockedAccess: READ }, [
    field(2816, 1, 'U16', 'I1', 'Current I1', A),
    field(2817, 1, 'U16', 'I2', 'Current I2', A),
    field(2818, 1, 'U16', 'I3', 'Current I3', A),
    field(2819, 1, 'U16', 'In', 'Neutral current In', A),
    field(2820, 1, 'U16', 'U12', 'Phase-to-phase voltage U12', V),
    field(2821, 1, 'U16', 'U23', 'Phase-to-phase voltage U23', V),
    field(2822, 1, 'U16', 'U31', 'Phase-to-phase voltage U31', V),
    field(2823, 1, 'U16', 'V1', 'Phase-to-neutral voltage V1', V),
    field(2824, 1, 'U16', 'V2', 'Phase-to-neutral voltage V2', V),
    field(2825, 1, 'U16', 'V3', 'Phase-to-neutral voltage V3', V),
    field(2826, 1, 'U16', 'F', 'Frequency', HZ),
    field(2827, 1, 'S16', 'P', 'Total active power P', W),
    field(2828, 1, 'S16', 'Q', 'Total reactive power Q', VAR),
    field(2829, 1, 'U16', 'S', 'Total apparent power S', VA),
    field(2830, 1, 'S16', 'PF', 'Total power factor PF (- capacitive, + inductive)', PF),
    maxAvg.I1(2831, 'U16'),
    maxAvg.I2(2832, 'U16'),
    maxAvg.I3(2833, 'U16'),
    maxAvg.In(2834, 'U16'),
    maxAvg.P(2835, 'U16'),
    split10000(2836, 'EaPos', 'Active energy Ea+', { ...KWH, note: ENERGY_UNIT_NOTE }),
    split10000(2838, 'ErPos', 'Reactive energy Er+', { ...KVARH, note: ENERGY_UNIT_NOTE }),
    split10000(2840, 'hourMeter', 'Hour meter', { unit: 'h', scale: 1, note: 'Split at 10 000 h, so whole hours (from the labels).' }),
    field(2842, 1, 'S16', 'P1', 'Active power phase 1', W),
    field(2843, 1, 'S16', 'P2', 'Active power phase 2', W),
    field(2844, 1, 'S16', 'P3', 'Active power phase 3', W),
    field(2845, 1, 'S16', 'Q1', 'Reactive power phase 1', VAR),
    field(2846, 1, 'S16', 'Q2', 'Reactive power phase 2', VAR),
    field(2847, 1, 'S16', 'Q3', 'Reactive power phase 3', VAR),
    field(2848, 1, 'U16', 'S1', 'Apparent power phase 1', VA),
    field(2849, 1, 'U16', 'S2', 'Apparent power phase 2', VA),
    field(2850, 1, 'U16', 'S3', 'Apparent power phase 3', VA),
    field(2851, 1, 'S16', 'PF1', 'Power factor phase 1', PF),
    field(2852, 1, 'S16', 'PF2', 'Power factor phase 2', PF),
    field(2853, 1, 'S16', 'PF3', 'Power factor phase 3', PF),
    maxAvg.Q(2854, 'U16'),
    maxAvg.S(2855, 'U16'),
  ]),
  block({ id: 'legacyAlarms', title: 'Active threshold alarms (legacy)', start: 1280, size: 7, kind: 'info', category: 'legacy', lockedAccess: READ }, [
    field(1280, 1, 'U8', 'lowerAlarmCause', 'Alarm on lower threshold: cause', { enumValues: ALARM_CAUSES }),
    field(1281, 2, 'S32', 'lowerAlarmValue', 'Alarm on lower threshold: minimum value (raw, in the cause quantity)'),
    field(1283, 1, 'U8', 'upperAlarmCause', 'Alarm on upper threshold: cause', { enumValues: ALARM_CAUSES }),
    field(1284, 2, 'S32', 'upperAlarmValue', 'Alarm on upper threshold: maximum value (raw, in the cause quantity)'),
    field(1286, 1, 'U8', 'alarmDuration', 'Alarm duration', { unit: 's' }),
  ]),
  block({ id: 'legacyOptions', title: 'Product options (legacy)', start: 256, size: 4, kind: 'info', category: 'legacy', lockedAccess: READ }, [
    field(256, 1, 'U8', 'optionCode', 'Product option code', { bits: OPTION_BITS }),
    reserved(257, 1, 'U8'),
    field(258, 1, 'U8', 'optionSlot1', 'Option slot 1', { enumValues: OPTION_SLOTS }),
    field(259, 1, 'U8', 'optionSlot2', 'Option slot 2', { enumValues: OPTION_SLOTS }),
  ]),
  block({ id: 'legacySettings', title: 'Settings (legacy 0x200)', start: 512, size: 109, kind: 'settings', category: 'legacy', lockedAccess: READ_WRITE }, [
    field(512, 1, 'U8', 'networkType', 'Network type', { enumValues: LEGACY_NETWORK_TYPES }),
    field(513, 1, 'U8', 'ctSecondary', 'CT secondary', { unit: 'A', allowedValues: [1, 5], note: 'We follow the table: 1 = 1 A, 5 = 5 A.' }),
    field(514, 1, 'U8', 'ctPrimary', 'CT primary', { unit: 'A', min: 1, max: 10000 }),
    field(515, 4, 'U16[]', 'reserved515', 'Reserved', { reserved: true }),
    field(519, 1, 'U8', 'syncCurrentAvgMax', 'Synchronisation of I avg/max', { enumValues: SYNC_PERIODS }),
    field(520, 1, 'U8', 'syncPowerAvgMax', 'Synchronisation of P/Q/S avg/max', { enumValues: SYNC_PERIODS }),
    field(521, 1, 'U8', 'pulseOutputAllocation', 'Output: pulse allocation', { enumValues: PULSE_ALLOCATIONS }),
    field(522, 1, 'U8', 'pulseOutputValue', 'Output: pulse value (per pulse)', { enumValues: PULSE_VALUES }),
    field(523, 1, 'U8', 'pulseOutputDuration', 'Output: pulse duration', { unit: 'ms', scale: 100, min: 1, max: 9 }),
    field(524, 27, 'U16[]', 'reserved524', 'Reserved (manufacturer)', { reserved: true }),
    field(551, 1, 'U8', 'alarmType', 'Alarm type', { enumValues: ALARM_TYPES }),
    field(552, 1, 'U16', 'alarmUpperThreshold', 'Alarm upper threshold (in the unit of the alarm type\'s quantity)', { min: 0, max: 65535, quantityField: 'alarmType', note: THRESHOLD_NOTE }),
    reserved(553, 1, 'U8'),
    field(554, 1, 'U16', 'alarmLowerThreshold', 'Alarm lower threshold (in the unit of the alarm type\'s quantity)', { min: 0, max: 65535, quantityField: 'alarmType', note: THRESHOLD_NOTE }),
    reserved(555, 1, 'U8'),
    field(556, 1, 'U8', 'alarmHysteresis', 'Alarm hysteresis', { unit: '%', min: 0, max: 99 }),
    field(557, 1, 'U16', 'alarmDelay', 'Alarm specified time', { unit: 's', min: 1, max: 999 }),
    field(558, 1, 'U8', 'relayState', 'Relay state', { enumValues: RELAY_STATES }),
    field(559, 58, 'U16[]', 'reserved559', 'Reserved', { reserved: true }),
    field(617, 1, 'U8', 'hourMeterAllocation', 'Hour meter allocation', { enumValues: HOUR_METER_ALLOCATIONS }),
    field(618, 1, 'U8', 'hourMeterThreshold', 'Hour meter trigger threshold', { min: 0, max: 65535 }),
    reserved(619, 1, 'U8'),
    field(620, 1, 'U8', 'reactivePowerCalculation', 'Reactive power calculation (0 or 1)', { allowedValues: [0, 1] }),
  ]),
  block(
    {
      id: 'factory',
      title: 'Factory settings and calibration (lock level USER)',
      start: 0,
      size: 58,
      kind: 'settings',
      category: 'industrialization',
      lockLevel: 'USER',
      lockedAccess: READ,
      unlockedAccess: READ_WRITE,
      factoryOnly: true,
    },
    [
      field(0, 1, 'U8', 'serialAaSs', 'Serial number (AASS)'),
      field(1, 1, 'U8', 'serialXxl1', 'Serial number (XXL), word 1'),
      field(2, 1, 'U8', 'serialXxl2', 'Serial number (XXL), word 2'),
      field(3, 1, 'U8', 'serialReserve', 'Serial number (reserve)'),
      field(4, 1, 'U8', 'softwareVersion', 'Software version'),
      field(5, 6, 'U16[]', 'calibrationCurrent', 'Current injected during calibration'),
      field(11, 8, 'U16[]', 'calibrationVoltage', 'Phase-to-neutral voltage injected during calibration'),
      field(19, 1, 'U8', 'calibrationAction', 'Calibration action'),
      field(20, 1, 'U8', 'setPulseRelay', 'Set pulse relay'),
      field(21, 1, 'U8', 'clearPulseRelay', 'Clear pulse relay'),
      field(22, 1, 'U8', 'manufacturerCode', 'Manufacturer code'),
      field(23, 2, 'S32', 'currentGain', 'General current coefficient'),
      field(25, 2, 'S32', 'voltageGain', 'General voltage coefficient'),
      field(27, 2, 'S32', 'powerGain', 'General power coefficient'),
      field(29, 2, 'S32', 'phaseShift1', 'Phase shift phase 1'),
      field(31, 2, 'S32', 'phaseShift2', 'Phase shift phase 2'),
      field(33, 2, 'S32', 'phaseShift3', 'Phase shift phase 3'),
      ...offsetGainPairs(35, 'U8'),
      field(51, 1, 'U8', 'keyTests', 'Key tests'),
      field(52, 1, 'U8', 'jbusAddress', 'JBUS address'),
      field(53, 1, 'U8', 'jbusBaudRate', 'JBUS baud rate'),
      field(54, 1, 'U8', 'supplyVoltage', 'Supply voltage'),
      field(55, 1, 'U8', 'diagnostics', 'Diagnostics'),
      field(56, 1, 'U8', 'backlightForce', 'Backlight force'),
      field(57, 1, 'U8', 'segmentForce', 'Segment force'),
    ],
  ),
];

/** Offset/gain pairs for IN, I1, I2, I3, VN, V1, V2, V3 (industrialization and block 0). */
function offsetGainPairs(first: number, type: DataType): FieldDef[] {
  const channels = ['In', 'I1', 'I2', 'I3', 'Vn', 'V1', 'V2', 'V3'];
  return channels.flatMap((channel, i) => [
    field(first + 2 * i, 1, type, `offset${channel}`, `Offset ${channel}`),
    field(first + 2 * i + 1, 1, type, `gain${channel}`, `Gain ${channel}`),
  ]);
}
