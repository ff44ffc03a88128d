/**
 * Fields wanted -> the fewest read requests (function 3) that cover them.
 *
 * A request never crosses a block's end (undefined addresses answer exception 2) and never
 * asks for more than 125 registers. Inside a block, gaps between wanted fields are read
 * through rather than split whenever that saves a request: for a sorted set of intervals
 * with a fixed maximum length, extending greedily from the lowest address gives the
 * fewest requests. `maxGapWords` lets a slow serial line trade a request for wire time.
 */
import { MAX_READ_REGISTERS, MAX_WRITE_REGISTERS } from '../modbus/limits';
import type { BlockDef, FieldDef } from '../registers';

export { MAX_READ_REGISTERS, MAX_WRITE_REGISTERS };

export interface WantedField {
  block: BlockDef;
  field: FieldDef;
}

export interface ReadRequest {
  block: BlockDef;
  address: number;
  count: number;
  /** The wanted fields this request covers, in address order. */
  fields: FieldDef[];
}

export interface PlanOptions {
  /** Largest read (default 125, the protocol limit). */
  maxRegisters?: number;
  /** Split rather than read through a gap of more than this many unwanted words (default: never split). */
  maxGapWords?: number;
}

export function planReads(wanted: readonly WantedField[], options: PlanOptions = {}): ReadRequest[] {
  const maxRegisters = options.maxRegisters ?? MAX_READ_REGISTERS;
  if (!Number.isInteger(maxRegisters) || maxRegisters < 1 || maxRegisters > MAX_READ_REGISTERS) {
    throw new Error(`maxRegisters must be an integer 1..${MAX_READ_REGISTERS}, got ${maxRegisters}`);
  }
  const maxGap = options.maxGapWords ?? Infinity;

  const byBlock = new Map<BlockDef, Map<number, FieldDef>>();
  for (const { block, field } of wanted) {
    if (!block.lockedAccess.includes('READ')) throw new Error(`block ${block.id} (${block.start}) cannot be read: it is write-only`);
    if (field.words > maxRegisters) throw new Error(`field ${block.id}.${field.key} is ${field.words} words, more than one read of ${maxRegisters}`);
    const fields = byBlock.get(block) ?? new Map<number, FieldDef>();
    fields.set(field.address, field); // the same field asked twice is read once
    byBlock.set(block, fields);
  }

  const requests: ReadRequest[] = [];
  const blocks = [...byBlock.keys()].sort((a, b) => a.start - b.start);
  for (const block of blocks) {
    const fields = [...byBlock.get(block)!.values()].sort((a, b) => a.address - b.address);
    let current: ReadRequest | undefined;
    for (const field of fields) {
      const end = field.address + field.words;
      const fits =
        current !== undefined &&
        end - current.address <= maxRegisters &&
        field.address - (current.address + current.count) <= maxGap;
      if (current && fits) {
        current.count = Math.max(current.count, end - current.address);
        current.fields.push(field);
      } else {
        current = { block, address: field.address, count: field.words, fields: [field] };
        requests.push(current);
      }
    }
  }
  return requests;
}

/** Total registers a plan reads (wanted words plus the gaps read through). */
export function plannedRegisterCount(requests: readonly ReadRequest[]): number {
  return requests.reduce((sum, r) => sum + r.count, 0);
}

export interface WriteRun {
  address: number;
  fields: FieldDef[];
  words: number[];
}

/**
 * Groups encoded field writes into runs of contiguous registers (each written with one
 * function 16, or function 6 when it is a single word), at most 123 registers a run.
 */
export function planWrites(writes: readonly { field: FieldDef; words: number[] }[]): WriteRun[] {
  const sorted = [...writes].sort((a, b) => a.field.address - b.field.address);
  const runs: WriteRun[] = [];
  for (const { field, words } of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.address + last.words.length === field.address && last.words.length + words.length <= MAX_WRITE_REGISTERS) {
      last.fields.push(field);
      last.words.push(...words);
    } else {
      runs.push({ address: field.address, fields: [field], words: [...words] });
    }
  }
  return runs;
}
