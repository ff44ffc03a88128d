/** Status words: the cause of a link failure in short words, from the locale files, never cut mid-word. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fitStatus, linkDownText, MAX_STATUS_CHARS } from '../../src/nodes/status-text';

const LOCALES = join(__dirname, '..', '..', '..', 'nodes', 'locales');
const STATUS_TEXT = join(__dirname, '..', '..', 'src', 'nodes', 'status-text.js');
const CORE_LOCALES = join(dirname(require.resolve('@node-red/nodes/package.json')), 'locales');
const NAMESPACE = `${(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { name: string }).name}/socomec-connection`;

/** Status words as a Node-RED runtime in `lang` gives them: Node-RED's own i18n, in a process of its own (it is one per process). */
function wordsInRuntime(lang: string, extra: string[] = []): Promise<string> {
  const script = `
    const { i18n } = require(${JSON.stringify(require.resolve('@node-red/util'))});
    const status = require(${JSON.stringify(STATUS_TEXT)});
    (async () => {
      await i18n.init({ lang: ${JSON.stringify(lang)} });
      await i18n.registerMessageCatalog(${JSON.stringify(NAMESPACE)}, ${JSON.stringify(LOCALES)}, 'socomec-connection.json');
      // As the runtime does for its core nodes: their catalog is "node-red".
      await i18n.registerMessageCatalog('node-red', ${JSON.stringify(CORE_LOCALES)}, 'messages.json');
      status.useRuntimeLanguage((key, params) => i18n._(key, params));
      process.stdout.write([status.linkDownText('connect ECONNREFUSED 10.0.0.9:502'), status.linkDownText('No such file or directory'), status.statusText('noAnswer')].join(' | '));
      if (process.argv.includes('--link-states')) process.stdout.write(' | ' + ['connected', 'connecting', 'closed'].map((s) => status.statusText(s)).join(' | '));
    })();`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, '--', ...extra], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)));
  });
}

function statusWords(lang: string): Record<string, string> {
  const catalog = JSON.parse(readFileSync(join(LOCALES, lang, 'socomec-connection.json'), 'utf8')) as Record<string, { status: Record<string, string> }>;
  return catalog['socomec-connection'].status;
}

describe('status words', () => {
  it('say why a link is down in short words, from what the link reported', () => {
    const cases: Array<[string, string]> = [
      ['link to 127.0.0.1:1 is down: connect ECONNREFUSED 127.0.0.1:1', 'link down: ECONNREFUSED'],
      ['link to nohost.invalid:502 is down: getaddrinfo ENOTFOUND nohost.invalid', 'link down: ENOTFOUND'],
      ['link to 10.0.0.9:502 is down: connect EHOSTUNREACH 10.0.0.9:502', 'link down: EHOSTUNREACH'],
      ['link to /dev/ttyUSB7 is down: Error: No such file or directory, cannot open /dev/ttyUSB7', 'port missing'],
      ['link to /dev/ttyUSB0 is down: Error Resource temporarily unavailable Cannot lock port', 'port busy'],
      ['link to /dev/ttyS0 is down: Error: Permission denied, cannot open /dev/ttyS0', 'port: no permission'],
      ['link to 10.0.0.9:502 is down: could not open within 3000 ms', 'link down: timeout'],
      ['link to 10.0.0.9:502 is down: connection closed by the peer', 'link down: closed'],
      ['link to 10.0.0.9:502: something nobody foresaw', 'link down'],
    ];
    for (const [message, words] of cases) assert.equal(linkDownText(message), words, message);
  });

  it('are cut between words, never inside one, when longer than a status shows', () => {
    assert.equal(fitStatus('short stays as it is'), 'short stays as it is');
    const long = 'reconnecting: link to /dev/ttyUSB7 is down: Error: No such file or directory';
    const fitted = fitStatus(long);
    assert.ok(fitted.length <= MAX_STATUS_CHARS, fitted);
    assert.equal(fitted, 'reconnecting: link to /dev/ttyUSB7 is…');
    assert.ok(long.startsWith(fitted.slice(0, -1)), 'a prefix of whole words');
    assert.equal(fitStatus('x'.repeat(60)).length, MAX_STATUS_CHARS, 'one very long word is cut, as there is no other way');
  });

  it('exist in English and German with the same keys, and fit a status with a long cause filled in', () => {
    const english = statusWords('en-US');
    const german = statusWords('de');
    assert.deepEqual(Object.keys(german).sort(), Object.keys(english).sort());
    for (const words of [english, german]) {
      for (const [key, text] of Object.entries(words)) {
        const filled = text.replace('__cause__', 'EHOSTUNREACH').replace('__code__', '11');
        assert.ok(filled.length <= MAX_STATUS_CHARS, `${key}: "${filled}" is ${filled.length} characters`);
      }
    }
  });

  it('come in the runtime\'s language through Node-RED\'s own i18n', async () => {
    assert.equal(await wordsInRuntime('de'), 'Verbindung getrennt: ECONNREFUSED | Schnittstelle fehlt | keine Antwort');
    assert.equal(await wordsInRuntime('en-US'), 'link down: ECONNREFUSED | port missing | no answer');
  });

  it('come in French through the same i18n, each fitting a status with a long cause filled in', async () => {
    for (const [key, text] of Object.entries(statusWords('fr'))) {
      const filled = text.replace('__cause__', 'EHOSTUNREACH').replace('__code__', '11');
      assert.ok(filled.length <= MAX_STATUS_CHARS, `${key}: "${filled}" is ${filled.length} characters`);
    }
    assert.equal(await wordsInRuntime('fr'), 'liaison coupée : ECONNREFUSED | port absent | pas de réponse');
  });

  it('say a link\'s state in Node-RED\'s own words (node-red:common.status.*), in the runtime\'s language', async () => {
    assert.equal(await wordsInRuntime('de', ['--link-states']), 'Verbindung getrennt: ECONNREFUSED | Schnittstelle fehlt | keine Antwort | Verbunden | Verbindung wird hergestellt | Verbindung getrennt');
    assert.equal(await wordsInRuntime('fr', ['--link-states']), 'liaison coupée : ECONNREFUSED | port absent | pas de réponse | Connecté | Connexion | Déconnecté');
    assert.equal(await wordsInRuntime('en-US', ['--link-states']), 'link down: ECONNREFUSED | port missing | no answer | connected | connecting | disconnected');
  });
});
