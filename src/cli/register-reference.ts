#!/usr/bin/env node
/**
 * Renders the register reference (docs/register-reference.md) from the map, so the
 * document can never disagree with the code. `node dist/src/cli/register-reference.js > docs/register-reference.md`
 */
import { BLOCKS, type BlockDef, type FieldDef } from '../registers';
import { measurementFieldList } from '../device/measurements';

function access(block: BlockDef, field: FieldDef): string {
  if (block.kind === 'commands') return 'command (write)';
  if (field.reserved) return 'reserved';
  if (!field.writable) return 'read';
  return block.factoryOnly ? 'read/write (factory option)' : 'read/write';
}

function values(field: FieldDef): string {
  const parts: string[] = [];
  if (field.scale !== undefined && field.scale !== 1) parts.push(`raw × ${field.scale}`);
  if (field.enumValues) parts.push(Object.entries(field.enumValues).map(([raw, name]) => `${raw}=${name}`).join(', '));
  if (field.bits) parts.push('bits: ' + Object.entries(field.bits).map(([bit, name]) => `${bit}=${name}`).join(', '));
  if (field.flag) parts.push('boolean');
  if (field.split10000) parts.push('high × 10000 + low');
  if (field.allowedValues) parts.push(`one of ${field.allowedValues.join(', ')}`);
  if (field.min !== undefined || field.max !== undefined) parts.push(`raw ${field.min ?? ''}..${field.max ?? ''}`);
  if (field.note) parts.push(field.note);
  return parts.join('; ').replace(/\|/g, '\\|');
}

function nodeFor(block: BlockDef): string {
  if (['instantaneous', 'energies', 'maxAvg', 'harmonics', 'instantaneous16', 'legacy32', 'legacy16', 'legacyB00'].includes(block.id)) {
    return 'socomec-read-measurements';
  }
  if (['identification', 'options', 'customization', 'calibration', 'legacyOptions'].includes(block.id)) return 'socomec-read-identity';
  if (block.kind === 'settings') return 'socomec-write-settings';
  if (block.kind === 'commands') return block.id === 'reset' ? 'socomec-reset' : 'socomec-write-settings (store), socomec-reset (restart, factory)';
  return 'socomec-alarm-status';
}

export function renderRegisterReference(): string {
  const lines: string[] = [
    '# Register reference',
    '',
    'Generated from `src/registers/map.ts` by `node dist/src/cli/register-reference.js`; a test checks it is current.',
    'Every block and row of the meter\'s register table is here. Values are `raw × scale` in the unit shown;',
    '"reserved" words are kept so the map is complete and are not emitted by default.',
    '',
    '## Blocks',
    '',
    '| block id | start | size | kind | category | lock | node |',
    '|---|---|---|---|---|---|---|',
    ...BLOCKS.map((b) => `| \`${b.id}\` | ${b.start} (0x${b.start.toString(16).toUpperCase()}) | ${b.size} | ${b.kind} | ${b.category} | ${b.lockLevel} | ${nodeFor(b)} |`),
    '',
  ];
  for (const block of BLOCKS) {
    lines.push(`## ${block.title} — \`${block.id}\`, ${block.start}`, '', '| key | address | words | type | unit | access | values |', '|---|---|---|---|---|---|---|');
    for (const f of block.fields) {
      lines.push(`| \`${f.key}\` | ${f.address} | ${f.words} | ${f.type} | ${f.unit || '-'} | ${access(block, f)} | ${values(f)} |`);
    }
    lines.push('');
  }
  lines.push('## Measurement groups per table (read-measurements)', '', '| table | group | keys |', '|---|---|---|');
  for (const table of ['standard', 'secondary16', 'legacy32', 'legacy16', 'legacyB00'] as const) {
    for (const group of ['instantaneous', 'energies', 'maxAvg', 'harmonics'] as const) {
      lines.push(`| ${table} | ${group} | ${measurementFieldList(table, [group]).map((f) => f.key).join(' ')} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

if (require.main === module) process.stdout.write(renderRegisterReference());
