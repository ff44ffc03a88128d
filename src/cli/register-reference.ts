#!/usr/bin/env node
/**
 * Renders the register reference (docs/register-reference.md) from the map, so the
 * document can never disagree with the code. `node dist/src/cli/register-reference.js > docs/register-reference.md`
 */
import { DIRIS_A20, PROFILES, type BlockDef, type FieldDef, type MeterProfile } from '../registers';
import { measurementFieldList, measurementGroupsOf, measurementTablesOf } from '../device/measurements';

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
  if (field.numericCodes) parts.push('coded: ' + Object.entries(field.numericCodes).map(([raw, value]) => `${raw}=${value}`).join(', '));
  if (field.allowedValues) parts.push(`one of ${field.allowedValues.join(', ')}`);
  if (field.min !== undefined || field.max !== undefined) parts.push(`raw ${field.min ?? ''}..${field.max ?? ''}`);
  if (field.note) parts.push(field.note);
  return parts.join('; ').replace(/\|/g, '\\|');
}

function nodeFor(block: BlockDef): string {
  if (['instantaneous', 'energies', 'maxAvg', 'harmonics', 'instantaneous16', 'legacy32', 'legacy16', 'legacyB00', 'fineEnergies', 'tariffEnergies', 'temperatures'].includes(block.id)) {
    return 'socomec-read-measurements';
  }
  if (block.id === 'legacyThd') return '- (0xC950 serves harmonics)';
  if (block.id === 'partialReset' || block.id === 'maximumReset') return 'socomec-reset';
  if (['identification', 'options', 'customization', 'calibration', 'legacyOptions'].includes(block.id)) return 'socomec-read-identity';
  if (block.kind === 'settings') return 'socomec-write-settings';
  if (block.kind === 'commands') return block.id === 'reset' ? 'socomec-reset' : 'socomec-write-settings (store), socomec-reset (restart, factory)';
  return 'socomec-alarm-status';
}

const hex = (n: number): string => `0x${n.toString(16).toUpperCase()}`;

function blocksTable(blocks: readonly BlockDef[]): string[] {
  return [
    '| block id | start | size | kind | category | lock | node |',
    '|---|---|---|---|---|---|---|',
    ...blocks.map((b) => `| \`${b.id}\` | ${b.start} (${hex(b.start)}) | ${b.size} | ${b.kind} | ${b.category} | ${b.lockLevel} | ${nodeFor(b)} |`),
  ];
}

function fieldsTable(block: BlockDef): string[] {
  return [
    '| key | address | words | type | unit | access | values |',
    '|---|---|---|---|---|---|---|',
    ...block.fields.map((f) => `| \`${f.key}\` | ${f.address} | ${f.words} | ${f.type} | ${f.unit || '-'} | ${access(block, f)} | ${values(f)} |`),
  ];
}

function profileSection(profile: MeterProfile): string[] {
  const lines: string[] = [`## ${profile.name} (\`${profile.id}\`)`, '', `Follows ${profile.document}.`, ''];
  if (profile !== DIRIS_A20) lines.push(...profile.differences.map((d) => `- ${d}`), '');
  lines.push(`### ${profile.name}: blocks`, '', ...blocksTable(profile.blocks), '');
  for (const block of profile.blocks) {
    const heading = `### ${profile.name}: ${block.title} — \`${block.id}\`, ${block.start}`;
    const shared = profile !== DIRIS_A20 && DIRIS_A20.blocks.includes(block);
    lines.push(heading, '', ...(shared ? ['Same as the DIRIS A-20.'] : fieldsTable(block)), '');
  }
  lines.push(`### ${profile.name}: resets (socomec-reset)`, '', '| name | register | bits |', '|---|---|---|');
  for (const [name, targets] of Object.entries(profile.resets)) {
    lines.push(`| \`${name}\` | ${targets.map((t) => t.address).join(', ')} | ${targets.map((t) => hex(t.mask)).join(', ')} |`);
  }
  lines.push('', `Commands at 57856: ${Object.entries(profile.actions).map(([code, name]) => `${hex(Number(code))} ${name}`).join(', ')}.`, '');
  lines.push(`### ${profile.name}: measurement groups per table (read-measurements)`, '', '| table | group | keys |', '|---|---|---|');
  for (const table of measurementTablesOf(profile)) {
    for (const group of measurementGroupsOf(profile, table)) {
      lines.push(`| ${table} | ${group} | ${measurementFieldList(table, [group], profile).map((f) => f.key).join(' ')} |`);
    }
  }
  lines.push('');
  if (profile.unmapped.length > 0) {
    lines.push(`### ${profile.name}: blocks of the table left out`, '', '| start | why |', '|---|---|');
    for (const u of profile.unmapped) lines.push(`| ${u.start} (${hex(u.start)}) | ${u.why} |`);
    lines.push('');
  }
  return lines;
}

export function renderRegisterReference(): string {
  const lines: string[] = [
    '# Register reference',
    '',
    'Generated from `src/registers/map.ts` and `src/registers/profiles/` by `node dist/src/cli/register-reference.js`; a test checks it is current.',
    'One section per model. Every block and row of each model\'s table that the package maps is here. Values are `raw × scale` in the unit shown;',
    '"reserved" words are kept so the map is complete and are not emitted by default.',
    '',
    '## Models',
    '',
    '| model | id | identified by (product or extended name) | blocks | measurement groups (standard table) |',
    '|---|---|---|---|---|',
    ...PROFILES.map((p) => `| ${p.name} | \`${p.id}\` | ${p.names.map((n) => `\`${n}\``).join(', ')} | ${p.blocks.length} | ${measurementGroupsOf(p).join(', ')} |`),
    '',
  ];
  for (const profile of [DIRIS_A20, ...PROFILES.filter((p) => p !== DIRIS_A20)]) lines.push(...profileSection(profile));
  return lines.join('\n');
}

if (require.main === module) process.stdout.write(renderRegisterReference());
