/**
 * The package as a library user meets it: through its name, in a project of their own.
 * A temporary project links the package into its node_modules, compiles the README's
 * example (and a few lines that must not compile) with TypeScript's node16 and older node
 * resolutions, and runs it against the simulator.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const NAME = '@diris-tools/node-red-socomec';
const TSC = require.resolve('typescript/bin/tsc', { paths: [ROOT] });

/** The README section "Using it without Node-RED", up to the next section. */
function librarySection(): string {
  const start = README.indexOf('## Using it without Node-RED');
  assert.ok(start >= 0, 'the README has a section "Using it without Node-RED"');
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Backticked identifiers of the section's table (values) and of the paragraph after it (types). */
function documentedNames(): { values: string[]; types: string[] } {
  const section = librarySection();
  const table = section.slice(section.indexOf('| what | names |'), section.indexOf('and the types their signatures use'));
  const typesStart = section.indexOf('and the types their signatures use');
  const typesText = section.slice(typesStart, section.indexOf('\n\n', typesStart));
  const names = (text: string): string[] => [...new Set([...text.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]))];
  const values = names(table.split('\n').map((row) => row.split('|')[2] ?? '').join('\n'));
  // Names a table cell mentions as types ('LinkEvents', 'LinkState', 'AlarmState') are in the type list too.
  const types = names(typesText);
  return { values: values.filter((name) => !types.includes(name)), types };
}

describe('the library API, as a user imports it', function () {
  this.timeout(120_000);
  let project: string;

  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'diris-lib-'));
    fs.mkdirSync(path.join(project, 'node_modules', '@diris-tools'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', '@diris-tools', 'node-red-socomec'), 'dir');
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
  });

  after(() => {
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('resolves the package and /simulator by name, and refuses deep imports', () => {
    const userRequire = createRequire(path.join(project, 'index.js'));
    const api = userRequire(NAME) as Record<string, unknown>;
    assert.equal(typeof api.ModbusLink, 'function');
    assert.equal(typeof (userRequire(`${NAME}/simulator`) as Record<string, unknown>).startSimulator, 'function');
    assert.throws(() => userRequire.resolve(`${NAME}/dist/src/device/errors`), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  });

  it('exports exactly the names the README documents, and no internals', () => {
    const api = createRequire(path.join(project, 'index.js'))(NAME) as Record<string, unknown>;
    const { values } = documentedNames();
    assert.deepEqual(Object.keys(api).sort(), [...values].sort());
    for (const internal of ['toDeviceError', 'decodeReplies', 'classifyError', 'normalizeLinkConfig', 'registers', 'codec', 'planner']) {
      assert.equal(api[internal], undefined, `${internal} is internal`);
    }
  });

  for (const resolution of ['node16', 'node10'] as const) {
    it(`compiles the README example and the documented types with moduleResolution ${resolution}, and rejects what it must`, async () => {
      const dir = path.join(project, resolution);
      fs.mkdirSync(dir, { recursive: true });
      const example = /```ts\n([\s\S]*?)```/.exec(librarySection());
      assert.ok(example, 'the section has a TypeScript example');
      fs.writeFileSync(path.join(dir, 'example.ts'), example[1]);
      const { types, values } = documentedNames();
      fs.writeFileSync(
        path.join(dir, 'types.ts'),
        [
          `import type { ${types.join(', ')} } from '${NAME}';`,
          `import { ${values.join(', ')} } from '${NAME}';`,
          `import type { Simulator, SimulatorOptions } from '${NAME}/simulator';`,
          `export type Used = [${types.join(', ')}, Simulator, SimulatorOptions];`,
          `export const used = [${values.join(', ')}];`,
          `declare const link: ModbusLink;`,
          `// @ts-expect-error 'status' is not an event of ModbusLink`,
          `link.on('status', () => undefined);`,
          `// @ts-expect-error a state listener gets a LinkState, not a number`,
          `link.on('state', (state: number) => state);`,
          `link.on('state', (state: LinkState, detail?: string) => [state, detail]);`,
        ].join('\n'),
      );
      const module = resolution === 'node16' ? 'node16' : 'commonjs';
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: 'ES2022',
            module,
            moduleResolution: resolution,
            outDir: 'out',
            skipLibCheck: true,
            types: ['node'],
            typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          },
          files: ['example.ts', 'types.ts'],
        }),
      );
      await run(process.execPath, [TSC, '-p', dir]).catch((err: { stdout?: string }) => assert.fail(`tsc failed:\n${err.stdout ?? String(err)}`));

      // A deep import must not type-check under node16 (exports) either.
      if (resolution === 'node16') {
        fs.writeFileSync(path.join(dir, 'types.ts'), `import { toDeviceError } from '${NAME}/dist/src/device/errors';\nexport const x = toDeviceError;\n`);
        await assert.rejects(run(process.execPath, [TSC, '-p', dir]), (err: { stdout?: string }) => /TS2307|Cannot find module/.test(err.stdout ?? ''));
        return;
      }
      // And the compiled example runs: it scans, reads and dry-runs a write against the simulator.
      const { stdout } = await run(process.execPath, [path.join(dir, 'out', 'example.js')], { cwd: dir, timeout: 60_000 });
      assert.match(stdout, /link connected/);
      assert.match(stdout, /\[ '5: DIRIS A20', '6: DIRIS A20' \]/);
      assert.match(stdout, /^\d+(\.\d+)? V \d+ kWh$/m);
      assert.match(stdout, /dryRun: true/);
      assert.match(stdout, /link closed/);
    });
  }
});
