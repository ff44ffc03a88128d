/**
 * Why something failed, as data: a stable `code` and its parameters (e.g. { code: 'timeout',
 * timeoutMs: 1000 }). An error's English message is its reason worded with the English
 * phrases; the Node-RED nodes word the same reason in the user's language from their locale
 * files, so no message is ever parsed or cut.
 *
 * A phrase is a text with __name__ placeholders; [[ ... ]] marks a part said only when
 * every placeholder in it has a value ("no answer[[ within __timeoutMs__ ms]]").
 */

/** A parameter: a value, a list of values, or reasons in their own words. */
export type ReasonParam = string | number | boolean | readonly (string | number)[] | ErrorReason | readonly ErrorReason[];

export interface ErrorReason {
  /** Stable: callers may switch on it; each code has one phrase per language. */
  readonly code: string;
  readonly [param: string]: ReasonParam | undefined;
}

/** The phrase of a code in some language, with its placeholders unfilled; undefined when that language has none. */
export type PhraseBook = (code: string) => string | undefined;

/** A reason for a text no phrase says (a system error's own words): said as it is in every language. */
export function textReason(text: string): ErrorReason {
  return { code: 'text', text };
}

/** The transport's phrases in English (the locale files hold them in every language, under "cause"). */
export const TRANSPORT_PHRASES: Readonly<Record<string, string>> = {
  text: '__text__',
  timeout: 'no answer[[ within __timeoutMs__ ms]][[ (__attempts__ attempts)]][[; __hint__]]',
  hintTcp: "nothing has answered on this link yet: if the device is a transparent serial gateway (raw RTU frames), choose 'RTU over TCP'; else check the unit id",
  hintRtuOverTcp:
    "nothing has answered on this link yet: if the device speaks Modbus TCP (most meters and gateways with a Modbus TCP port), choose 'TCP'; else check the gateway's serial settings and the unit id",
  hintRtu: 'nothing has answered on this line yet: check baud rate, parity, A/B wiring and the unit id',
  exception: 'Modbus exception __modbusCode__ (__name__)[[ at __address__]]',
  exception1: 'illegal function',
  exception2: 'illegal data address',
  exception3: 'illegal data value',
  exception4: 'server device failure',
  exception5: 'acknowledge',
  exception6: 'server busy',
  exception8: 'memory parity error',
  exception10: 'gateway path unavailable',
  exception11: 'gateway target failed to respond',
  exceptionUnknown: 'unknown exception __modbusCode__',
  crcError: 'bad reply: CRC error',
  replyLength: 'bad reply: it carries __got__ registers, expected __expected__',
  badReply: 'bad reply: __detail__',
  linkDown: 'link to __link__ is down: __detail__',
  linkOpening: 'link to __link__ is down: still opening',
  linkFailed: 'link to __link__: __detail__',
  linkClosed: 'link __link__ was closed',
  linkIsClosed: 'link __link__ is closed',
  unitBackoff: 'not asked until __until__ (after __count__ or more requests without an answer)',
  unitProbing: 'not asked until __until__ (a probe request is checking whether it answers again)',
  queueFull: 'queue full on __link__: __limit__ requests already waiting (queueLimit __limit__)',
  queueDeadline: 'not sent within __queueTimeoutMs__ ms (queueTimeoutMs): __link__ carries more requests than it can serve',
  // A system error: its code kept as it is, its meaning in words (errno<CODE>, errnoOther for a code without words).
  systemError: '__meaning__ (__errno__)',
  errnoOther: 'system error',
  errnoECONNREFUSED: 'connection refused',
  errnoECONNRESET: 'connection reset by the other end',
  errnoECONNABORTED: 'connection aborted',
  errnoEPIPE: 'connection broken',
  errnoENOTCONN: 'not connected',
  errnoEHOSTUNREACH: 'host unreachable',
  errnoENETUNREACH: 'network unreachable',
  errnoENETDOWN: 'network down',
  errnoEADDRNOTAVAIL: 'address not available',
  errnoENOTFOUND: 'host name not found',
  errnoEAI_AGAIN: 'host name not resolved for now',
  errnoENOENT: 'no such file or directory',
  errnoEACCES: 'permission denied',
  errnoEPERM: 'permission denied',
  errnoEBUSY: 'resource busy',
  errnoEIO: 'input/output error',
  errnoENXIO: 'no such device',
  errnoETIMEDOUT: 'timed out',
  portLocked: 'the port is locked by another program (cannot lock port)',
  // The line's own reasons for going away.
  connectionClosed: 'connection closed',
  closedByPeer: 'connection closed by the peer',
  closedByUs: 'closed by us',
  closedWhileOpening: 'closed while opening',
  openFailed: 'open failed',
  openTimeout: 'could not open within __timeoutMs__ ms',
};

