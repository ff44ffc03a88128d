/**
 * Fields whose raw count is in the unit of a quantity another field names (FieldDef
 * `quantityField`): the alarm thresholds, in the register unit of the alarm type's
 * quantity (mA for I, 0.01 V for U and V, 10 W for P+, 0.001 for PF, 0.1 % for THD,
 * 0.01 Hz, 0.01 h). Users give and get them in the quantity's unit (30 A, not 30000);
 * this module turns such a field into one with that scale and unit, so the codec
 * handles it like any other scaled field.
 */
import { scaleToValue } from '../codec';
import { getField, type FieldDef, type FieldValue } from '../registers';

/** Alarm quantities named otherwise than their measurement's key: alarm types (I, U, thdV...) and causes (P+, S+, hour...). */
const ALARM_QUANTITY_KEYS: Readonly<Record<string, string>> = {
  I: 'I1',
  U: 'U12',
  V: 'V1',
  'P+': 'P',
  'Q+': 'Q',
  'S+': 'S',
  PFC: 'PF',
  PFL: 'PF',
  thdU: 'thdU12',
  thdV: 'thdV1',
  thdI: 'thdI1',
  hour: 'hourMeter',
};

/**
 * The measurement field an alarm type or an alarm cause counts in (I -> I1, thdV -> thdV1,
 * P+ -> P; I2, In, F as they are); undefined when there is none.
 */
export function alarmQuantityField(name: string): FieldDef | undefined {
  const key = Object.hasOwn(ALARM_QUANTITY_KEYS, name) ? ALARM_QUANTITY_KEYS[name] : name;
  try {
    return getField(key.startsWith('thd') ? 'harmonics' : 'instantaneous', key);
  } catch {
    return undefined;
  }
}

/** The enum name of the quantity field's value ("I"), from a name or a raw code; undefined when it is neither. */
export function quantityName(quantityField: FieldDef, value: unknown): string | undefined {
  const names = quantityField.enumValues ?? {};
  if (typeof value === 'string' && Object.values(names).includes(value)) return value;
  if (typeof value === 'number' && names[value] !== undefined) return names[value];
  return undefined;
}

/**
 * `field` with the scale and unit of the quantity `typeName` names; the field itself when
 * it has no quantityField or the quantity is unknown (its value then stays raw).
 */
export function withQuantityScale(field: FieldDef, typeName: string | undefined): FieldDef {
  if (field.quantityField === undefined || typeName === undefined) return field;
  const quantity = alarmQuantityField(typeName);
  if (!quantity) return field;
  return { ...field, scale: quantity.scale ?? 1, unit: quantity.unit };
}

/** The block's fields that take their scale from another field. */
export function quantityScaledFields(fields: readonly FieldDef[]): FieldDef[] {
  return fields.filter((f) => f.quantityField !== undefined);
}

/**
 * A decoded settings payload (raw thresholds) -> the thresholds in their quantity's unit,
 * with `units` to match. The payload's own quantity field (alarmType) decides.
 */
export function scaleByQuantity(
  fields: readonly FieldDef[],
  payload: Record<string, FieldValue>,
  units: Record<string, string>,
): { payload: Record<string, FieldValue>; units: Record<string, string> } {
  const scaled = quantityScaledFields(fields).filter((f) => typeof payload[f.key] === 'number');
  if (scaled.length === 0) return { payload, units };
  const out = { ...payload };
  const outUnits = { ...units };
  for (const field of scaled) {
    const quantityField = fields.find((f) => f.key === field.quantityField);
    const effective = withQuantityScale(field, quantityField ? quantityName(quantityField, payload[quantityField.key]) : undefined);
    if (effective === field) continue;
    out[field.key] = scaleToValue(payload[field.key] as number, effective.scale ?? 1);
    outUnits[field.key] = effective.unit;
  }
  return { payload: out, units: outUnits };
}

