/**
 * One profile per published Socomec table. The DIRIS A-20 is the map of map.ts, unchanged;
 * every other model is the shared blocks plus what its own table changes (derive), and the
 * blocks only it has. Each profile is checked row by row against its table in
 * test/unit/profiles.test.ts; where a table contradicts itself, a `note` on the field says so.
 */
import {
  ALARM_CAUSES,
  ACTIONS,
  ALARM_TYPES,
  BLOCKS,
  KVARH,
  KWH,
  PF,
  READ,
  WRITE,
  block,
  field,
  reserved,
  reservedRows,
} from '../map';
import type { BlockDef, FieldDef } from '../types';
import { derive } from './derive';
import type { MeterProfile, ResetTarget } from './types';

const a20 = (id: string): BlockDef => {
  const found = BLOCKS.find((b) => b.id === id);
  if (!found) throw new Error(`no A-20 block ${id}`);
  return found;
};

const resetsAt = (address: number, masks: Record<string, number>): Record<string, ResetTarget[]> =>
  Object.fromEntries(Object.entries(masks).map(([name, mask]) => [name, [{ address, mask }]]));

/** Resets of several registers: "all" is every named reset together. */
function withAll(resets: Record<string, ResetTarget[]>): Record<string, ResetTarget[]> {
  const merged = new Map<number, number>();
  for (const targets of Object.values(resets)) for (const t of targets) merged.set(t.address, (merged.get(t.address) ?? 0) | t.mask);
  return { ...resets, all: [...merged].map(([address, mask]) => ({ address, mask })) };
}

/** Store and restart only: Countis and A-14 tables have no factory configuration code. */
const STORE_RESTART: Readonly<Record<number, string>> = { 0xa1: 'store', 0xb2: 'restart' };

const KVAH = { unit: 'kVAh', scale: 1 };
const FINE = 0.01;
const H = { unit: 'h', scale: 0.01 };

// ------------------------------------------------------------------ shared blocks of the newer tables

/** 0xC650 of the A-14 and Countis: non-resettable totals, then the partial counters (kWh). */
function energies(options: { totalEs: boolean; partialEs: boolean; totalErNeg: boolean; partialErNeg: boolean; lastAverage?: 'seconds' | 'datetime' }): BlockDef {
  const rows: FieldDef[] = [
    reserved(50768, 2),
    field(50770, 2, 'U32', 'totalEaPos', 'Total positive active energy Ea+ (not resettable)', KWH),
    field(50772, 2, 'U32', 'totalErPos', 'Total positive reactive energy Er+ (not resettable)', KVARH),
    options.totalEs ? field(50774, 2, 'U32', 'totalEs', 'Total apparent energy Es (not resettable)', KVAH) : reserved(50774, 2),
    field(50776, 2, 'U32', 'totalEaNeg', 'Total negative active energy Ea- (not resettable)', KWH),
    options.totalErNeg ? field(50778, 2, 'U32', 'totalErNeg', 'Total negative reactive energy Er- (not resettable)', KVARH) : reserved(50778, 2),
    field(50780, 2, 'U32', 'EaPos', 'Partial positive active energy Ea+', KWH),
    field(50782, 2, 'U32', 'ErPos', 'Partial positive reactive energy Er+', KVARH),
    options.partialEs ? field(50784, 2, 'U32', 'Es', 'Partial apparent energy Es', KVAH) : reserved(50784, 2),
    field(50786, 2, 'U32', 'EaNeg', 'Partial negative active energy Ea-', KWH),
    options.partialErNeg ? field(50788, 2, 'U32', 'ErNeg', 'Partial negative reactive energy Er-', KVARH) : reserved(50788, 2),
    ...reservedRows(50790, 50824, 2),
  ];
  if (options.lastAverage === 'seconds') {
    rows.push(field(50826, 2, 'U32', 'lastAverageTime', 'Time of the last P/Q/S average (seconds since 2000-01-01)', { unit: 's' }));
  } else if (options.lastAverage === 'datetime') {
    rows.push(
      field(50826, 2, 'U32', 'lastAverageTime', 'Time of the last P/Q/S average (seconds since 2000-01-01)', {
        unit: 's',
        note: 'The table says DATETIME (2 words) and "in second since 01/01/2000": read as U32 seconds.',
      }),
    );
  } else rows.push(reserved(50826, 2));
  rows.push(
    options.lastAverage ? field(50828, 1, 'U16', 'lastAveragePPos', 'Last average active power P+', { unit: 'W', scale: 1 }) : reserved(50828, 1),
    ...reservedRows(50829, 50832, 1),
  );
  return block({ id: 'energies', title: 'Energies (totals and partial counters)', start: 50768, size: 65, kind: 'info', category: 'measurements', lockedAccess: READ }, rows);
}

