/**
 * The one settings schema: the file the editor loads is the one the map and the schema
 * give now, its lists are the map's, no editor hard-codes a list of its own, its bounds
 * are the link's, and its one check says what is wrong with a value.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEditorSchema } from '../../src/cli/editor-schema';
import { MEASUREMENT_GROUPS, MEASUREMENT_TABLES, MODEL_CHOICES, SETTINGS_BLOCKS, parseMeterNames } from '../../src/device';
import { configuredSetting } from '../../src/nodes/input-parsing';
import { NodeInputError } from '../../src/nodes/node-errors';
import { RESET_CHOICES, SETTINGS_SCHEMA, problemReason, resetOption, schemaOf, settingProblem } from '../../src/nodes/settings-schema';
import { BLOCKS, PROFILES } from '../../src/registers';
import { normalizeLinkConfig, type LinkConfig } from '../../src/transport';

const root = join(__dirname, '..', '..', '..');

describe('the settings schema', () => {
  it('is what the editor loads: resources/socomec-schema.js is current (run: node dist/src/cli/editor-schema.js > resources/socomec-schema.js)', () => {
    assert.equal(readFileSync(join(root, 'resources', 'socomec-schema.js'), 'utf8'), renderEditorSchema());
  });

  it('offers the map\'s own lists: groups, tables, settings blocks, models, resets, factory blocks', () => {
    assert.deepEqual(schemaOf('socomec-read-measurements').groups.choices, MEASUREMENT_GROUPS);
    assert.deepEqual(schemaOf('socomec-read-measurements').table.choices, MEASUREMENT_TABLES);
    assert.deepEqual(schemaOf('socomec-write-settings').block.choices, SETTINGS_BLOCKS);
    assert.deepEqual(
      schemaOf('socomec-write-settings').block.guarded?.choices,
      BLOCKS.filter((b) => b.factoryOnly).map((b) => b.id),
    );
    for (const type of ['socomec-read-measurements', 'socomec-write-settings', 'socomec-reset', 'socomec-alarm-status']) {
      assert.deepEqual(schemaOf(type).model.choices, MODEL_CHOICES, type);
    }
    const everyReset = new Set(PROFILES.flatMap((p) => Object.keys(p.resets)));
    everyReset.delete('energies');
    assert.deepEqual(new Set(RESET_CHOICES), everyReset);
    const resetOptions = Object.keys(schemaOf('socomec-reset')).filter((name) => schemaOf('socomec-reset')[name].group === 'resets');
    assert.deepEqual(resetOptions, RESET_CHOICES.map(resetOption));
  });

  it('leaves no list to the editors: no <option> and no map-owned name written into an editor', () => {
    const owned = new Set<string>([
      ...MEASUREMENT_GROUPS,
      ...MEASUREMENT_TABLES,
      ...SETTINGS_BLOCKS,
      ...MODEL_CHOICES.filter((m) => m !== 'auto'),
      ...RESET_CHOICES,
      ...RESET_CHOICES.map(resetOption),
    ]);
    for (const file of readdirSync(join(root, 'nodes')).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(root, 'nodes', file), 'utf8');
      assert.doesNotMatch(html, /<option\s/, `${file} lists options of its own`);
      const quoted = [...html.matchAll(/['"]([A-Za-z0-9]+)['"]/g)].map((m) => m[1]).filter((word) => owned.has(word));
      assert.deepEqual(quoted, [], `${file} writes map-owned names itself`);
    }
  });

  it('has the link\'s own bounds for every connection setting: the link accepts each end and refuses beyond it', () => {
    const connection = schemaOf('socomec-connection');
    const base: Record<string, LinkConfig> = {
      tcp: { transport: 'tcp', host: '127.0.0.1', port: 502 },
      rtu: { transport: 'rtu', path: '/dev/ttyUSB0' },
    };
    const linkName: Record<string, string> = { serialPath: 'path' };
    let checked = 0;
    for (const [name, spec] of Object.entries(connection)) {
      if (spec.min === undefined || spec.max === undefined || name === 'configVersion') continue;
      const config = base[spec.transports?.includes('tcp') === false ? 'rtu' : 'tcp'];
      const key = linkName[name] ?? name;
      const step = spec.type === 'integer' ? 1 : 0.5;
      // A setting that must be at least another one is tried with the other at its lowest.
      const floor = spec.atLeast === undefined ? {} : { [spec.atLeast]: connection[spec.atLeast].min };
      for (const value of [spec.min, spec.max]) assert.doesNotThrow(() => normalizeLinkConfig({ ...config, ...floor, [key]: value }), `${name} ${value}`);
      for (const value of [spec.min - step, spec.max + step]) assert.throws(() => normalizeLinkConfig({ ...config, [key]: value }), new RegExp(key), `${name} ${value}`);
      checked += 1;
    }
    assert.ok(checked >= 10, `only ${checked} bounded settings checked`);
  });

  it('says what is wrong with a value, and takes ${ENV} values as Node-RED does', () => {
    const unitId = schemaOf('socomec-read-measurements').unitId;
    assert.equal(settingProblem(unitId, 5, {}), undefined);
    assert.equal(settingProblem(unitId, '${METER_UNIT}', {}), undefined);
    const problem = settingProblem(unitId, 300, {});
    assert.deepEqual(problem, { key: 'integer', params: { min: 1, max: 247 } });
    assert.equal(new NodeInputError(problemReason('unitId', problem!)).message, 'unitId must be an integer 1..247');

    const connection = schemaOf('socomec-connection');
    assert.deepEqual(settingProblem(connection.reconnectMaxMs, 100, { reconnectInitialMs: 500 }), { key: 'atLeast', params: { other: 'reconnectInitialMs', value: 500 } });
    // A serial setting is not checked on a TCP connection, and the reverse.
    assert.equal(settingProblem(connection.serialPath, '', { transport: 'tcp' }), undefined);
    assert.deepEqual(settingProblem(connection.serialPath, '', { transport: 'rtu' }), { key: 'required', params: {} });
    assert.equal(settingProblem(connection.baudRate, 1200, { transport: 'rtu' }), undefined, 'any rate the link takes, not only the suggested ones');

    const block = schemaOf('socomec-write-settings').block;
    assert.deepEqual(settingProblem(block, 'factory', { allowFactoryBlocks: false }), { key: 'needs', params: { option: 'allowFactoryBlocks' } });
    assert.equal(settingProblem(block, 'factory', { allowFactoryBlocks: true }), undefined);
    assert.deepEqual(settingProblem(schemaOf('socomec-read-measurements').groups, [], {}), { key: 'someOf', params: { choices: MEASUREMENT_GROUPS.join(', ') } });
  });

  it('checks unit id lists and meter names entry by entry, naming the bad ones', () => {
    const unitIds = schemaOf('socomec-read-measurements').unitIds;
    for (const good of ['', '5', '5-12, 20', ' 1 - 247 ;3\n4', '${METERS}']) assert.equal(settingProblem(unitIds, good, {}), undefined, good);
    assert.deepEqual(settingProblem(unitIds, '5-300, 7, 12-10, x', {}), { key: 'unitIds', params: { entries: '5-300, 12-10, x', max: 247 } });
    assert.equal(new NodeInputError(problemReason('unitIds', settingProblem(unitIds, '0', {})!)).message, 'unitIds: 0 is not a unit id 1..247 or a range such as 5-12');
    const meters = schemaOf('socomec-connection').meters;
    for (const good of ['', '5=incomer, 6 : pv', '7=roof\n8=Büro 2']) assert.equal(settingProblem(meters, good, {}), undefined, good);
    assert.deepEqual(settingProblem(meters, '5=, 6=pv, 300=x, 7=--, pump', {}), { key: 'names', params: { entries: '5=, 300=x, 7=--, pump', max: 247 } });
    // The runtime parses what the validator accepts, and refuses what it refuses.
    assert.deepEqual(parseMeterNames('5=incomer, 6 : pv'), { 5: 'incomer', 6: 'pv' });
    assert.throws(() => parseMeterNames('5=incomer, 300=x'), /meter names "300=x" are not "<unit id 1..247>=<name>"/);
  });

  it('lets the slow groups be empty, and the slow rate be no faster than the poll', () => {
    const schema = schemaOf('socomec-read-measurements');
    assert.equal(settingProblem(schema.slowGroups, [], {}), undefined);
    assert.deepEqual(settingProblem(schema.slowGroups, ['energies', 'nope'], {}), { key: 'someOf', params: { choices: MEASUREMENT_GROUPS.join(', ') } });
    assert.deepEqual(settingProblem(schema.slowSeconds, 5, { pollSeconds: 10 }), { key: 'atLeast', params: { other: 'pollSeconds', value: 10 } });
    assert.equal(settingProblem(schema.slowSeconds, 60, { pollSeconds: 10 }), undefined);
  });

  it('drives the runtime\'s parsing: absent gives the default, a bad value is refused naming the valid ones', () => {
    assert.equal(configuredSetting('socomec-read-measurements', 'table', undefined), 'standard');
    assert.deepEqual(configuredSetting('socomec-read-measurements', 'groups', undefined), ['instantaneous', 'energies']);
    assert.throws(() => configuredSetting('socomec-read-measurements', 'table', 'legacy64'), /table must be one of standard, secondary16, legacy32, legacy16, legacyB00 \(in the node settings\), got "legacy64"/);
    assert.throws(() => configuredSetting('socomec-read-measurements', 'groups', ['instantaneous', 'harmonix']), /groups must be a non-empty list of instantaneous, /);
  });

  it('gives every node of the package a schema', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    for (const type of Object.keys(pkg['node-red'].nodes)) assert.ok(SETTINGS_SCHEMA[type] !== undefined, type);
  });
});
