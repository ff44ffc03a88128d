import { scaleToValue } from '../codec';
import type { FieldValue } from '../registers';
import { alarmQuantityField } from './quantity-scale';
import type { AlarmEvent, AlarmSide, AlarmState } from './types';

/** An alarm side from its decoded cause and raw value: the value scaled in the cause's unit. */
export function alarmSide(cause: FieldValue, rawValue: FieldValue): AlarmSide {
  const active = cause !== 'none' && cause !== 0;
  const raw = typeof rawValue === 'number' ? rawValue : 0;
  const field = typeof cause === 'string' ? alarmQuantityField(cause) : undefined;
  return {
    active,
    cause: typeof cause === 'string' || typeof cause === 'number' ? cause : String(cause),
    value: field?.scale ? scaleToValue(raw, field.scale) : raw,
    unit: field?.unit ?? '',
  };
}

function changedStates(before: Record<string, boolean> | undefined, after: Record<string, boolean> | undefined): Record<string, boolean> | undefined {
  if (!after) return undefined;
  const changed: Record<string, boolean> = {};
  for (const [name, state] of Object.entries(after)) if (!before || before[name] !== state) changed[name] = state;
  return Object.keys(changed).length > 0 ? changed : undefined;
}

/**
 * What changed between two alarm readings, as events: a raise when a side becomes active,
 * a clear when it stops (with the cause it had), both when the cause changes, and input /
 * output events for changed extension states. The first reading raises what is active.
 */
export function alarmEvents(previous: AlarmState | undefined, next: AlarmState): AlarmEvent[] {
  const events: AlarmEvent[] = [];
  for (const side of ['lower', 'upper'] as const) {
    const before = previous?.[side];
    const after = next[side];
    const causeChanged = before?.active && after.active && before.cause !== after.cause;
    if (before?.active && (!after.active || causeChanged)) {
      events.push({ event: 'clear', side, cause: before.cause, value: before.value, unit: before.unit, duration: previous?.duration });
    }
    if (after.active && (!before?.active || causeChanged)) {
      events.push({ event: 'raise', side, cause: after.cause, value: after.value, unit: after.unit, duration: next.duration });
    }
  }
  if (previous) {
    const inputs = changedStates(previous.inputs, next.inputs);
    if (inputs) events.push({ event: 'input', states: inputs });
    const outputs = changedStates(previous.outputs, next.outputs);
    if (outputs) events.push({ event: 'output', states: outputs });
  }
  return events;
}
