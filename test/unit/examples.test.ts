/**
 * The example flows as a user imports them: one shared connection (same id, same
 * settings), so importing a second example reuses the first one's connection instead of
 * adding a copy (many-meters has its own, with a meter list); and the demo says what it needs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMeterNames } from '../../src/device/meter-names';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
/** The connection every example but many-meters shares (the demo's too). */
const SHARED_CONNECTION = 'socomec-example-connection';
interface FlowNode {
  id: string;
  type: string;
  connection?: string;
  info?: string;
  [key: string]: unknown;
}
/** A node's properties but these. */
function without(node: FlowNode, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([key]) => !keys.includes(key)));
}

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, flow: JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as FlowNode[] }));

describe('example flows', () => {
  it('all use one connection with the same id and the same settings, so importing several adds it once; many-meters has its own, which differs only by its meter list', () => {
    const connections = examples.flatMap(({ file, flow }) => flow.filter((n) => n.type === 'socomec-connection').map((n) => ({ file, node: n })));
    assert.equal(connections.length, examples.length, 'one connection per example');
    const shared = connections.filter(({ node }) => node.id === SHARED_CONNECTION);
    const own = connections.filter(({ node }) => node.id !== SHARED_CONNECTION);
    // Its meter list would name the msgs of every other example (and socomec-mqtt takes msg.meter over its own names).
    assert.deepEqual(own.map(({ file }) => file), ['many-meters.json'], 'only the many-meters example has a connection of its own');
    const [first] = shared;
    for (const { file, node } of shared) assert.deepEqual(node, first.node, `${file}'s connection differs from ${first.file}'s`);
    for (const { file, flow } of examples) {
      const id = flow.find((n) => n.type === 'socomec-connection')!.id;
      for (const node of flow.filter((n) => n.connection !== undefined)) assert.equal(node.connection, id, `${file}: ${node.id}`);
    }
    const line = own[0].node;
    assert.deepEqual(without(line, ['id', 'name', 'meters']), without(first.node, ['id', 'name']), 'the line\'s connection: the same settings as the shared one');
    assert.deepEqual(parseMeterNames(line.meters as string), { 5: 'incomer', 6: 'feeder' }, 'the meter list names both simulated meters');
  });

  it('every connection is the simulator\'s default address (npx socomec-sim: Modbus TCP 127.0.0.1:5020), with numbers as numbers', () => {
    for (const { file, flow } of examples) {
      const node = flow.find((n) => n.type === 'socomec-connection')!;
      assert.equal(node.host, '127.0.0.1', file);
      assert.equal(node.port, 5020, file);
    }
    const simulatorHelp = readFileSync(join(__dirname, '..', '..', 'src', 'cli', 'socomec-sim.js'), 'utf8');
    assert.match(simulatorHelp, /5020/, 'the simulator\'s default port is 5020');
  });

  it('every read-measurements node has the outputs its Health option gives (2 with health, else 1), each wired', () => {
    const readers = examples.flatMap(({ file, flow }) => flow.filter((n) => n.type === 'socomec-read-measurements').map((node) => ({ file, node })));
    assert.ok(readers.some(({ node }) => node.health === true), 'no example shows the health output');
    for (const { file, node } of readers) {
      const expected = node.health === true ? 2 : 1;
      assert.equal(node.outputs ?? 1, expected, `${file}: ${node.id} outputs`);
      assert.equal((node.wires as unknown[]).length, expected, `${file}: ${node.id} wires`);
    }
  });

  it('many-meters polls the list 5-6: instantaneous every 2 s, energies every 60 s, health to a debug node', () => {
    const flow = examples.find((e) => e.file === 'many-meters.json')!.flow;
    const [read] = flow.filter((n) => n.type === 'socomec-read-measurements');
    assert.deepEqual(
      { unitIds: read.unitIds, groups: read.groups, pollSeconds: read.pollSeconds, slowGroups: read.slowGroups, slowSeconds: read.slowSeconds, health: read.health },
      { unitIds: '5-6', groups: ['instantaneous', 'energies'], pollSeconds: 2, slowGroups: ['energies'], slowSeconds: 60, health: true },
    );
    const healthTarget = flow.find((n) => n.id === (read.wires as string[][])[1][0])!;
    assert.equal(healthTarget.type, 'debug');
  });

  it('the demo\'s power chart starts at 0 kW, so a 0.1 kW change is no full-height staircase', () => {
    const demo = examples.find((e) => e.file === 'demo.json')!;
    const charts = demo.flow.filter((n) => n.type === 'ui-chart');
    assert.ok(charts.length > 0);
    // A blank ymin means auto-scale (and Number("") would be 0): it must say 0.
    for (const chart of charts) assert.equal(String(chart.ymin).trim(), '0', `${chart.id} ymin ${JSON.stringify(chart.ymin)}`);
  });

  it('the demo says it needs @flowfuse/node-red-dashboard', () => {
    const demo = examples.find((e) => e.file === 'demo.json')!;
    assert.match(demo.flow.find((n) => n.type === 'tab')!.info ?? '', /Needs \*\*@flowfuse\/node-red-dashboard\*\*/);
  });
});
