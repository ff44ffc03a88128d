/**
 * Reads the register table as we received it (a copy lives in test/fixtures) so tests can
 * check the typed map against the table itself rather than against a second copy of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TableRow {
  address: number;
  words: number;
  description: string;
  unit: string;
  type: string;
}

export interface TableBlock {
  start: number;
  kind: string;
  size: number;
  lockLevel: string;
  lockedAccess: string[];
  unlockedAccess: string[];
  rows: TableRow[];
}

export const TABLE_PATH = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'register-map.txt');

function cells(line: string): string[] {
  return line.split('|').slice(1).map((c) => c.trim());
}

/** Locked and unlocked access are written one after the other; unlocked starts where the first token repeats. */
function splitAccess(tokens: string[]): [string[], string[]] {
  const repeatAt = tokens.indexOf(tokens[0], 1);
  return repeatAt < 0 ? [tokens, tokens] : [tokens.slice(0, repeatAt), tokens.slice(repeatAt)];
}

export function parseRegisterTable(text: string = readFileSync(TABLE_PATH, 'utf8')): TableBlock[] {
  const blocks: TableBlock[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| Dec')) continue;
    const c = cells(line);
    if (!/^\d+$/.test(c[0])) continue;
    if (['Info', 'Settings', 'Commands'].includes(c[1])) {
      const access = c.slice(4).filter((t) => t !== '');
      const [lockedAccess, unlockedAccess] = splitAccess(access);
      blocks.push({ start: Number(c[0]), kind: c[1], size: Number(c[2]), lockLevel: c[3], lockedAccess, unlockedAccess, rows: [] });
    } else {
      const current = blocks[blocks.length - 1];
      if (!current) throw new Error(`row before any block: ${line}`);
      current.rows.push({ address: Number(c[0]), words: Number(c[1]), description: c[2] ?? '', unit: c[3] ?? '', type: c[4] ?? '' });
    }
  }
  return blocks;
}
