/**
 * Status words: short, never cut mid-word, from the locale files (the
 * socomec-connection catalog's "status" section, or Node-RED's own node-red:common.status.*
 * where it has a word for it), in the runtime's language when Node-RED has it and in
 * English otherwise. Also turns a link failure into its cause in short words
 * ("link down: ECONNREFUSED", "port missing").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Node-RED shows about this much of a status under a node. */
export const MAX_STATUS_CHARS = 40;

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');
const CATALOG = 'socomec-connection';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, file), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

type Section = 'status' | 'error' | 'cause' | 'line';

/** The English words of each section, straight from the en-US locale file. */
const ENGLISH: Readonly<Record<string, Record<string, string> | undefined>> =
  (readJson(`nodes/locales/en-US/${CATALOG}.json`) as Record<string, Record<string, Record<string, string>>> | undefined)?.[CATALOG] ?? {};

/** The i18n namespace Node-RED gives the config node's catalog: "<package>/<node set>". */
const NAMESPACE = `${String((readJson('package.json') as { name?: string } | undefined)?.name)}/${CATALOG}`;

type Translate = (key: string, params?: Record<string, string>) => string;
let translate: Translate | undefined;
let translateAny: Translate | undefined;

/** Words in the runtime's language from now on (RED._ of any node of this package). */
export function useRuntimeLanguage(runtimeTranslate: (key: string, params?: Record<string, string>) => string): void {
  translateAny = runtimeTranslate;
  translate = (key, params) => runtimeTranslate(`${NAMESPACE}:${CATALOG}.${key}`, params);
}

/**
 * Statuses Node-RED has words of its own for (node-red:common.status.*, as its MQTT and TCP
 * nodes show them), by our name for them; every other status is in our catalog.
 */
const NODE_RED_STATUS: Readonly<Record<string, string>> = {
  connected: 'connected',
  connecting: 'connecting',
  closed: 'disconnected',
  error: 'error',
};

/** Node-RED's own word for a status, in the runtime's language; its key's name is the English word. */
function nodeRedStatus(name: string): string {
  const key = `node-red:common.status.${name}`;
  try {
    const translated = translateAny?.(key);
    if (typeof translated === 'string' && translated.trim() !== '' && translated !== key) return translated.trim();
  } catch {
    // English below.
  }
  return name.replace(/-/g, ' ');
}

/** One phrase of a section of the catalog by its key, __name__ placeholders filled; English when the runtime has none. */
export function catalogText(section: Section, key: string, params: Record<string, string> = {}): string {
  try {
    const translated = translate?.(`${section}.${key}`, params);
    // A missing key (or a runtime without catalogs) answers with the key itself.
    if (typeof translated === 'string' && translated !== '' && !translated.includes(`${CATALOG}.${section}.`)) return translated;
  } catch {
    // English below.
  }
  return (ENGLISH[section]?.[key] ?? key).replace(/__(\w+)__/g, (whole: string, name: string) => params[name] ?? whole);
}

/**
 * One phrase of a section with its __name__ placeholders unfilled (for a caller that fills
 * them itself), in the runtime's language, else English; undefined when no catalog has it.
 */
export function catalogPhrase(section: Section, key: string): string | undefined {
  try {
    const translated = translate?.(`${section}.${key}`);
    if (typeof translated === 'string' && translated !== '' && !translated.includes(`${CATALOG}.${section}.`)) return translated;
  } catch {
    // English below.
  }
  return ENGLISH[section]?.[key];
}

/** One status phrase by its key, with __name__ placeholders filled, fitted to a status. */
export function statusText(key: string, params: Record<string, string> = {}): string {
  if (Object.hasOwn(NODE_RED_STATUS, key)) return fitStatus(nodeRedStatus(NODE_RED_STATUS[key]));
  return fitStatus(catalogText('status', key, params));
}

/** At most `max` characters, cut between words with "…" when longer; never mid-word. */
export function fitStatus(text: string, max = MAX_STATUS_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = flat.slice(0, max - 1);
  const lastSpace = room.lastIndexOf(' ');
  return `${(lastSpace > 0 ? room.slice(0, lastSpace) : room).replace(/[\s:,;.-]+$/, '')}…`;
}

/**
 * Why a link is down, in short words, from the link's message: the system error code
 * ("link down: ECONNREFUSED"), or what it means for a serial port ("port missing").
 */
export function linkDownText(message: string | undefined): string {
  const text = message ?? '';
  if (/cannot lock port|EBUSY|resource busy/i.test(text)) return statusText('portBusy');
  if (/no such file|ENOENT|ENXIO/i.test(text)) return statusText('portMissing');
  if (/permission denied|EACCES|EPERM/i.test(text)) return statusText('portNoPermission');
  const code = /\b(E[A-Z][A-Z0-9_]{2,})\b/.exec(text)?.[1];
  if (code !== undefined && code !== 'ETIMEDOUT') return statusText('linkDownCause', { cause: code });
  if (/timed? ?out|within \d+ ?ms|ETIMEDOUT/i.test(text)) return statusText('linkDownTimeout');
  if (/closed/i.test(text)) return statusText('linkDownClosed');
  return statusText('linkDown');
}