/** 0xC700: the same counters as 0xC650 in 0.01 kWh ("Energies in Unit/100"), keys prefixed "fine". */
function fineEnergies(coarse: BlockDef, lacks: readonly string[] = []): BlockDef {
  const shift = 50944 - 50768;
  const fields = coarse.fields.map((f) => {
    if (f.reserved || lacks.includes(f.key)) return reserved(f.address + shift, f.words);
    if (f.unit === 'kWh' || f.unit === 'kvarh' || f.unit === 'kVAh') {
      const key = `fine${f.key[0].toUpperCase()}${f.key.slice(1)}`;
      return { ...f, key, address: f.address + shift, scale: FINE, label: `${f.label}, 0.01 resolution` };
    }
    return { ...f, address: f.address + shift, key: `fine${f.key[0].toUpperCase()}${f.key.slice(1)}` };
  });
  return block({ id: 'fineEnergies', title: 'Energies in 0.01 kWh', start: 50944, size: 65, kind: 'info', category: 'measurements', lockedAccess: READ }, fields);
}

/** 0xC6A0: tariff energies; `tariffs` active (and reactive) counters, optional time counters. */
function tariffEnergies(options: {
  tariffs: number;
  reactive: boolean;
  hours?: number;
  countNote?: string;
  unitNote?: string;
}): BlockDef {
  const rows: FieldDef[] = [
    field(50848, 1, 'U8', 'tariffCount', 'Number of tariffs', options.countNote ? { note: options.countNote } : {}),
    field(50849, 1, 'U8', 'currentTariff', 'Tariff in progress'),
  ];
  for (let t = 1; t <= 8; t++) {
    const address = 50848 + 2 * t;
    rows.push(t <= options.tariffs ? field(address, 2, 'U32', `tariffEaPos${t}`, `Positive active energy, tariff ${t}`, { ...KWH, ...(options.unitNote ? { note: options.unitNote } : {}) }) : reserved(address, 2));
  }
  for (let t = 1; t <= 8; t++) {
    const address = 50864 + 2 * t;
    const has = options.reactive && t <= options.tariffs;
    rows.push(has ? field(address, 2, 'U32', `tariffErPos${t}`, `Positive reactive energy, tariff ${t}`, { ...KVARH, ...(options.unitNote ? { note: options.unitNote } : {}) }) : reserved(address, 2));
  }
  for (let t = 1; t <= 8; t++) {
    const address = 50880 + 2 * t;
    rows.push(t <= (options.hours ?? 0) ? field(address, 2, 'U32', `tariffHours${t}`, `Time counter, tariff ${t}`, H) : reserved(address, 2));
  }
  return block({ id: 'tariffEnergies', title: 'Energies per tariff', start: 50848, size: 50, kind: 'info', category: 'measurements', lockedAccess: READ }, rows);
}

/** 0xE220 of the Countis: reset registers (energies at 57890, tariffs at 57892 and, on the E34/E44, more). */
function valueReset(named: Record<number, [string, string]>): BlockDef {
  const rows: FieldDef[] = [];
  for (let address = 57888; address <= 57892; address++) {
    const entry = named[address];
    rows.push(entry ? field(address, 1, 'U16_HEX', entry[0], entry[1]) : reserved(address, 1));
  }
  return block({ id: 'reset', title: 'Value reset', start: 57888, size: 5, kind: 'commands', category: 'commands', lockedAccess: WRITE }, rows);
}