/** A system code in a socket's or serial port's error ("connect ECONNREFUSED 10.0.0.9:502"). */
const SYSTEM_CODE = /\b(E[A-Z][A-Z0-9_]{2,})\b/;

/**
 * What a socket, a serial port or a driver threw, as a reason: its system code kept as a
 * parameter (from its `code`, or found in its text) and the sentence around it in words; a
 * serial port's own texts without a code ("No such file or directory", "Cannot lock port")
 * as their code; anything else in its own words.
 */
export function systemErrorReason(err: unknown): ErrorReason {
  const fieldOf = (name: string): unknown => (typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined);
  const message = fieldOf('message');
  const text = typeof message === 'string' ? message : String(err);
  const code = fieldOf('code');
  const errno =
    typeof code === 'string' && SYSTEM_CODE.test(code)
      ? code
      : (SYSTEM_CODE.exec(text)?.[1] ??
        (/no such file or directory/i.test(text) ? 'ENOENT' : /permission denied/i.test(text) ? 'EACCES' : undefined));
  if (errno === undefined) return /cannot lock port/i.test(text) ? { code: 'portLocked' } : textReason(text);
  return { code: 'systemError', errno, meaning: { code: TRANSPORT_PHRASES[`errno${errno}`] === undefined ? 'errnoOther' : `errno${errno}` } };
}

/** The English phrase of a transport code. */
export const englishTransportPhrase: PhraseBook = (code) => TRANSPORT_PHRASES[code];

/** Lists of reasons under these names are sentences of their own, said with "; " between them; other lists take ", ". */
const SENTENCE_LISTS = new Set(['problems', 'parts', 'mismatches']);

function paramText(name: string, value: ReasonParam, phrases: PhraseBook): string {
  if (Array.isArray(value)) {
    return value.length > 0 && typeof value[0] === 'object'
      ? (value as readonly ErrorReason[]).map((item) => wordReason(item, phrases)).join(SENTENCE_LISTS.has(name) ? '; ' : ', ')
      : (value as readonly (string | number)[]).join(', ');
  }
  if (typeof value === 'object') return wordReason(value as ErrorReason, phrases);
  return String(value);
}

/** A phrase with its placeholders filled; an optional part whose placeholders are not all given is left out. */
export function fillPhrase(phrase: string, params: Readonly<Record<string, string | undefined>>): string {
  const fill = (text: string): string => text.replace(/__(\w+)__/g, (whole: string, name: string) => params[name] ?? whole);
  return fill(
    phrase.replace(/\[\[(.*?)\]\]/g, (_whole: string, part: string) =>
      [...part.matchAll(/__(\w+)__/g)].every((m) => params[m[1]] !== undefined) ? part : '',
    ),
  );
}

/**
 * A reason in the words of `phrases` (nested reasons too), or of `fallback` for a code
 * `phrases` lacks; the code itself when neither has it.
 */
export function wordReason(reason: ErrorReason, phrases: PhraseBook, fallback: PhraseBook = englishTransportPhrase): string {
  const book: PhraseBook = (code) => phrases(code) ?? fallback(code);
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(reason)) {
    if (name !== 'code' && value !== undefined) params[name] = paramText(name, value, book);
  }
  return fillPhrase(book(reason.code) ?? reason.code, params);
}

/** The `reason` of anything thrown, when it has one. */
export function reasonOf(err: unknown): ErrorReason | undefined {
  const reason = typeof err === 'object' && err !== null ? (err as { reason?: unknown }).reason : undefined;
  return typeof reason === 'object' && reason !== null && typeof (reason as { code?: unknown }).code === 'string' ? (reason as ErrorReason) : undefined;
}
