/**
 * Writes resources/socomec-schema.js, the settings schema and its check as the editor gets
 * them: `node dist/src/cli/editor-schema.js > resources/socomec-schema.js`. A test fails
 * when the committed file is not the one the map and the schema give now.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_SCHEMA, settingProblem } from '../nodes/settings-schema';

export function renderEditorSchema(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { name: string };
  return [
    '// Generated from src/nodes/settings-schema.ts by `node dist/src/cli/editor-schema.js > resources/socomec-schema.js`: do not edit.',
    'window.SocomecSchema = {',
    `    package: ${JSON.stringify(pkg.name)},`,
    `    nodes: ${JSON.stringify(SETTINGS_SCHEMA, null, 4).replace(/\n/g, '\n    ')},`,
    `    settingProblem: ${settingProblem.toString()},`,
    '};',
    '',
  ].join('\n');
}

if (require.main === module) process.stdout.write(renderEditorSchema());
