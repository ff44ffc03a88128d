/**
 * Errors of the node layer: NodeInputError for a bad setting or msg property, and the one
 * place where any failure becomes a message naming the meter, the block and the cause (for
 * done(err) and a Catch node) and a short status (from the locale files).
 */
import type { NodeStatus } from 'node-red';
import { describeError, meterName } from '../device';
import { englishMqttPhrase } from '../mqtt/reasons';
import { reasonOf, textReason, wordReason, type ErrorReason, type PhraseBook } from '../transport/reasons';
import { catalogPhrase, catalogText, linkDownText, statusText } from './status-text';

/**
 * The `name` of the errors the node layer hands to Node-RED. A Catch node's msg.error.message
 * and the log line are Error.prototype.toString(), "name: message", which is the message
 * alone when the name is empty: the message already says what failed, in the user's
 * language, and `kind` tells the kinds apart.
 */
const WORDED = '';

/** The node layer's own reasons in English (the locale files hold them in every language, under "cause", with the library's). */
export const NODE_PHRASES: Readonly<Record<string, string>> = {
  badMsgUnitId: 'msg.unitId must be an integer __min__..__max__, got __got__',
  // A saved setting: what is wrong with it (the settings schema's problems), where, and the value.
  badSetting: '__problem__ (in the node settings), got __got__',
  badSettings: '__problems__',
  settingRequired: '__name__ is required',
  settingInteger: '__name__ must be an integer __min__..__max__',
  settingNumber: '__name__ must be a number __min__..__max__',
  settingOneOf: '__name__ must be one of __choices__',
  settingSomeOf: '__name__ must be a non-empty list of __choices__',
  settingAtLeast: '__name__ must be at least __other__ (__value__)',
  settingNeeds: '__name__ needs __option__',
  settingPattern: '__name__ is not in the expected form',
  settingUnitIds: '__name__: __entries__ is not a unit id 1..__max__ or a range such as 5-12',
  settingNames: '__name__: __entries__ is not "<unit id 1..__max__>=<name>"',
  badConfigUnitId: 'unit id __got__ in the node settings is not an integer __min__..__max__',
  badSeconds: '__name__ __got__ is not a number of seconds __min__..__max__',
  badNameList: '__name__ must be an array of names or a comma separated string, got __got__',
  badModel: 'model __got__ in the node settings is unknown (valid: __valid__)',
  badUnitIdList: 'unitIds: __cause__ (in the node settings)',
  listUnitId: 'unit id __got__ is not an integer __min__..__max__',
  unitIdRangeBackwards: 'unit id range __got__ ends before it starts',
  tooManyUnitIds: 'too many unit ids: __count__ given, at most __max__',
  unitIdListTooLong: 'the unit id list is too long (__length__ characters, at most __max__): write ranges, e.g. "1-247"',
  slowGroupsNotRead: 'slow groups __slow__ are not among the groups read (__groups__) (in the node settings)',
  noConnection: 'no socomec-connection configured: open the node and choose or add a connection',
  badConnection: 'connection "__connection__": __cause__',
  badConnectionSettings: 'bad connection settings: __cause__',
  badConfigVersion: '__name__ __got__ is not a version number',
  newerConfig: 'saved by a newer version of this package (__name__ __from__, this one reads up to __target__): update the package',
  noMigration: 'no migration from __name__ __from__ to __to__',
  linkLost: 'link __link__ lost: __cause__',
  linkReconnected: 'link __link__ reconnected',
  badDryRun: 'msg.dryRun must be true or false, got __got__',
  factoryBlockSetting: 'block __block__ holds factory/calibration data: tick "__option__" to use it',
  // Options of the write-settings and reset nodes, as their editors label them (a test holds them to the labels).
  optionAllowFactoryBlocks: 'Allow factory and calibration blocks (dangerous)',
  commandNotAllowed: '"__command__" is not allowed by this node (tick "__option__"); allowed: __allowed__; nothing sent',
  optionAllowRestart: 'Allow restart of the meter',
  optionAllowFactoryConfig: 'Allow loading the factory configuration',
  commandInList: 'send __commands__ on its own, not in a list of resets; nothing sent',
  // socomec-mqtt's input.
  mqttBadUnitId: 'msg.unitId __got__ is not a unit id 1..__max__: wire a Socomec read node into this node',
  mqttPerValue: 'one value per msg (msg.key) is not supported: set read-measurements\' output to "one message"',
  mqttBadPayload: 'msg.payload must be the object of values of read-measurements or the identity of read-identity, got __got__',
  // What a node was doing (FailureContext.block): the nodes' own blocks; write-settings names the register map's.
  blockMeasurements: 'measurements',
  blockIdentity: 'identity',
  blockReset: 'reset (1024)',
  blockActions: 'actions (57856)',
  blockAlarms: 'alarms (36176)',
  blockLegacyAlarms: 'legacy alarms (1280)',
};

