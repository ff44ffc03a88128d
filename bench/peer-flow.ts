/**
 * What users build today with node-red-contrib-modbus for one full DIRIS poll: a function
 * node that asks for the four blocks, a modbus-flex-getter, and a function node that
 * collects the four replies and decodes U16/S16/U32/S32 words into named, scaled values.
 * The decoder's field table is written out from our register map (the table a user would
 * type by hand), so both flows produce the same keys.
 */
import { measurementFieldList } from '../src/device';
import { getField } from '../src/registers';
import { ALL_GROUPS, FULL_POLL_BLOCKS } from './contenders';

/** [key, word offset in its block's reply, words, signed, divisor or factor, unit, enum names] */
type FieldRow = [string, number, number, boolean, { div?: number; mul?: number }, string, Record<number, string> | null];

function decoderTable(): Record<number, FieldRow[]> {
  const byRequest: Record<number, FieldRow[]> = {};
  const seen = new Set<string>();
  for (const entry of measurementFieldList('standard', ALL_GROUPS)) {
    if (seen.has(entry.key)) continue; // hourMeter is in two blocks; the first one wins, as in our device
    seen.add(entry.key);
    const field = getField(entry.blockId, entry.key);
    const request = FULL_POLL_BLOCKS.find((b) => field.address >= b.address && field.address < b.address + b.count);
    if (!request) throw new Error(`field ${entry.key} at ${field.address} is outside the four reads`);
    if (!['U16', 'S16', 'U32', 'S32', 'U8'].includes(field.type)) throw new Error(`decoder: no rule for ${field.type} (${entry.key})`);
    const scale = field.scale ?? 1;
    // Users write "/ 100" rather than "* 0.01": it gives 230.12, not 230.12000000000001.
    const scaling = scale < 1 ? { div: Math.round(1 / scale) } : { mul: scale };
    (byRequest[request.address] ??= []).push([
      entry.key,
      field.address - request.address,
      field.words,
      field.type.startsWith('S'),
      scaling,
      field.unit,
      field.enumValues ? { ...field.enumValues } : null,
    ]);
  }
  return byRequest;
}

/** Function node 1: one msg in, the four read requests out. */
export function requestBuilderSource(unitId: number): string {
  return [
    `const blocks = ${JSON.stringify(FULL_POLL_BLOCKS.map((b) => [b.address, b.count]))};`,
    `return [blocks.map(([address, quantity]) => ({ topic: msg.topic, payload: { fc: 3, unitid: ${unitId}, address, quantity } }))];`,
  ].join('\n');
}

/** Function node 2: collects the four replies of one poll (by msg.topic), then decodes them. */
export function decoderSource(unitId: number): string {
  return `
const FIELDS = ${JSON.stringify(decoderTable())};
const BLOCK_COUNT = ${FULL_POLL_BLOCKS.length};
const pending = context.get('pending') || {};
const poll = pending[msg.topic] || (pending[msg.topic] = {});
poll[msg.modbusRequest.address] = msg.payload;
if (Object.keys(poll).length < BLOCK_COUNT) {
  context.set('pending', pending);
  return null;
}
delete pending[msg.topic];
context.set('pending', pending);
const payload = {};
const units = {};
for (const address of Object.keys(FIELDS)) {
  const words = poll[address];
  for (const [key, offset, size, signed, scaling, unit, names] of FIELDS[address]) {
    let raw = size === 2 ? words[offset] * 65536 + words[offset + 1] : words[offset];
    if (signed && size === 2 && raw >= 2147483648) raw -= 4294967296;
    if (signed && size === 1 && raw >= 32768) raw -= 65536;
    if (names) payload[key] = names[raw] !== undefined ? names[raw] : raw;
    else payload[key] = scaling.div ? raw / scaling.div : raw * scaling.mul;
    units[key] = unit;
  }
}
return { topic: msg.topic, payload, units, unitId: ${unitId}, timestamp: Date.now() };
`;
}
