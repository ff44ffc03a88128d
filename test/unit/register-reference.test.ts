import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRegisterReference } from '../../src/cli/register-reference';
import { BLOCKS } from '../../src/registers';

describe('register reference document', () => {
  const path = join(__dirname, '..', '..', '..', 'docs', 'register-reference.md');

  it('is the one generated from the map (run: node dist/src/cli/register-reference.js > docs/register-reference.md)', () => {
    assert.equal(readFileSync(path, 'utf8'), renderRegisterReference());
  });

  it('lists every field of every block', () => {
    const doc = renderRegisterReference();
    for (const block of BLOCKS) for (const f of block.fields) assert.ok(doc.includes(`| \`${f.key}\` | ${f.address} |`), `${block.id}.${f.key}`);
  });
});