/** The Countis tables leave the customization, revision/build, base version and VLO words reserved. */
const COUNTIS_IDENTIFICATION = derive(a20('identification'), {
  reserve: [
    'customizationLoaded',
    'productVersionRevision',
    'productVersionBuild',
    'buildDate',
    'baseVersionMajor',
    'baseVersionMinor',
    'baseVersionRevision',
    'customizationVersionMajor',
    'customizationVersionMinor',
    'customizationVlo',
    'baseVlo',
  ],
});

const commonSettingsWithSyncTop = (note?: string): BlockDef =>
  derive(a20('commonSettings'), {
    add: [
      field(57355, 1, 'U16', 'syncTopSeconds', 'Synchronisation top of the power averages', {
        unit: 's',
        allowedValues: [60, 300, 480, 600, 900, 1200, 1800, 3600],
        ...(note ? { note } : {}),
      }),
    ],
  });

const actionsStoreRestart = (access = WRITE): BlockDef =>
  derive(a20('actions'), {
    size: 1,
    access,
    patch: { action: { enumValues: STORE_RESTART, label: 'Action: 0xA1 store, 0xB2 restart' } },
  });

// ------------------------------------------------------------------ DIRIS A-20: the map as it is

const A20_RESETS = resetsAt(1024, {
  maxCurrents: 0x0001,
  maxPowers: 0x0002,
  hourMeter: 0x0040,
  activeEnergyPos: 0x0080,
  reactiveEnergyPos: 0x0100,
  apparentEnergy: 0x0200,
  activeEnergyNeg: 0x0400,
  reactiveEnergyNeg: 0x0800,
  energies: 0x0f80,
  all: 0x1000,
});

export const DIRIS_A20: MeterProfile = {
  id: 'A20',
  name: 'DIRIS A-20',
  document: 'register-map.txt (the table we received)',
  names: ['dirisa20'],
  blocks: BLOCKS,
  resets: A20_RESETS,
  actions: ACTIONS,
  unmapped: [],
  differences: ['The reference map: every other profile lists what it changes against it.'],
};

// ------------------------------------------------------------------ DIRIS A-10

const A10_PULSE_ALLOCATIONS = { 0: 'kWh+', 1: 'kvarh+', 2: 'kWh-', 3: 'kvarh-', 4: 'kVAh', 5: 'alarm', 6: 'command' };
const A10_SYNC = { 2: '2s', 5: '5min', 8: '8min', 10: '10min', 15: '15min', 30: '30min', 60: '60min' };
const WITH_TEMPERATURE_TYPE = { ...ALARM_TYPES, 15: 'temperature' };
const WITH_TEMPERATURE_CAUSE = { ...ALARM_CAUSES, 32: 'temperature' };
const TOTALS_MWH_NOTE = 'The A-10 table gives "Wh / 1E-06": one count is 1 MWh (1 Mvarh).';

