import { decodeField } from '../codec';
import type { ReadRequest } from '../planner';
import type { FieldValue } from '../registers';

export interface DecodedValues {
  payload: Record<string, FieldValue>;
  units: Record<string, string>;
}

/**
 * Turns the reply words of planned reads into the flat payload and units map of the
 * message contract. `replies[i]` answers `requests[i]`.
 */
export function decodeReplies(requests: readonly ReadRequest[], replies: readonly (readonly number[])[]): DecodedValues {
  const payload: Record<string, FieldValue> = {};
  const units: Record<string, string> = {};
  requests.forEach((request, i) => {
    const words = replies[i];
    if (!words || words.length < request.count) {
      throw new Error(`reply ${i} for ${request.block.id} at ${request.address} has ${words?.length ?? 0} words, expected ${request.count}`);
    }
    for (const field of request.fields) {
      const offset = field.address - request.address;
      payload[field.key] = decodeField(field, words.slice(offset, offset + field.words));
      units[field.key] = field.unit;
    }
  });
  return { payload, units };
}
