/**
 * The "model" setting of the flow nodes: "auto" (detect), a pinned model, or absent for
 * flows saved before models existed (those keep reading the A-20 table, as before, until
 * an exception 2 makes the device identify the meter).
 */
import { isModelChoice, MODEL_CHOICES, type ModelChoice } from '../device';
import { shown } from './input-parsing';
import { NodeInputError } from './node-errors';

export function configuredModel(value: unknown): ModelChoice | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!isModelChoice(value)) throw new NodeInputError({ code: 'badModel', got: shown(value), valid: MODEL_CHOICES });
  return value;
}