export const DIRIS_A10: MeterProfile = {
  id: 'A10',
  name: 'DIRIS A-10',
  document: 'DIRIS-A-10_COMMUNICATION-TABLE_2018-01_DCG01013_MULTI',
  names: ['dirisa10'],
  blocks: [
    a20('identification'),
    derive(a20('options'), { size: 1 }),
    a20('customization'),
    a20('commonSettings'),
    derive(a20('actions'), { size: 1 }),
    derive(a20('applicationSettings'), {
      patch: {
        ctSecondary: { allowedValues: undefined, numericCodes: { 0: 1, 5: 5 }, note: 'The A-10 codes 1 A as 0 here (and as 1 in 57345 and 513).' },
        syncCurrentAvgMax: { enumValues: A10_SYNC },
        syncPowerAvgMax: { enumValues: A10_SYNC },
        pulseOutputAllocation: { enumValues: A10_PULSE_ALLOCATIONS },
        alarmType: { enumValues: WITH_TEMPERATURE_TYPE },
        alarmDelay: { type: 'U8', note: 'The A-10 table says U8 (the A-20 U16); "U8" is not a real bound: 1..999 in the whole register.' },
      },
    }),
    derive(a20('instantaneous'), { size: 74, reserve: ['iSys', 'uSys', 'vSys'] }),
    a20('energies'),
    a20('maxAvg'),
    derive(a20('instantaneous16'), {
      size: 43,
      reserve: ['iSys', 'uSys', 'vSys'],
      patch: { totalEaNeg: { note: TOTALS_MWH_NOTE }, totalErNeg: { note: TOTALS_MWH_NOTE }, totalEaPos: { note: TOTALS_MWH_NOTE }, totalErPos: { note: TOTALS_MWH_NOTE } },
    }),
    derive(a20('harmonics'), { reserve: ['thdIn'] }),
    a20('legacy32'),
    a20('legacy16'),
    // Same keys as the newer tables' 0xC6A0; the A-10 lists its reserved words in longer rows.
    block({ id: 'tariffEnergies', title: 'Tariff energies', start: 50848, size: 50, kind: 'info', category: 'measurements', lockedAccess: READ }, [
      field(50848, 1, 'U8', 'tariffCount', 'Number of tariffs'),
      field(50849, 1, 'U8', 'currentTariff', 'Tariff in progress'),
      field(50850, 2, 'U32', 'tariffEaPos1', 'Positive active energy, tariff 1', KWH),
      field(50852, 2, 'U32', 'tariffEaPos2', 'Positive active energy, tariff 2', KWH),
      reserved(50854, 12, 'U16[]'),
      field(50866, 2, 'U32', 'tariffErPos1', 'Positive reactive energy, tariff 1', KVARH),
      field(50868, 2, 'U32', 'tariffErPos2', 'Positive reactive energy, tariff 2', KVARH),
      reserved(50870, 12, 'U16[]'),
      reserved(50882, 16, 'U16[]'),
    ]),
    block({ id: 'legacyThd', title: 'THD (legacy 0x900)', start: 2304, size: 11, kind: 'info', category: 'legacy', lockedAccess: READ }, [
      ...['thdI1', 'thdI2', 'thdI3'].map((key, i) => field(2304 + i, 1, 'U16', key, `THD ${key.slice(3)}`, { unit: '%', scale: 0.1 })),
      reserved(2307, 1),
      ...['thdU12', 'thdU23', 'thdU31', 'thdV1', 'thdV2', 'thdV3'].map((key, i) => field(2308 + i, 1, 'U16', key, `THD ${key.slice(3)}`, { unit: '%', scale: 0.1 })),
      reserved(2314, 1),
    ]),
    a20('reset'),
    derive(a20('alarms'), { patch: { lowerAlarmCause: { enumValues: WITH_TEMPERATURE_CAUSE }, upperAlarmCause: { enumValues: WITH_TEMPERATURE_CAUSE } } }),
    block({ id: 'temperatures', title: 'Temperatures', start: 51456, size: 8, kind: 'info', category: 'extensions', lockedAccess: READ }, [
      field(51456, 1, 'U8', 'moduleTemperaturePresent', 'Internal temperature module present', { flag: true }),
      field(51457, 1, 'S16', 'moduleTemperature', 'Module temperature', {
        unit: '°C',
        note: 'The table gives no unit; whole degrees Celsius, as the meter displays it.',
      }),
      field(51458, 1, 'U8', 'externalTemperatureSensors', 'Number of external temperature sensors'),
      ...reservedRows(51459, 51463, 1),
    ]),
    a20('inputsOutputs'),
    a20('industrialization'),
    a20('calibration'),
    derive(a20('legacyB00'), {
      patch: { hourMeter: { scale: 0.01, note: 'The A-10 table gives h 10⁻² for both words: high × 10000 + low, in 0.01 h.' } },
    }),
    derive(a20('legacyAlarms'), { patch: { lowerAlarmCause: { enumValues: WITH_TEMPERATURE_CAUSE }, upperAlarmCause: { enumValues: WITH_TEMPERATURE_CAUSE } } }),
    derive(a20('legacyOptions'), { reserve: ['optionCode', 'optionSlot1', 'optionSlot2'] }),
    derive(a20('legacySettings'), {
      size: 108,
      patch: {
        alarmType: { enumValues: WITH_TEMPERATURE_TYPE },
        hourMeterAllocation: { enumValues: { 1: 'auxiliarySupply', 2: 'currents', 3: 'phaseToPhaseVoltage', 4: 'input1' } },
        hourMeterThreshold: { type: 'U16' },
      },
    }),
  ],
  resets: A20_RESETS,
  actions: ACTIONS,
  unmapped: [],
  differences: [
    '0xC550 is 74 words (no Isys/Usys/Vsys, no unbalances); 0xC850 43 words; no THD In',
    'options block 36096 is one word; legacy settings (512) 108 words',
    'CT secondary 1 A coded as 0 at 36353; seven pulse-output allocation codes; temperature alarms',
    'adds tariff energies (0xC6A0), temperatures (0xC900), legacy THD (0x900); legacy hour meter in 0.01 h',
    'no inputs block (8192), no factory block 0',
  ],
};

