import type { WantedField } from '../planner';
import { DIRIS_A20, profileBlock, visibleFields, type FieldDef, type MeterProfile } from '../registers';
import type { ErrorReason } from '../transport/reasons';
import { DeviceError, meterName } from './errors';
import { MEASUREMENT_GROUPS, MEASUREMENT_TABLES, type MeasurementGroup, type MeasurementTable } from './types';

/** Which group a field of a mixed legacy table belongs to. */
function legacyGroup(field: FieldDef): MeasurementGroup {
  if (field.key.startsWith('maxAvg')) return 'maxAvg';
  if (['EaPos', 'ErPos', 'Es', 'EaNeg', 'ErNeg', 'hourMeter'].includes(field.key)) return 'energies';
  return 'instantaneous';
}

/** Groups only some models have, the same whichever table serves the others. */
const EXTRA_GROUPS = {
  fineEnergies: [{ blockId: 'fineEnergies' }],
  tariffEnergies: [{ blockId: 'tariffEnergies' }],
  temperatures: [{ blockId: 'temperatures' }],
};

/** The blocks each table reads for each group; the legacy tables hold several groups in one block. */
const SOURCES: Record<MeasurementTable, Record<MeasurementGroup, { blockId: string; filter?: (f: FieldDef) => boolean }[]>> = {
  standard: {
    instantaneous: [{ blockId: 'instantaneous' }],
    energies: [{ blockId: 'energies' }],
    maxAvg: [{ blockId: 'maxAvg' }],
    harmonics: [{ blockId: 'harmonics' }],
    ...EXTRA_GROUPS,
  },
  secondary16: {
    instantaneous: [{ blockId: 'instantaneous16', filter: (f) => !f.key.startsWith('total') }],
    energies: [{ blockId: 'instantaneous16', filter: (f) => f.key.startsWith('total') }],
    maxAvg: [{ blockId: 'maxAvg' }],
    harmonics: [{ blockId: 'harmonics' }],
    ...EXTRA_GROUPS,
  },
  legacy32: legacySources('legacy32'),
  legacy16: legacySources('legacy16'),
  legacyB00: legacySources('legacyB00'),
};

function legacySources(blockId: string): Record<MeasurementGroup, { blockId: string; filter?: (f: FieldDef) => boolean }[]> {
  const of = (group: MeasurementGroup) => [{ blockId, filter: (f: FieldDef) => legacyGroup(f) === group }];
  return { instantaneous: of('instantaneous'), energies: of('energies'), maxAvg: of('maxAvg'), harmonics: [{ blockId: 'harmonics' }], ...EXTRA_GROUPS };
}

export interface MeasurementField {
  key: string;
  unit: string;
  label: string;
  group: MeasurementGroup;
  blockId: string;
  address: number;
}

/** The tables a model offers: those whose blocks it has. */
export function measurementTablesOf(profile: MeterProfile): MeasurementTable[] {
  return MEASUREMENT_TABLES.filter((table) =>
    (['instantaneous', 'energies'] as const).some((group) => SOURCES[table][group].some((source) => profileBlock(profile, source.blockId))),
  );
}

/** The groups a model offers with a table: those with at least one field. */
export function measurementGroupsOf(profile: MeterProfile, table: MeasurementTable = 'standard'): MeasurementGroup[] {
  return MEASUREMENT_GROUPS.filter((group) => measurementFieldList(table, [group], profile).length > 0);
}

/**
 * Every field a read-measurements node can return for a table, in group order (for editors
 * and docs), from the model's own blocks: a field the model lacks is not listed (so never read).
 */
export function measurementFieldList(
  table: MeasurementTable = 'standard',
  groups: readonly MeasurementGroup[] = MEASUREMENT_GROUPS,
  profile: MeterProfile = DIRIS_A20,
): MeasurementField[] {
  const list: MeasurementField[] = [];
  const listed = new Set<string>();
  for (const group of groups) {
    for (const source of SOURCES[table][group]) {
      const block = profileBlock(profile, source.blockId);
      if (!block) continue;
      for (const f of visibleFields(block)) {
        // hourMeter is in both the instantaneous and the energy block: list (and read) it once.
        if (listed.has(f.key) || (source.filter && !source.filter(f))) continue;
        listed.add(f.key);
        list.push({ key: f.key, unit: f.unit, label: f.label, group, blockId: block.id, address: f.address });
      }
    }
  }
  return list;
}

export interface MeasurementSelection {
  groups?: readonly string[];
  fields?: readonly string[];
  table?: string;
}

/** Validates a selection (groups, field keys, table) and returns the fields to read; every problem named at once. */
export function selectMeasurementFields(selection: MeasurementSelection, context: { unitId: number; profile?: MeterProfile }): WantedField[] {
  const profile = context.profile ?? DIRIS_A20;
  const problems: ErrorReason[] = [];
  const table = (selection.table ?? 'standard') as MeasurementTable;
  if (!MEASUREMENT_TABLES.includes(table)) problems.push({ code: 'unknownTable', table: String(selection.table), valid: MEASUREMENT_TABLES });
  const groups = (selection.groups ?? ['instantaneous', 'energies']) as MeasurementGroup[];
  if (!Array.isArray(groups) || groups.length === 0) problems.push({ code: 'emptyGroups' });
  else for (const g of groups) if (!MEASUREMENT_GROUPS.includes(g)) problems.push({ code: 'unknownGroup', group: String(g), valid: MEASUREMENT_GROUPS });
  if (problems.length === 0 && !measurementTablesOf(profile).includes(table)) {
    problems.push({ code: 'modelNoTable', model: profile.name, table, offered: measurementTablesOf(profile) });
  }
  if (problems.length > 0) throw inputError(problems, context.unitId);

  // msg.fields may name any field of the table, whatever the groups say.
  const candidates = measurementFieldList(table, selection.fields ? MEASUREMENT_GROUPS : groups, profile);
  if (candidates.length === 0) {
    throw inputError([{ code: 'modelNoGroups', model: profile.name, groups: groups.map(String), offered: measurementGroupsOf(profile, table) }], context.unitId);
  }
  let chosen = candidates;
  if (selection.fields !== undefined) {
    if (!Array.isArray(selection.fields) || selection.fields.length === 0) throw inputError([{ code: 'emptyFields' }], context.unitId);
    const known = new Map(candidates.map((c) => [c.key, c]));
    for (const key of selection.fields) if (!known.has(key)) problems.push({ code: 'unknownField', field: String(key), table, model: profile.name });
    if (problems.length > 0) {
      problems.push({ code: 'validFields', fields: [...known.keys()] });
      throw inputError(problems, context.unitId);
    }
    chosen = selection.fields.map((key) => known.get(key)!);
  }
  // msg.fields may name a key twice; read it once.
  const seen = new Set<string>();
  const wanted: WantedField[] = [];
  for (const c of chosen) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    const block = profileBlock(profile, c.blockId)!;
    wanted.push({ block, field: block.fields.find((f) => f.key === c.key)! });
  }
  return wanted;
}

function inputError(problems: ErrorReason[], unitId: number): DeviceError {
  return new DeviceError('input', { code: 'badSelection', problems }, { meter: meterName(unitId), unitId });
}