/** The code of each block's words, by the English block (FailureContext.block stays that: callers may compare it). */
const BLOCK_WORDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(NODE_PHRASES)
    .filter(([code]) => code.startsWith('block'))
    .map(([code, phrase]) => [phrase, code]),
);

/** Every reason's English phrase the node layer may word: the library's and its own. */
const englishNodePhrase: PhraseBook = (code) => NODE_PHRASES[code] ?? englishMqttPhrase(code);

/** A bad msg property or node setting: the caller's input, not the meter, is wrong. */
export class NodeInputError extends Error {
  readonly kind = 'input' as const;
  readonly reason?: ErrorReason;
  readonly unitId?: number;
  readonly problems?: string[];

  /** `why`: a message, or a reason (worded in English here, in the user's language by the node layer). */
  constructor(why: string | ErrorReason, details: { unitId?: number; problems?: string[] } = {}) {
    super(typeof why === 'string' ? why : wordReason(why, englishNodePhrase));
    this.name = WORDED;
    if (typeof why !== 'string') this.reason = why;
    if (details.unitId !== undefined) this.unitId = details.unitId;
    if (details.problems !== undefined) this.problems = details.problems;
  }
}

/** Where a failure happened, to word the message. */
export interface FailureContext {
  unitId?: number;
  /** The link's description (ConnectionNode.describe()). */
  link?: string;
  /** What was being read or written: "measurements", "identity", "application settings"... */
  block?: string;
}