// ------------------------------------------------------------------ DIRIS A-14

const A14_ENERGIES = energies({ totalEs: false, partialEs: false, totalErNeg: true, partialErNeg: true, lastAverage: 'seconds' });
const TARIFF_UNIT_NOTE =
  'The table gives "Wh / 100" (tariff 1) and "h / 100" (tariffs 2-4), copy errors: its 0.01 table (0xC800) gives Wh / 0.1, so these count kWh as 0xC650 does.';

/** 0xC850 of the newer tables: totals Ea+, Er+, Ea-, Er- (not the A-20's Ea+, Ea-, Er+, Er-). */
const newerTotals16 = (has: { erNeg: boolean }): Record<string, { address: number; note?: string }> => ({
  totalEaPos: { address: 51311 },
  totalErPos: { address: 51312 },
  totalEaNeg: { address: 51313 },
  ...(has.erNeg ? { totalErNeg: { address: 51314 } } : {}),
});

function instantaneous16(options: { size: number; keep: readonly string[]; erNeg: boolean; patch?: Record<string, object>; add?: FieldDef[] }): BlockDef {
  const order = newerTotals16({ erNeg: options.erNeg });
  const keep = [...options.keep, ...Object.keys(order)];
  const moved: Record<string, object> = {};
  for (const [key, where] of Object.entries(order)) moved[key] = { address: where.address, note: undefined };
  const base = derive(a20('instantaneous16'), { size: options.size, keep, patch: { ...moved, ...(options.patch ?? {}) }, add: options.add });
  return { ...base, fields: [...base.fields].sort((a, b) => a.address - b.address) };
}

const ALL_INSTANT = ['U12', 'U23', 'U31', 'V1', 'V2', 'V3', 'F', 'I1', 'I2', 'I3', 'In', 'P', 'Q', 'S', 'PF', 'P1', 'P2', 'P3', 'Q1', 'Q2', 'Q3', 'S1', 'S2', 'S3', 'PF1', 'PF2', 'PF3'];
const HZ_THOUSANDTHS = { scale: 0.001 };

