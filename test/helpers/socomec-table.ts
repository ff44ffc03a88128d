/**
 * Reads one of Socomec's published communication tables (converted to text, copied into
 * test/fixtures/socomec-tables) so a profile is checked against its own table, and turns
 * the table's Unit column ("V 10⁻²", "A / 1000", "W / 0.1", "varh 10³", "Wh / 1E-06") into
 * a unit and a scale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableBlock } from './register-table';

export const SOCOMEC_TABLES_DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'socomec-tables');

export interface SocomecTableBlock extends TableBlock {
  title: string;
}

const BLOCK_KINDS = new Set(['Info', 'Settings', 'Commands', 'Command', 'Header', 'Data']);

function cells(line: string): string[] {
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

const accessList = (cell: string): string[] => cell.split('/').map((t) => t.trim()).filter((t) => t !== '');

/** Every block of a table file: start, kind, size, lock level, access, rows. */
export function parseSocomecTable(file: string): SocomecTableBlock[] {
  const text = readFileSync(join(SOCOMEC_TABLES_DIR, file), 'utf8');
  const blocks: SocomecTableBlock[] = [];
  let title = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('### ')) title = line.slice(4).trim();
    if (!/^\| \d+ \| 0x[0-9A-F]+ \|/i.test(line)) continue;
    const c = cells(line);
    if (BLOCK_KINDS.has(c[2])) {
      blocks.push({ title, start: Number(c[0]), kind: c[2], size: Number(c[3]), lockLevel: c[4], lockedAccess: accessList(c[5]), unlockedAccess: accessList(c[6]), rows: [] });
    } else {
      const current = blocks[blocks.length - 1];
      if (!current) throw new Error(`row before any block in ${file}: ${line}`);
      const type = c[5] === '-' ? '' : (c[5] ?? '');
      current.rows.push({ address: Number(c[0]), words: Number(c[2]), description: c[3] ?? '', unit: c[4] ?? '', type });
    }
  }
  return blocks;
}

/** Units whose table spelling is a multiple of ours: Wh / 0.001 is kWh. */
const BASE_UNITS: Readonly<Record<string, [string, number]>> = {
  V: ['V', 1],
  Hz: ['Hz', 1],
  A: ['A', 1],
  mA: ['A', 0.001],
  W: ['W', 1],
  var: ['var', 1],
  VA: ['VA', 1],
  '%': ['%', 1],
  '-': ['', 1],
  h: ['h', 1],
  s: ['s', 1],
  kWh: ['kWh', 1],
  kVAh: ['kVAh', 1],
  Wh: ['kWh', 0.001],
  varh: ['kvarh', 0.001],
  VAh: ['kVAh', 0.001],
};

/** The table's unit spelled as [our unit, value of one raw count in it], or undefined when it does not say. */
export function tableScale(unitCell: string): [string, number] | undefined {
  const text = unitCell.trim();
  const match = /^(\S+)(?:\s*(?:\/\s*([0-9.E+-]+)|10([⁻]?)([⁰¹²³⁴⁵⁶⁷⁸⁹]*)))?$/.exec(text);
  if (!match) return undefined;
  const base = BASE_UNITS[match[1]];
  if (!base) return undefined;
  let factor = 1;
  if (match[2] !== undefined) factor = 1 / Number(match[2]);
  else if (match[4] === '') factor = 10;
  else if (match[4] !== undefined) {
    const digits = [...match[4]].map((d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'.indexOf(d)).join('');
    factor = 10 ** ((match[3] ? -1 : 1) * Number(digits));
  }
  const unit = base[0];
  const scale = base[1] * factor;
  // Energies of one count per MWh (Wh / 1E-06) are stated in MWh by the profiles.
  if (unit === 'kWh' && scale >= 1000) return ['MWh', scale / 1000];
  if (unit === 'kvarh' && scale >= 1000) return ['Mvarh', scale / 1000];
  return [unit, scale];
}
