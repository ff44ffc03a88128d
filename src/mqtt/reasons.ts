/**
 * socomec-mqtt's formatter's reasons in English: bad options, a meter to clear that is not
 * known, two meters under one id, a meter waiting for its name. The locale files hold the
 * same phrases in every language, under "cause".
 */
import { englishPhrase } from '../device/reasons';
import type { PhraseBook } from '../transport/reasons';

export const MQTT_PHRASES: Readonly<Record<string, string>> = {
  formatterOptions: '__problems__',
  prefixNoLetter: 'topic prefix "__prefix__" has a level without a letter or digit',
  siteNoLetter: 'site "__site__" has no letter or digit',
  valuesOrState: 'choose plain values, the JSON state or both',
  badQos: 'QoS __qos__ is not 0, 1 or 2',
  badStaleSeconds: 'offline after __seconds__ s is not a number of seconds >= 0',
  badStaleFactor: 'stale factor __factor__ is not a number >= 1',
  discoveryPrefixNoLetter: 'discovery prefix "__prefix__" has no letter or digit',
  nameNoLetter: 'the name of unit __unitId__ ("__name__") has no letter or digit',
  noMeterToClear: 'no meter __meter__ to clear; known: __known__',
  meterById: '"__id__"',
  meterByUnit: 'unit __unitId__[[ on __link__]]',
  meterNoIdYet: 'unit __unitId__ (no id yet)',
  meterIdClash: 'meter id "__id__" of __meter__ is already used by __other__: give each meter its own name',
  meterWaiting: '__meter__ has no name yet: name it, or wire read-identity into this node',
};

/** The English phrase of an MQTT formatter's code, or of the device's and the transport's. */
export const englishMqttPhrase: PhraseBook = (code) => MQTT_PHRASES[code] ?? englishPhrase(code);
