import { BLOCKS } from './map';
import type { BlockDef, FieldDef } from './types';

export * from './types';
export { BLOCKS, NETWORK_TYPES, ALARM_CAUSES, RESET_BITS, ACTIONS } from './map';

const blocksById = new Map<string, BlockDef>(BLOCKS.map((b) => [b.id, b]));

/** The block with this id; throws an Error naming the known ids when there is none. */
export function getBlock(id: string): BlockDef {
  const found = blocksById.get(id);
  if (!found) throw new Error(`unknown register block "${id}" (known: ${[...blocksById.keys()].join(', ')})`);
  return found;
}

export function findBlock(id: string): BlockDef | undefined {
  return blocksById.get(id);
}

/** The block that contains this register address, if any. */
export function blockAt(address: number): BlockDef | undefined {
  return BLOCKS.find((b) => address >= b.start && address < b.start + b.size);
}

/** The field of a block by key; throws an Error naming the block when there is none. */
export function getField(blockId: string, key: string): FieldDef {
  const found = getBlock(blockId).fields.find((f) => f.key === key);
  if (!found) throw new Error(`block "${blockId}" has no field "${key}"`);
  return found;
}

/** The field that covers this register address, with its block. */
export function fieldAt(address: number): { block: BlockDef; field: FieldDef } | undefined {
  const block = blockAt(address);
  const field = block?.fields.find((f) => address >= f.address && address < f.address + f.words);
  return block && field ? { block, field } : undefined;
}

/** Fields an ordinary read returns by default: everything but reserved words. */
export function visibleFields(block: BlockDef): FieldDef[] {
  return block.fields.filter((f) => !f.reserved);
}

/** One past the last word a block's fields cover (may be below start+size when the table leaves a tail). */
export function blockEnd(block: BlockDef): number {
  return block.start + block.size;
}
export * from './profiles';