export const DIRIS_A14: MeterProfile = {
  id: 'A14',
  name: 'DIRIS A-14',
  document: 'MODBUS tables of Diris_A14',
  names: ['dirisa14'],
  blocks: [
    a20('identification'),
    commonSettingsWithSyncTop(),
    actionsStoreRestart(['READ', 'WRITE']),
    derive(a20('instantaneous'), { size: 62, keep: ALL_INSTANT }),
    A14_ENERGIES,
    fineEnergies(A14_ENERGIES),
    tariffEnergies({ tariffs: 4, reactive: true, unitNote: TARIFF_UNIT_NOTE }),
    instantaneous16({ size: 35, keep: ALL_INSTANT, erNeg: true }),
    block({ id: 'harmonics', title: 'Quality values (THD, cos φ)', start: 38400, size: 22, kind: 'info', category: 'measurements', lockedAccess: READ }, [
      ...['thdI1', 'thdI2', 'thdI3', 'thdV1', 'thdV2', 'thdV3', 'thdU12', 'thdU23', 'thdU31'].map((key, i) =>
        field(38400 + 2 * i, 2, 'U32', key, `THD ${key.slice(3)}`, { unit: '%', scale: 0.01 }),
      ),
      field(38418, 1, 'S16', 'cosPhi1', 'cos φ phase 1', PF),
      field(38419, 1, 'S16', 'cosPhi2', 'cos φ phase 2', PF),
      field(38420, 1, 'S16', 'cosPhi3', 'cos φ phase 3', PF),
      field(38421, 1, 'S16', 'cosPhi', 'cos φ total', PF),
    ]),
    block({ id: 'partialReset', title: 'Partial energy reset', start: 40512, size: 1, kind: 'commands', category: 'commands', lockedAccess: WRITE }, [
      field(40512, 1, 'U16_HEX', 'resetPartial', 'Reset partial energies (bit mask)'),
    ]),
    block({ id: 'maximumReset', title: 'Maximum reset', start: 40513, size: 1, kind: 'commands', category: 'commands', lockedAccess: WRITE }, [
      field(40513, 1, 'U16_HEX', 'resetMaximum', 'Reset maximum values (bit mask)'),
    ]),
  ],
  resets: withAll({
    ...resetsAt(40512, { activeEnergyPos: 0x000f, activeEnergyNeg: 0x0010, reactiveEnergyPos: 0x0020, reactiveEnergyNeg: 0x0040, energies: 0x007f }),
    ...resetsAt(40513, { maxCurrents: 0x000f, maxPowers: 0x01f0 }),
  }),
  actions: STORE_RESTART,
  unmapped: [
    { start: 38912, why: 'communication board versions: not needed to read the meter' },
    { start: 57600, why: 'date and time setting: six words in one write, not a setting of write-settings' },
    { start: 51200, why: 'tariff energies in 0.01 kWh: 0xC6A0 gives the same counters' },
    { start: 36864, why: 'overflow counters' },
    { start: 36896, why: 'day/week/month indexes' },
    { start: 36928, why: 'day/week/month indexes in 0.01 kWh' },
    { start: 37376, why: 'full-scale 64-bit energies (U64): 0xC650 and 0xC700 give the same counters' },
    { start: 37632, why: 'full-scale 64-bit tariff energies' },
    { start: 37888, why: 'full-scale 64-bit energies in 0.01 kWh' },
    { start: 38144, why: 'full-scale 64-bit tariff energies in 0.01 kWh' },
    { start: 37120, why: 'maximum values (not max/avg): reset by maxCurrents/maxPowers' },
    { start: 38656, why: 'set tariff command' },
    { start: 61440, why: 'load curve' },
    { start: 61456, why: 'load curve' },
    { start: 61462, why: 'load curve' },
    { start: 40544, why: 'industrialization mode and MID status' },
  ],
  differences: [
    'no hour meter; 0xC550 62 words (no Isys/Usys/Vsys, no IEC PF, no PF types)',
    'energies: non-resettable totals in 0xC650, 0.01 kWh counters in 0xC700, 4 tariffs',
    '0xC850 totals ordered Ea+, Er+, Ea-, Er-; THD in 0x9600 (U32, 0.01 %)',
    'resets at 40512 (partial energies) and 40513 (maximum values); no settings block 36352, no alarms, no factory configuration',
  ],
};

// ------------------------------------------------------------------ Countis E14, E23/E24, E34/E44

const COUNTIS_ENERGIES = energies({ totalEs: true, partialEs: true, totalErNeg: true, partialErNeg: true });
const COUNTIS_RESETS = withAll({
  ...resetsAt(57890, { activeEnergyPos: 0x01, reactiveEnergyPos: 0x02, apparentEnergy: 0x04, activeEnergyNeg: 0x08, reactiveEnergyNeg: 0x10, energies: 0x1f }),
  ...resetsAt(57892, { tariffEnergies: 0xffff }),
});
const COUNTIS_RESET_BLOCK = valueReset({ 57890: ['resetEnergies', 'Reset partial energies (bit mask)'], 57892: ['resetTariffs', 'Reset tariff counters (bit mask)'] });
const COUNTIS_COMMUNICATION_SETTINGS = [
  { start: 57344, why: 'Modbus address (lock level USER): changing it cuts the link; set it on the meter' },
  { start: 57345, why: 'RS-485 settings (lock level USER): changing them cuts the link; set them on the meter' },
];
const COUNTIS_EXTRAS = [
  { start: 51200, why: 'tariff energies in 0.01 kWh: 0xC6A0 gives the same counters' },
  { start: 25984, why: 'energy measurement (total) with residual counters: 0xC650 gives the totals' },
  { start: 32768, why: 'partial active energy by tariff' },
  { start: 33024, why: 'energy balance' },
  { start: 26368, why: 'tariff meter totals' },
  { start: 26401, why: 'tariff meter totals' },
  { start: 26497, why: 'tariff meter totals' },
  { start: 36864, why: 'overflow counters' },
  { start: 40576, why: 'current without CT' },
  { start: 40480, why: 'set tariff command' },
  { start: 40512, why: 'partial energy reset: the 0xE220 registers do the same' },
  { start: 40544, why: 'industrialization mode and MID status' },
  { start: 40608, why: 'communication board product id' },
];
const F_NOTE = 'Hz / 1000 in this table (the DIRIS tables give Hz / 100).';

