import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nodeTypes = Object.keys(pkg['node-red'].nodes as Record<string, string>);

describe('the package as the Flow Library and Node-RED see it', () => {
  it('meets the scorecard: scoped name, keyword, license, repository, versions, no required runtime dependency', () => {
    assert.match(pkg.name, /^@[a-z0-9-]+\/node-red-/);
    assert.ok(pkg.keywords.includes('node-red'));
    assert.equal(pkg.license, 'MIT');
    assert.ok(pkg.repository?.url);
    assert.equal(pkg['node-red'].version, '>=3.0.0');
    // Node-RED 4 supports Node 18: we must not ask for more.
    assert.equal(pkg.engines.node, '>=18');
    // Modbus TCP and RTU are spoken by our own clients (src/transport); only serial lines need
    // a native module, and it stays optional so the package installs where it cannot build.
    assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
    assert.deepEqual(Object.keys(pkg.optionalDependencies), ['serialport']);
  });

  it('registers the six contract node types and socomec-mqtt with literal registerType calls in text/javascript scripts', () => {
    assert.deepEqual(nodeTypes.sort(), [
      'socomec-alarm-status',
      'socomec-connection',
      'socomec-mqtt',
      'socomec-read-identity',
      'socomec-read-measurements',
      'socomec-reset',
      'socomec-write-settings',
    ]);
    for (const type of nodeTypes) {
      const html = readFileSync(join(root, 'nodes', `${type}.html`), 'utf8');
      assert.match(html, new RegExp(`<script type="text/javascript">[\\s\\S]*RED\\.nodes\\.registerType\\(\\s*'${type}'`), type);
      assert.ok(readFileSync(join(root, 'nodes', 'locales', 'en-US', `${type}.html`), 'utf8').includes(`data-help-name="${type}"`), `${type} help`);
    }
  });

  it('uses every node type in at least one example flow', () => {
    const used = new Set<string>();
    for (const file of readdirSync(join(root, 'examples'))) {
      for (const node of JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')) as { type: string }[]) used.add(node.type);
    }
    for (const type of nodeTypes) assert.ok(used.has(type), `${type} is in no example`);
  });

  it('packs the built node files, editors, locales, icons and examples', function () {
    this.timeout(60000);
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = new Set((JSON.parse(output)[0].files as { path: string }[]).map((f) => f.path));
    for (const type of nodeTypes) {
      for (const path of [`nodes/${type}.js`, `nodes/${type}.html`, `nodes/locales/en-US/${type}.json`, `dist/src/nodes/${type}.js`]) assert.ok(files.has(path), path);
    }
    for (const icon of readdirSync(join(root, 'icons'))) assert.ok(files.has(`nodes/icons/${icon}`), `nodes/icons/${icon}`);
    assert.ok(files.has('examples/read-measurements.json'));
    assert.ok(files.has('dist/src/cli/socomec-sim.js'));
    assert.ok(![...files].some((f) => f.startsWith('dist/test/') || f.startsWith('src/')), 'tests and sources stay out of the package');
  });
});
