import type { WantedField } from '../planner';
import { getBlock, visibleFields, type FieldDef } from '../registers';
import { DeviceError } from './errors';
import { MEASUREMENT_GROUPS, MEASUREMENT_TABLES, type MeasurementGroup, type MeasurementTable } from './types';

/** Which group a field of a mixed legacy table belongs to. */
function legacyGroup(field: FieldDef): MeasurementGroup {
  if (field.key.startsWith('maxAvg')) return 'maxAvg';
  if (['EaPos', 'ErPos', 'Es', 'EaNeg', 'ErNeg', 'hourMeter'].includes(field.key)) return 'energies';
  return 'instantaneous';
}

/** The blocks each table reads for each group; the legacy tables hold several groups in one block. */
const SOURCES: Record<MeasurementTable, Record<MeasurementGroup, { blockId: string; filter?: (f: FieldDef) => boolean }[]>> = {
  standard: {
    instantaneous: [{ blockId: 'instantaneous' }],
    energies: [{ blockId: 'energies' }],
    maxAvg: [{ blockId: 'maxAvg' }],
    harmonics: [{ blockId: 'harmonics' }],
  },
  secondary16: {
    instantaneous: [{ blockId: 'instantaneous16', filter: (f) => !f.key.startsWith('total') }],
    energies: [{ blockId: 'instantaneous16', filter: (f) => f.key.startsWith('total') }],
    maxAvg: [{ blockId: 'maxAvg' }],
    harmonics: [{ blockId: 'harmonics' }],
  },
  legacy32: legacySources('legacy32'),
  legacy16: legacySources('legacy16'),
  legacyB00: legacySources('legacyB00'),
};

function legacySources(blockId: string): Record<MeasurementGroup, { blockId: string; filter?: (f: FieldDef) => boolean }[]> {
  const of = (group: MeasurementGroup) => [{ blockId, filter: (f: FieldDef) => legacyGroup(f) === group }];
  return { instantaneous: of('instantaneous'), energies: of('energies'), maxAvg: of('maxAvg'), harmonics: [{ blockId: 'harmonics' }] };
}

export interface MeasurementField {
  key: string;
  unit: string;
  label: string;
  group: MeasurementGroup;
  blockId: string;
  address: number;
}

/** Every field a read-measurements node can return for a table, in group order (for editors and docs). */
export function measurementFieldList(table: MeasurementTable = 'standard', groups: readonly MeasurementGroup[] = MEASUREMENT_GROUPS): MeasurementField[] {
  const list: MeasurementField[] = [];
  const listed = new Set<string>();
  for (const group of groups) {
    for (const source of SOURCES[table][group]) {
      const block = getBlock(source.blockId);
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
export function selectMeasurementFields(selection: MeasurementSelection, context: { unitId: number }): WantedField[] {
  const problems: string[] = [];
  const table = (selection.table ?? 'standard') as MeasurementTable;
  if (!MEASUREMENT_TABLES.includes(table)) problems.push(`unknown table "${String(selection.table)}" (valid: ${MEASUREMENT_TABLES.join(', ')})`);
  const groups = (selection.groups ?? ['instantaneous', 'energies']) as MeasurementGroup[];
  if (!Array.isArray(groups) || groups.length === 0) problems.push('groups must be a non-empty array');
  else for (const g of groups) if (!MEASUREMENT_GROUPS.includes(g)) problems.push(`unknown group "${String(g)}" (valid: ${MEASUREMENT_GROUPS.join(', ')})`);
  if (problems.length > 0) throw inputError(problems, context.unitId);

  // msg.fields may name any field of the table, whatever the groups say.
  const candidates = measurementFieldList(table, selection.fields ? MEASUREMENT_GROUPS : groups);
  let chosen = candidates;
  if (selection.fields !== undefined) {
    if (!Array.isArray(selection.fields) || selection.fields.length === 0) throw inputError(['fields must be a non-empty array of field keys'], context.unitId);
    const known = new Map(candidates.map((c) => [c.key, c]));
    for (const key of selection.fields) if (!known.has(key)) problems.push(`unknown field "${String(key)}" for table ${table}`);
    if (problems.length > 0) {
      problems.push(`valid fields: ${[...known.keys()].join(', ')}`);
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
    const block = getBlock(c.blockId);
    wanted.push({ block, field: block.fields.find((f) => f.key === c.key)! });
  }
  return wanted;
}

function inputError(problems: string[], unitId: number): DeviceError {
  return new DeviceError('input', `meter ${unitId}: bad measurement selection: ${problems.join('; ')}`, { unitId, problems });
}