export const COUNTIS_E14: MeterProfile = {
  id: 'E14',
  name: 'Countis E14',
  document: 'MODBUS tables of Countis_E14',
  names: ['countise14'],
  blocks: [
    COUNTIS_IDENTIFICATION,
    actionsStoreRestart(),
    COUNTIS_RESET_BLOCK,
    derive(a20('instantaneous'), { size: 62, keep: ['V1', 'F', 'I1', 'P', 'Q', 'S', 'PF', 'P1', 'Q1', 'S1', 'PF1'], patch: { F: { ...HZ_THOUSANDTHS, note: F_NOTE } } }),
    instantaneous16({ size: 36, keep: ['V1', 'F', 'PF', 'PF1'], erNeg: true, patch: { F: { ...HZ_THOUSANDTHS, note: F_NOTE } } }),
    COUNTIS_ENERGIES,
    // The E14 table leaves Es out of its 0.01 kWh block.
    fineEnergies(COUNTIS_ENERGIES, ['totalEs', 'Es']),
    tariffEnergies({ tariffs: 2, reactive: true, hours: 2, countNote: 'The table says "1 >= Tariff number <= 2".' }),
  ],
  resets: COUNTIS_RESETS,
  actions: STORE_RESTART,
  unmapped: [...COUNTIS_COMMUNICATION_SETTINGS, ...COUNTIS_EXTRAS],
  differences: [
    'single phase: V1, F, I1, P/Q/S/PF total and phase 1 only; F in 0.001 Hz',
    'energies: totals in 0xC650, 0.01 kWh in 0xC700, 2 tariffs with time counters',
    'resets at 0xE220 (57890 energies, 57892 tariffs), not 1024; no settings blocks (communication settings are locked)',
  ],
};

const E23_PHASE_SEQUENCE = field(51315, 1, 'U16', 'phaseSequence', 'Phase sequence', { enumValues: { 0: '123', 1: '132', 3: 'undefined' } });

export const COUNTIS_E23: MeterProfile = {
  id: 'E23',
  name: 'Countis E23/E24',
  document: 'MODBUS tables of Countis_E23 and Countis_E24 (identical)',
  names: ['countise23', 'countise24'],
  blocks: [
    COUNTIS_IDENTIFICATION,
    actionsStoreRestart(),
    COUNTIS_RESET_BLOCK,
    derive(a20('instantaneous'), { size: 62, keep: [...ALL_INSTANT, 'iSys', 'uSys', 'vSys'], patch: { F: { ...HZ_THOUSANDTHS, note: F_NOTE } } }),
    instantaneous16({
      size: 36,
      keep: ['U12', 'U23', 'U31', 'V1', 'V2', 'V3', 'F', 'PF', 'PF1', 'PF2', 'PF3', 'iSys', 'uSys', 'vSys'],
      erNeg: true,
      patch: { F: { ...HZ_THOUSANDTHS, note: F_NOTE } },
      add: [E23_PHASE_SEQUENCE],
    }),
    COUNTIS_ENERGIES,
    fineEnergies(COUNTIS_ENERGIES),
    tariffEnergies({ tariffs: 2, reactive: true, hours: 2, countNote: 'The table says "1 >= Tariff number <= 2".' }),
  ],
  resets: COUNTIS_RESETS,
  actions: STORE_RESTART,
  unmapped: [
    ...COUNTIS_COMMUNICATION_SETTINGS,
    ...COUNTIS_EXTRAS,
    { start: 19840, why: 'energy per line' },
    { start: 21888, why: 'energy per line' },
    { start: 23936, why: 'energy per line' },
    { start: 20224, why: 'tariff meter per line' },
    { start: 22272, why: 'tariff meter per line' },
    { start: 24320, why: 'tariff meter per line' },
  ],
  differences: [
    'three phases, no hour meter, no IEC PF or PF types; F in 0.001 Hz',
    '0xC850: voltages, F, PF, Isys/Usys/Vsys, totals Ea+, Er+, Ea-, Er-, phase sequence',
    'energies: totals in 0xC650, 0.01 kWh in 0xC700, 2 tariffs with time counters; resets at 0xE220',
  ],
};

