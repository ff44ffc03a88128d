/**
 * Versioned node configs: today's format is version 1 (0.1 saved no version), the example
 * flows load unchanged, a config from a newer package is refused, and migration steps are
 * pure and run in order.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, CONFIG_VERSION, configVersionOf, migrateConfig, MIGRATIONS, type MigrationStep } from '../../src/nodes/config-migrations';
import { SETTINGS_SCHEMA } from '../../src/nodes/settings-schema';

const root = join(__dirname, '..', '..', '..');

describe('versioned node configs', () => {
  it('start at version 1, today\'s format: a config without configVersion is version 1', () => {
    assert.equal(CONFIG_VERSION, 1);
    assert.equal(configVersionOf({ unitId: 5 }), 1);
    assert.equal(configVersionOf({ configVersion: 1 }), 1);
    assert.throws(() => configVersionOf({ configVersion: 'one' }), /configVersion "one" is not a version number/);
  });

  it('load every example flow\'s Socomec nodes unchanged', () => {
    let loaded = 0;
    for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'))) {
      const flow = JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')) as { type: string }[];
      for (const node of flow.filter((n) => SETTINGS_SCHEMA[n.type] !== undefined)) {
        const copy = structuredClone(node);
        const migrated = migrateConfig(node.type, node);
        assert.deepEqual(migrated.config, copy, `${file}: ${node.type}`);
        assert.deepEqual(migrated.applied, []);
        assert.deepEqual(node, copy, 'the saved config itself is not touched');
        loaded += 1;
      }
    }
    assert.ok(loaded >= 20, `only ${loaded} Socomec nodes in the examples`);
  });

  it('give every node type a configVersion in its schema, the current one for new nodes', () => {
    for (const [type, schema] of Object.entries(SETTINGS_SCHEMA)) {
      assert.equal(schema.configVersion?.value, CONFIG_VERSION, type);
      assert.ok((MIGRATIONS[type] ?? []).every((step) => step.from < CONFIG_VERSION), `${type}: a step beyond the current version`);
    }
  });

  it('refuse a config saved by a newer package, rather than read it wrongly', () => {
    assert.throws(
      () => migrateConfig('socomec-read-measurements', { configVersion: CONFIG_VERSION + 1 }),
      /saved by a newer version of this package \(configVersion 2, this one reads up to 1\): update the package/,
    );
  });

  it('apply pure steps in order, each one version up, and say what they did', () => {
    // A made-up history: 1 -> 2 renames a property, 2 -> 3 turns seconds into milliseconds.
    const steps: MigrationStep[] = [
      { from: 2, says: 'poll in ms', up: (c) => ({ ...c, pollMs: Number(c.pollSeconds) * 1000, pollSeconds: undefined }) },
      { from: 1, says: 'interval -> pollSeconds', up: ({ interval, ...rest }) => ({ ...rest, pollSeconds: interval }) },
    ];
    const saved = Object.freeze({ id: 'n1', interval: 2 });
    const result = applyMigrations(steps, saved, 3);
    assert.deepEqual(result, { config: { id: 'n1', pollSeconds: undefined, pollMs: 2000, configVersion: 3 }, from: 1, applied: ['interval -> pollSeconds', 'poll in ms'] });
    assert.deepEqual(applyMigrations(steps, { configVersion: 2, pollSeconds: 1 }, 3).applied, ['poll in ms']);
    assert.throws(() => applyMigrations([], { id: 'n1' }, 2), /no migration from configVersion 1 to 2/);
  });
});
