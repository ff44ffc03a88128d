/**
 * Versioned node configs. Every node's saved config carries `configVersion`; a config saved
 * by an older version of the package is brought up to date on load by pure steps, one per
 * version, before the node parses it. Version 1 is the format of 0.1, which had no
 * `configVersion`: a config without one is version 1.
 */

import { NodeInputError } from './node-errors';

/** The config format this package writes. */
export const CONFIG_VERSION = 1;

/** The property every node's config carries. */
export const VERSION_PROPERTY = 'configVersion';

export type SavedConfig = Readonly<Record<string, unknown>>;

/** One step: a config of version `from` -> the same config in version `from + 1` (pure: a new object). */
export interface MigrationStep {
  from: number;
  /** What changed, for the log. */
  says: string;
  up(config: SavedConfig): SavedConfig;
}

/**
 * The steps per node type, oldest first. None yet: 1 is the first versioned format. A
 * change of a saved property adds a step here and raises CONFIG_VERSION.
 */
export const MIGRATIONS: Readonly<Record<string, readonly MigrationStep[]>> = {};

export interface Migrated {
  config: SavedConfig;
  /** The version the saved config had. */
  from: number;
  /** What each step applied did, oldest first (empty: the config was current). */
  applied: string[];
}

/** A config's version: its configVersion, or 1 when it has none (0.1's format). */
export function configVersionOf(config: SavedConfig): number {
  const saved = config[VERSION_PROPERTY];
  if (saved === undefined || saved === null || saved === '') return 1;
  const version = typeof saved === 'number' ? saved : Number(String(saved).trim());
  if (!Number.isInteger(version) || version < 1) throw new NodeInputError({ code: 'badConfigVersion', name: VERSION_PROPERTY, got: JSON.stringify(saved) ?? String(saved) });
  return version;
}

/**
 * Bring `config` from its version up to `target` with `steps`. A config from a newer
 * version than this package knows is refused rather than read wrongly.
 */
export function applyMigrations(steps: readonly MigrationStep[], config: SavedConfig, target: number = CONFIG_VERSION): Migrated {
  const from = configVersionOf(config);
  if (from > target) {
    throw new NodeInputError({ code: 'newerConfig', name: VERSION_PROPERTY, from, target });
  }
  let current = config;
  const applied: string[] = [];
  for (let version = from; version < target; version++) {
    const step = steps.find((s) => s.from === version);
    if (step === undefined) throw new NodeInputError({ code: 'noMigration', name: VERSION_PROPERTY, from: version, to: version + 1 });
    current = { ...step.up(current), [VERSION_PROPERTY]: version + 1 };
    applied.push(step.says);
  }
  return { config: current, from, applied };
}

/** A node type's saved config, up to date (the same object when it was current). */
export function migrateConfig<T extends object>(type: string, config: T): Migrated & { config: T } {
  return applyMigrations(MIGRATIONS[type] ?? [], config as SavedConfig) as Migrated & { config: T };
}
