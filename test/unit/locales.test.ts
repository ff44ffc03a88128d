/**
 * Every text the nodes show exists in every language the package ships (en-US, de, fr):
 * the same keys in every catalog, the same __placeholders__ in each text, and a help page
 * per node in each language.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const localesDir = join(__dirname, '..', '..', '..', 'nodes', 'locales');
const LANGUAGES = ['en-US', 'de', 'fr'];

/** "a.b.c" -> text, for every leaf of a catalog. */
function leaves(value: unknown, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  if (typeof value === 'string') found.set(prefix, value);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) for (const [path, text] of leaves(inner, prefix ? `${prefix}.${key}` : key)) found.set(path, text);
  }
  return found;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/__(\w+)__/g)].map((m) => m[1]).sort();
}

describe('locales', () => {
  const english = readdirSync(join(localesDir, 'en-US'));

  it('ships the languages the package promises, with the same files', () => {
    assert.deepEqual(readdirSync(localesDir).sort(), [...LANGUAGES].sort());
    for (const language of LANGUAGES) assert.deepEqual(readdirSync(join(localesDir, language)).sort(), [...english].sort(), language);
  });

  for (const file of english.filter((f) => f.endsWith('.json'))) {
    it(`${file}: every key in every language, with the same placeholders`, () => {
      const reference = leaves(JSON.parse(readFileSync(join(localesDir, 'en-US', file), 'utf8')));
      for (const language of LANGUAGES.filter((l) => l !== 'en-US')) {
        const other = leaves(JSON.parse(readFileSync(join(localesDir, language, file), 'utf8')));
        assert.deepEqual([...other.keys()].sort(), [...reference.keys()].sort(), `${language}/${file} keys`);
        for (const [key, text] of reference) {
          assert.ok(other.get(key)!.trim() !== '', `${language}/${file}: ${key} is empty`);
          assert.deepEqual(placeholders(other.get(key)!), placeholders(text), `${language}/${file}: ${key} placeholders`);
        }
      }
    });
  }

  it('has each node\'s help in every language, under its own type', () => {
    for (const file of english.filter((f) => f.endsWith('.html'))) {
      const type = file.replace(/\.html$/, '');
      for (const language of LANGUAGES) {
        const html = readFileSync(join(localesDir, language, file), 'utf8');
        assert.ok(html.includes(`data-help-name="${type}"`), `${language}/${file}`);
      }
    }
  });
});