function fieldOf(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** The message of anything thrown (some libraries reject with plain objects, not Errors). */
export function messageOf(err: unknown): string {
  const message = fieldOf(err, 'message');
  if (typeof message === 'string' && message !== '') return message;
  if (typeof err === 'string') return err;
  return String(err);
}

/** Anything thrown, as an Error. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(messageOf(err));
}

/**
 * The one error the node layer hands to done(err) and Catch nodes: what went wrong, at
 * which meter, link and block, with the original as `cause`. Its message is worded once,
 * here, from the locale files: "meter 5 on tcp 10.0.0.9:502: measurements: <cause>". A
 * device error already names the meter, block and cause in its message: that is kept as it
 * is rather than said twice.
 */
export class MeterNodeError extends Error {
  readonly kind: string;
  readonly unitId?: number;
  readonly link?: string;
  readonly block?: string;
  readonly problems?: string[];
  readonly modbusCode?: number;
  /** A settings write undone after a failure: the keys written back. */
  readonly restored?: string[];
  /** A settings write that could not be undone: what is changed on the meter now. */
  readonly changedOnMeter?: Record<string, { from: unknown; to: unknown }>;

  constructor(cause: unknown, where: FailureContext) {
    const unitFromError = fieldOf(cause, 'unitId');
    const unitId = where.unitId ?? (typeof unitFromError === 'number' ? unitFromError : undefined);
    const blockFromError = fieldOf(cause, 'block');
    const block = typeof blockFromError === 'string' && blockFromError !== '' ? blockFromError : where.block;
    super(failureText(cause, unitId, where.link, block), { cause });
    this.name = WORDED;
    const kind = fieldOf(cause, 'kind');
    this.kind = typeof kind === 'string' ? kind : 'error';
    if (unitId !== undefined) this.unitId = unitId;
    if (where.link !== undefined) this.link = where.link;
    if (block !== undefined) this.block = block;
    const modbusCode = fieldOf(cause, 'modbusCode');
    if (typeof modbusCode === 'number') this.modbusCode = modbusCode;
    const problems = fieldOf(cause, 'problems');
    if (Array.isArray(problems)) this.problems = problems as string[];
    const restored = fieldOf(cause, 'restored');
    if (Array.isArray(restored)) this.restored = restored as string[];
    const changedOnMeter = fieldOf(cause, 'changedOnMeter');
    if (typeof changedOnMeter === 'object' && changedOnMeter !== null) this.changedOnMeter = changedOnMeter as Record<string, { from: unknown; to: unknown }>;
  }
}

/** A reason's phrase in the runtime's language (the locale files' "cause" section). */
const localPhrase: PhraseBook = (code) => catalogPhrase('cause', code);

/** What failed, in the runtime's language when the cause carries a reason (a code and its parameters); else the cause's own message. */
function causeText(cause: unknown): string {
  const reason = reasonOf(cause);
  return reason === undefined ? messageOf(cause) : wordReason(reason, localPhrase, englishNodePhrase);
}

/**
 * A bad setting or msg as a node hands it to Node-RED when no meter was asked (a setup that
 * cannot work, socomec-mqtt's input): the same error, its message in the runtime's language.
 * An error without a reason is said as it is.
 */
export function inUserLanguage(err: unknown): Error {
  const reason = reasonOf(err);
  if (reason === undefined) return asError(err);
  const worded = new NodeInputError(reason, { unitId: fieldOf(err, 'unitId') as number | undefined, problems: fieldOf(err, 'problems') as string[] | undefined });
  worded.message = causeText(err);
  return worded;
}

/** Anything thrown as a bad input with a reason: a message without one becomes its own words (textReason). */
export function asInputError(err: unknown): NodeInputError {
  if (err instanceof NodeInputError) return err;
  return new NodeInputError(reasonOf(err) ?? textReason(messageOf(err)));
}

/**
 * "meter 5 on <link>: <block>: <cause>", from the locale's "error" section. A device error
 * names its meter in its own message, and its block in its reason when it matters: the
 * node's block is then not said again.
 */
function failureText(err: unknown, unitId: number | undefined, link: string | undefined, block: string | undefined): string {
  const own = messageOf(err);
  const reason = reasonOf(err);
  // An error without a reason that names the meter and the link already is kept as it is.
  if ((reason === undefined || reason.code === 'text') && unitId !== undefined && link !== undefined && own.startsWith(meterName(unitId, link))) return own;
  const cause = causeText(err);
  const name = unitId === undefined ? undefined : meterName(unitId);
  const namesItself = name !== undefined && (own.startsWith(`${name}:`) || own.startsWith(`${name} on `));
  const meter =
    unitId === undefined
      ? catalogText('error', link === undefined ? 'someMeter' : 'someMeterOnLink', { link: link ?? '' })
      : catalogText('error', link === undefined ? 'meter' : 'meterOnLink', { unitId: String(unitId), link: link ?? '' });
  const showBlock = block !== undefined && !namesItself && !cause.includes(block);
  const blockText = block !== undefined && Object.hasOwn(BLOCK_WORDS, block) ? causeText({ reason: { code: BLOCK_WORDS[block] } }) : block;
  return catalogText('error', showBlock ? 'failedIn' : 'failed', { meter, block: blockText ?? '', cause });
}

/** Any failure as the node layer's one error, naming the meter, the link and the block. */
export function explainError(err: unknown, where: FailureContext): MeterNodeError {
  return new MeterNodeError(err, where);
}

/** Status words (keys of the locale's "status" section) for each error kind; 'link' and 'exception' are worded below. */
const ERROR_WORDS: Readonly<Record<string, string>> = {
  timeout: 'noAnswer',
  backoff: 'backoff',
  'queue-full': 'queueFull',
  'queue-timeout': 'queueTimeout',
  'unsupported-model': 'unsupportedModel',
  'model-mismatch': 'modelMismatch',
  closed: 'linkClosed',
  framing: 'badReply',
  input: 'badInput',
  'not-socomec': 'notSocomec',
  verify: 'readBackDiffers',
};

/**
 * A short red/yellow status for an error; yellow for passing trouble (timeouts, backoff,
 * busy link). A link that is down reads as the link's own status does ("link down:
 * ECONNREFUSED", "port missing"), so the two never take turns.
 */
export function errorStatus(err: unknown): NodeStatus {
  let fill: 'red' | 'yellow';
  try {
    fill = describeError(err).fill;
  } catch {
    fill = 'red';
  }
  const kind = fieldOf(err, 'kind');
  if (kind === 'link') return { fill: 'red', shape: 'ring', text: linkDownText(messageOf(err)) };
  let text: string;
  if (kind === 'exception') {
    const code = fieldOf(err, 'modbusCode');
    text = typeof code === 'number' ? statusText('exception', { code: String(code) }) : statusText('exceptionPlain');
  } else {
    text = statusText(typeof kind === 'string' && Object.hasOwn(ERROR_WORDS, kind) ? ERROR_WORDS[kind] : 'error');
  }
  return { fill, shape: fill === 'red' ? 'dot' : 'ring', text };
}