const E34_ENERGIES = energies({ totalEs: false, partialEs: false, totalErNeg: false, partialErNeg: false, lastAverage: 'datetime' });

export const COUNTIS_E34: MeterProfile = {
  id: 'E34',
  name: 'Countis E34/E44',
  document: 'MODBUS tables of Countis_E34 / E44',
  names: ['countise34', 'countise44'],
  blocks: [
    COUNTIS_IDENTIFICATION,
    commonSettingsWithSyncTop(),
    actionsStoreRestart(),
    valueReset({
      57888: ['resetMinMaxAverage', 'Reset min/max and average values (bit mask)'],
      57889: ['resetMinMax', 'Reset instantaneous min/max (bit mask)'],
      57890: ['resetEnergies', 'Reset energies, hour counter, averages (bit mask)'],
      57891: ['resetPulseCounters', 'Reset input pulse counters (bit mask)'],
      57892: ['resetTariffs', 'Reset tariff counters (bit mask)'],
    }),
    derive(a20('instantaneous'), { size: 62, keep: ALL_INSTANT }),
    E34_ENERGIES,
    fineEnergies(E34_ENERGIES),
    derive(a20('maxAvg'), { keep: [] }),
    instantaneous16({ size: 35, keep: ['U12', 'U23', 'U31', 'V1', 'V2', 'V3', 'P', 'Q', 'S', 'PF', 'P1', 'P2', 'P3', 'Q1', 'Q2', 'Q3', 'S1', 'S2', 'S3', 'PF1', 'PF2', 'PF3'], erNeg: false }),
    tariffEnergies({ tariffs: 4, reactive: false, countNote: 'The table says "0 >: Tariff number <: 8" but lists four.' }),
  ],
  resets: withAll({
    ...resetsAt(57888, { maxCurrents: 0x0004, maxPowers: 0x0150 }),
    ...resetsAt(57890, { activeEnergyPos: 0x01, reactiveEnergyPos: 0x02, apparentEnergy: 0x04, activeEnergyNeg: 0x08, reactiveEnergyNeg: 0x10, hourMeter: 0x20, energies: 0x1f }),
    ...resetsAt(57892, { tariffEnergies: 0xffff }),
  }),
  actions: STORE_RESTART,
  unmapped: [
    { start: 38912, why: 'communication board versions' },
    { start: 57600, why: 'date and time setting: six words in one write' },
    { start: 51200, why: 'tariff energies in 0.01 kWh' },
    { start: 36864, why: 'overflow counters' },
    { start: 36896, why: 'day/week/month indexes' },
    { start: 36928, why: 'day/week/month indexes in 0.01 kWh' },
    { start: 40576, why: 'current without CT' },
    { start: 40480, why: 'set tariff command' },
    { start: 40512, why: 'partial energy reset: the 0xE220 registers do the same' },
    { start: 40544, why: 'industrialization mode and MID status' },
    { start: 40608, why: 'communication board product id' },
    { start: 61440, why: 'load curve' },
    { start: 61456, why: 'load curve' },
    { start: 61462, why: 'load curve' },
  ],
  differences: [
    'three phases, no hour meter, no Isys/Usys/Vsys; 0xC750 all reserved in the table (no max/avg values)',
    'energies: Ea+, Er+, Ea- only (no Es, no Er-), totals in 0xC650, 0.01 kWh in 0xC700, 4 tariffs',
    '0xC850 without F and currents; resets at 0xE220 (57888 min/max/avg, 57890 energies and hour counter, 57892 tariffs)',
  ],
};

export const PROFILES: readonly MeterProfile[] = [DIRIS_A10, DIRIS_A14, DIRIS_A20, COUNTIS_E14, COUNTIS_E23, COUNTIS_E34];
