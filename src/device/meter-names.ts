/**
 * Names of meters by unit id, as an integrator writes them: "5=incomer, 6 = pv" (commas,
 * semicolons or new lines between entries, "=" or ":" in each). Used by the connection's
 * meter list and by socomec-mqtt's meter names.
 */
import { MAX_UNIT_ID } from '../modbus/limits';
import type { ErrorReason } from '../transport/reasons';
import { DeviceError } from './errors';

/** "5=incomer, 6 = pv" -> { "5": "incomer", "6": "pv" }; throws naming every bad entry (made by `fail` from the reason). */
export function parseMeterNames(text: string | undefined, fail: (reason: ErrorReason) => Error = (reason) => new DeviceError('input', reason)): Record<string, string> {
  const names: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return names;
  const bad: string[] = [];
  for (const entry of text.split(/[,;\n]+/)) {
    if (entry.trim() === '') continue;
    const match = /^\s*(\d{1,3})\s*[=:]\s*(.+?)\s*$/.exec(entry);
    if (match === null || Number(match[1]) < 1 || Number(match[1]) > MAX_UNIT_ID) bad.push(`"${entry.trim()}"`);
    else names[String(Number(match[1]))] = match[2];
  }
  if (bad.length > 0) throw fail({ code: 'badMeterNames', entries: bad, max: MAX_UNIT_ID });
  return names;
}
