/**
 * The device layer's reasons in English: what a meter refused, what a caller asked wrongly,
 * and the frame around a link failure ("reading 80 registers at 50512 (...) failed: ...").
 * The locale files hold the same phrases in every language, under "cause".
 */
import { englishTransportPhrase, TRANSPORT_PHRASES, type PhraseBook } from '../transport/reasons';

export const DEVICE_PHRASES: Readonly<Record<string, string>> = {
  requestFailed: '__action__[[ (__block__)]] failed: __cause__',
  readRegisters: 'reading __count__ registers at __address__',
  writeFields: 'writing __keys__',
  resetMask: 'reset __mask__',
  command: 'command __action__',
  writeUndone: '__failure__; __parts__',
  restoreFailed: 'restoring failed: now changed on the meter (not stored): __changes__',
  maybeChanged: 'maybe changed on the meter (no answer): __changes__',
  settingChange: '__key__ = __to__ (was __from__)',
  restored: 'restored __settings__',
  settingWas: '__key__ = __from__',
  asBefore: "the meter's settings are as before",
  notSocomec: 'not a Socomec meter (signature at 50000 is __signature__, expected "SOCO")',
  unsupportedModel: '__product__ has no register profile in this package (supported: __supported__); read-identity works, measurements, settings, resets and alarms do not',
  modelMismatch:
    'the node is set to model __pinned__ but the meter identifies as __actual__ ("__product__"); nothing read with the __pinned__ table: set the model to auto or __actualId__',
  badUnitId: 'unit id must be an integer 1..__max__, got __got__',
  noBlock: 'the __model__ has no __block__ block: nothing to __purpose__',
  purposeRead: 'read',
  purposeAlarms: 'read alarms from',
  purposeSend: 'send __action__ to',
  noCommand: 'the __model__ has no __action__ command (its commands: __commands__); nothing sent',
  badSelection: 'bad measurement selection: __problems__',
  unknownTable: 'unknown table "__table__" (valid: __valid__)',
  emptyGroups: 'groups must be a non-empty array',
  unknownGroup: 'unknown group "__group__" (valid: __valid__)',
  modelNoTable: '__model__ has no __table__ table (it offers: __offered__)',
  modelNoGroups: '__model__ has none of the groups __groups__ (it offers: __offered__)',
  emptyFields: 'fields must be a non-empty array of field keys',
  unknownField: 'unknown field "__field__" for table __table__ of the __model__',
  validFields: 'valid fields: __fields__',
  unknownSettingsBlock: 'unknown settings block "__block__" (valid: __valid__)',
  modelNoSettingsBlock: 'the __model__ has no __block__ block (its settings blocks: __offered__)',
  none: 'none',
  nothingWritten: '__cause__; nothing written',
  settingsRefused: 'settings refused, nothing written (__block__ __start__): __problems__',
  factoryBlock: 'block __block__ (__start__) is factory/calibration data: enable "allow factory and calibration blocks" to write it',
  unknownSetting: 'unknown setting "__key__" (valid: __valid__)',
  reservedSetting: '"__key__" is a reserved word and cannot be written',
  readOnlySetting: '"__key__" is read-only',
  valueOutOfRange: '__key__: __value__ is out of range __min__..__max__',
  notMultiple: '__key__: __value__ is not a multiple of __step__',
  notOneOf: '__key__: __value__ is not one of __allowed__',
  expectedNumber: '__key__: expected a number, got __got__',
  settingsWrittenDiffer: 'settings written but the read-back differs (__block__): __mismatches__',
  readsBack: '__key__ reads back __read__, wrote __wrote__',
  resetRefused: 'reset refused, nothing sent: __problems__',
  resetNeedsNames: 'the __model__ resets through __count__ registers: name what to reset (__names__)',
  badResetMask: 'mask __mask__ is not an integer 1..0xFFFF',
  undefinedResetBits: 'mask __mask__ sets undefined bits __bits__',
  sayWhatToReset: 'say what to reset: a name, an array of names or a bit mask (names: __names__)',
  modelNoReset: 'the __model__ has no "__name__" reset (its resets: __names__)',
  unknownReset: 'unknown reset __name__ (valid: __names__)',
  resetNotAllowed: 'not allowed by this node: __names__ (allowed: __allowed__)',
};

/** Every reason's English phrase: the device's and the transport's. */
export const ENGLISH_PHRASES: Readonly<Record<string, string>> = { ...TRANSPORT_PHRASES, ...DEVICE_PHRASES };

export const englishPhrase: PhraseBook = (code) => DEVICE_PHRASES[code] ?? englishTransportPhrase(code);
