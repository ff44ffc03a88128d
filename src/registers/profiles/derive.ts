/**
 * Building a model's block from a shared one: what the model changes, not a copy.
 * A reader sees at a glance what differs (size, fields it lacks, codings, extra rows).
 */
import { reserved, type FieldOptions } from '../map';
import type { Access, BlockDef, DataType, FieldDef } from '../types';

export interface BlockChanges {
  title?: string;
  /** The model's block size; fields past it are dropped. */
  size?: number;
  start?: number;
  access?: Access[];
  /** Fields this model leaves blank ("Reserved" rows): kept as reserved words. */
  reserve?: readonly string[];
  /** Only these fields are the model's; every other field becomes a reserved word. */
  keep?: readonly string[];
  /** Changed definitions (unit, scale, codings, note...), by key. */
  patch?: Readonly<Record<string, FieldOptions & { type?: DataType; words?: number; label?: string; address?: number }>>;
  /** Rows only this model has; they replace whatever covered the same words. */
  add?: readonly FieldDef[];
}

export function derive(base: BlockDef, changes: BlockChanges): BlockDef {
  const start = changes.start ?? base.start;
  const size = changes.size ?? base.size;
  const offset = start - base.start;
  const dropped = (key: string): boolean =>
    (changes.reserve?.includes(key) ?? false) || (changes.keep !== undefined && !changes.keep.includes(key));
  let fields: FieldDef[] = base.fields.map((f) => {
    const moved = { ...f, address: f.address + offset };
    if (!f.reserved && dropped(f.key)) return reserved(moved.address, f.words);
    const patch = changes.patch?.[f.key];
    return patch ? { ...moved, ...patch } : moved;
  });
  for (const extra of changes.add ?? []) {
    fields = fields.filter((f) => f.address + f.words <= extra.address || f.address >= extra.address + extra.words);
    fields.push(extra);
  }
  fields = fields.filter((f) => f.address < start + size).sort((a, b) => a.address - b.address);
  const writableKind = base.kind !== 'info';
  return {
    ...base,
    title: changes.title ?? base.title,
    start,
    size,
    lockedAccess: changes.access ?? base.lockedAccess,
    unlockedAccess: changes.access ?? base.unlockedAccess,
    fields: fields.map((f) => ({ ...f, writable: writableKind && !f.reserved })),
  };
}
