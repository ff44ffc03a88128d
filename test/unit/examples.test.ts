/**
 * The example flows as a user imports them: one shared connection (same id, same
 * settings), so importing a second example reuses the first one's connection instead of
 * adding a copy; and the demo says what it needs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
interface FlowNode {
  id: string;
  type: string;
  connection?: string;
  info?: string;
  [key: string]: unknown;
}
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, flow: JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as FlowNode[] }));

describe('example flows', () => {
  it('all use one connection with the same id and the same settings, so importing several adds it once', () => {
    const connections = examples.flatMap(({ file, flow }) => flow.filter((n) => n.type === 'socomec-connection').map((n) => ({ file, node: n })));
    assert.equal(connections.length, examples.length, 'one connection per example');
    const [first] = connections;
    for (const { file, node } of connections) assert.deepEqual(node, first.node, `${file}'s connection differs from ${first.file}'s`);
    for (const { file, flow } of examples) {
      for (const node of flow.filter((n) => n.connection !== undefined)) assert.equal(node.connection, first.node.id, `${file}: ${node.id}`);
    }
  });

  it('the connection is the simulator\'s default address (npx socomec-sim: Modbus TCP 127.0.0.1:5020), with numbers as numbers', () => {
    const node = examples[0].flow.find((n) => n.type === 'socomec-connection')!;
    assert.equal(node.host, '127.0.0.1');
    assert.equal(node.port, 5020);
    const simulatorHelp = readFileSync(join(__dirname, '..', '..', 'src', 'cli', 'socomec-sim.js'), 'utf8');
    assert.match(simulatorHelp, /5020/, 'the simulator\'s default port is 5020');
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
