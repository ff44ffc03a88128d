/**
 * Errors carry why they failed as data (a stable code and its parameters) next to their
 * English message: the transport's (on the real link over a scripted line and an injected
 * clock), the device's (bad input, refused settings, a model without a table) and the
 * codec's. The same reasons worded from the German and French locale files say the whole
 * cause in that language; the English locale holds exactly the library's English phrases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceError, DirisDevice, MEASUREMENT_GROUPS, selectMeasurementFields, validateSettings } from '../../src/device';
import { ENGLISH_PHRASES, englishPhrase } from '../../src/device/reasons';
import { parseUnitIdList } from '../../src/nodes/connection-settings';
import { configuredSeconds, configuredSettings, stringList } from '../../src/nodes/input-parsing';
import { configuredModel } from '../../src/nodes/model-choice';
import { MqttFormatter } from '../../src/mqtt';
import { MQTT_PHRASES } from '../../src/mqtt/reasons';
import { NODE_PHRASES } from '../../src/nodes/node-errors';
import { getProfile } from '../../src/registers';
import { classifyError, fillPhrase, ModbusLink, wordReason, type ErrorReason, type LinkConfig, type PhraseBook } from '../../src/transport';
import { ManualClock } from '../helpers/manual-clock';
import { ScriptedLine } from '../helpers/scripted-line';

const LOCALES = join(__dirname, '..', '..', '..', 'nodes', 'locales');

function causes(lang: string): Record<string, string> {
  return (JSON.parse(readFileSync(join(LOCALES, lang, 'socomec-connection.json'), 'utf8')) as Record<string, { cause: Record<string, string> }>)['socomec-connection'].cause;
}

/** A reason in a locale's words, English for a code it lacks (as the node layer words it). */
function wordIn(lang: string, reason: ErrorReason): string {
  const phrases = causes(lang);
  const book: PhraseBook = (code) => phrases[code];
  return wordReason(reason, book, englishPhrase);
}

function reasonOfError(err: unknown): ErrorReason {
  const reason = (err as { reason?: ErrorReason } | undefined)?.reason;
  assert.ok(reason, `no reason on ${String(err)}`);
  return reason;
}

describe('error reasons: a code and its parameters beside the English message', () => {
  const links: ModbusLink[] = [];
  afterEach(async () => {
    for (const link of links.splice(0)) await link.close();
  });
  function make(config: Partial<LinkConfig> = {}): { clock: ManualClock; line: ScriptedLine; link: ModbusLink } {
    const clock = new ManualClock();
    const line = new ScriptedLine(clock);
    const link = new ModbusLink({ transport: 'tcp', host: 'meter.test', port: 502, ...config }, { clock, openChannel: line.open });
    links.push(link);
    return { clock, line, link };
  }

  it('the English locale holds exactly the library\'s (transport, device, MQTT formatter) and the node layer\'s English phrases, and German and French have every one', () => {
    const english = { ...ENGLISH_PHRASES, ...MQTT_PHRASES, ...NODE_PHRASES };
    assert.deepEqual(causes('en-US'), english);
    for (const lang of ['de', 'fr']) assert.deepEqual(Object.keys(causes(lang)).sort(), Object.keys(english).sort(), lang);
  });

  it('a phrase says an optional part only when every value in it is given', () => {
    const phrase = 'no answer[[ within __timeoutMs__ ms]][[ (__attempts__ attempts)]]';
    assert.equal(fillPhrase(phrase, {}), 'no answer');
    assert.equal(fillPhrase(phrase, { timeoutMs: '300' }), 'no answer within 300 ms');
    assert.equal(fillPhrase(phrase, { timeoutMs: '300', attempts: '2' }), 'no answer within 300 ms (2 attempts)');
  });

  it('the transport: timeout (with the wiring hint while nothing answered), exception by name, backoff, queue deadline, link down, closed', async () => {
    const { clock, line, link } = make({ timeoutMs: 300, retries: 1, unitBackoffAfter: 2, unitBackoffInitialMs: 10_000 });
    line.silent.add(9);
    const first = (await clock.settle(link.readHoldingRegisters(9, 0, 1))).error;
    assert.deepEqual(reasonOfError(first), { code: 'timeout', timeoutMs: 300, attempts: 2, hint: { code: 'hintTcp' } });
    assert.match(first!.message, /^unit 9: no answer within 300 ms \(2 attempts\); nothing has answered on this link yet: .*'RTU over TCP'/);

    await clock.settle(link.readHoldingRegisters(5, 0, 1));
    const timeout = (await clock.settle(link.readHoldingRegisters(9, 0, 1, { retries: 0 }))).error;
    assert.deepEqual(reasonOfError(timeout), { code: 'timeout', timeoutMs: 300, attempts: undefined });
    assert.equal(timeout!.message, 'unit 9: no answer within 300 ms');
    assert.equal(wordIn('de', reasonOfError(timeout)), 'keine Antwort innerhalb von 300 ms');
    assert.equal(wordIn('fr', reasonOfError(first)).startsWith("pas de réponse en 300 ms (2 essais) ; rien n'a encore répondu sur cette liaison"), true);

    const backoff = (await clock.settle(link.readHoldingRegisters(9, 0, 1))).error;
    const until = new Date(clock.now() + 10_000).toISOString();
    assert.deepEqual(reasonOfError(backoff), { code: 'unitBackoff', until, count: 2 });
    assert.equal(wordIn('de', reasonOfError(backoff)), `nicht abgefragt bis ${until} (nach 2 oder mehr Anfragen ohne Antwort)`);

    line.exceptions.set(100, 2);
    const exception = (await clock.settle(link.readHoldingRegisters(5, 100, 1))).error;
    assert.deepEqual(reasonOfError(exception), { code: 'exception', modbusCode: 2, name: { code: 'exception2' }, address: 100 });
    assert.equal(exception!.message, 'unit 5: Modbus exception 2 (illegal data address) at 100');
    assert.equal(wordIn('fr', reasonOfError(exception)), 'exception Modbus 2 (adresse de données illégale) à 100');

    line.drop();
    line.refuse = true;
    const down = (await clock.settle(link.readHoldingRegisters(5, 0, 1))).error;
    assert.equal(reasonOfError(down).code, 'linkDown');
    assert.deepEqual(reasonOfError(down).detail, { code: 'closedByPeer' });
    assert.equal(down!.message, 'link to meter.test:502 is down: connection closed by the peer');
    assert.equal(wordIn('fr', reasonOfError(down)), "liaison vers meter.test:502 coupée : connexion fermée par l'autre bout");
    // A system error keeps its code, and its meaning is worded around it.
    const refused = classifyError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:502'), { code: 'ECONNREFUSED' }), { link: 'tcp 10.0.0.9:502' });
    assert.deepEqual(refused.reason.detail, { code: 'systemError', errno: 'ECONNREFUSED', meaning: { code: 'errnoECONNREFUSED' } });
    assert.equal(refused.message, 'link to tcp 10.0.0.9:502 is down: connection refused (ECONNREFUSED)');
    assert.equal(wordIn('de', refused.reason), 'Verbindung zu tcp 10.0.0.9:502 getrennt: Verbindung abgelehnt (ECONNREFUSED)');
    const missing = classifyError(new Error('Error: No such file or directory, cannot open /dev/ttyUSB7'), { link: '/dev/ttyUSB7' });
    assert.equal(wordIn('fr', missing.reason), 'liaison vers /dev/ttyUSB7 coupée : fichier ou répertoire introuvable (ENOENT)');
    const unknownCode = classifyError(Object.assign(new Error('read EWEIRD'), { code: 'EWEIRD' }), { link: 'x' });
    assert.equal(wordIn('de', unknownCode.reason), 'Verbindung zu x: Systemfehler (EWEIRD)');

    const waiting = clock.track(link.readHoldingRegisters(5, 1, 1));
    await link.close();
    assert.deepEqual(reasonOfError((await clock.settle(waiting)).error), { code: 'linkClosed', link: 'tcp meter.test:502' });
    const afterClose = (await clock.settle(link.readHoldingRegisters(5, 1, 1))).error;
    assert.deepEqual(reasonOfError(afterClose), { code: 'linkIsClosed', link: 'tcp meter.test:502' });
    assert.equal(wordIn('de', reasonOfError(afterClose)), 'Verbindung tcp meter.test:502 ist geschlossen');
  });

  it('the transport: a request not sent within the queue deadline', async () => {
    const { clock, line, link } = make({ timeoutMs: 1000, retries: 0, queueTimeoutMs: 1500 });
    line.latency.set(6, 900);
    await clock.settle(link.readHoldingRegisters(5, 0, 1));
    const busy = [1, 2].map((i) => clock.track(link.readHoldingRegisters(6, i, 1, { source: 'slow' })));
    const late = (await clock.settle(link.readHoldingRegisters(6, 9, 1, { source: 'slow' }))).error;
    assert.deepEqual(reasonOfError(late), { code: 'queueDeadline', queueTimeoutMs: 1500, link: 'tcp meter.test:502' });
    assert.equal(late!.message, 'unit 6: not sent within 1500 ms (queueTimeoutMs): tcp meter.test:502 carries more requests than it can serve');
    assert.equal(wordIn('de', reasonOfError(late)), 'nicht innerhalb von 1500 ms gesendet (queueTimeoutMs): tcp meter.test:502 trägt mehr Anfragen, als es bedienen kann');
    for (const request of busy) assert.ok((await clock.settle(request)).value);
  });

  it('the device: a link failure in the frame of its request, worded whole in the user\'s language', async () => {
    const { clock, line, link } = make({ timeoutMs: 300, retries: 0 });
    const meter = new DirisDevice(link, 5);
    line.exceptions.set(50512, 4);
    const failed = (await clock.settle(meter.readMeasurements({ groups: ['instantaneous'] }))).error;
    assert.ok(failed instanceof DeviceError);
    const reason = reasonOfError(failed);
    assert.equal(reason.code, 'requestFailed');
    assert.deepEqual(reason.action, { code: 'readRegisters', count: 80, address: 50512 });
    assert.equal(failed.message, 'meter 5 on tcp meter.test:502: reading 80 registers at 50512 (instantaneous (50512)) failed: Modbus exception 4 (server device failure) at 50512');
    assert.equal(wordIn('de', reason), 'Lesen von 80 Registern ab 50512 (instantaneous (50512)) fehlgeschlagen: Modbus-Ausnahme 4 (Fehler im Gerät) bei 50512');
  });

  it('bad input: unknown field and group with the valid names, a model without the table, a value out of range', () => {
    const unknown = catchError(() => selectMeasurementFields({ groups: ['instantaneous', 'weather'] }, { unitId: 5 }));
    assert.deepEqual(reasonOfError(unknown), {
      code: 'badSelection',
      problems: [{ code: 'unknownGroup', group: 'weather', valid: MEASUREMENT_GROUPS }],
    });
    assert.equal(wordIn('fr', reasonOfError(unknown)), `sélection de mesures invalide : groupe inconnu « weather » (valides : ${MEASUREMENT_GROUPS.join(', ')})`);

    const field = catchError(() => selectMeasurementFields({ fields: ['V1', 'bogus'] }, { unitId: 5, profile: getProfile('A10') }));
    const problems = reasonOfError(field).problems as ErrorReason[];
    assert.deepEqual(problems[0], { code: 'unknownField', field: 'bogus', table: 'standard', model: 'DIRIS A-10' });
    assert.equal(problems[1].code, 'validFields');
    assert.ok((problems[1].fields as string[]).includes('V1'), 'the valid fields are listed');
    assert.match(wordIn('de', reasonOfError(field)), /^ungültige Messwertauswahl: unbekanntes Feld "bogus" für die Tabelle standard des DIRIS A-10; gültige Felder: .*V1/);

    const table = catchError(() => selectMeasurementFields({ table: 'legacyB00' }, { unitId: 5, profile: getProfile('E14') }));
    assert.equal((reasonOfError(table).problems as ErrorReason[])[0].code, 'modelNoTable');
    assert.match(wordIn('fr', reasonOfError(table)), /^sélection de mesures invalide : le .* n'a pas de table legacyB00 \(il offre : /);

    const range = catchError(() => validateSettings('applicationSettings', { ctPrimary: 20000, bogus: 1 }, { unitId: 5, meter: 'meter 5' }));
    const refused = reasonOfError(range);
    assert.equal(refused.code, 'settingsRefused');
    assert.deepEqual((refused.problems as ErrorReason[]).map((p) => p.code), ['valueOutOfRange', 'unknownSetting']);
    assert.match(range.message, /^meter 5: settings refused, nothing written \(applicationSettings 36352\): ctPrimary: 20000 A is out of range 1\.\.10000 A; unknown setting "bogus" \(valid: /);
    assert.match(wordIn('de', refused), /^Einstellungen abgelehnt, nichts geschrieben \(applicationSettings 36352\): ctPrimary: 20000 A liegt außerhalb des Bereichs 1\.\.10000 A; unbekannte Einstellung "bogus" \(gültig: /);
    assert.deepEqual((range as DeviceError).problems?.[0], 'ctPrimary: 20000 A is out of range 1..10000 A', 'problems stay in English words for the library');
  });

  it('the rarer settings problems: a value not allowed, an array\'s element, an alarm threshold without its quantity, not an object', () => {
    const ctx = { unitId: 5, meter: 'meter 5' };
    const refused = reasonOfError(catchError(() => validateSettings('applicationSettings', { ctSecondary: 2, alarmUpperThreshold: 30 }, ctx)));
    assert.deepEqual(
      (refused.problems as ErrorReason[]).map((p) => p.code),
      ['notAllowed', 'quantityNeeded'],
    );
    assert.equal(
      wordIn('de', refused),
      'Einstellungen abgelehnt, nichts geschrieben (applicationSettings 36352): ctSecondary: 2 A ist nicht erlaubt; erlaubt: 1, 5 A; "alarmUpperThreshold" ist in der Einheit der Größe von alarmType: geben Sie alarmType mit an',
    );
    const unknown = reasonOfError(catchError(() => validateSettings('applicationSettings', { alarmUpperThreshold: 30 }, { ...ctx, current: { alarmType: 99 } })));
    assert.match(wordIn('fr', unknown), /: « alarmUpperThreshold » est dans l'unité de la grandeur de alarmType, et le alarmType du compteur \(99\) n'en nomme aucune$/);

    const element = catchError(() => validateSettings('industrialization', { currentGainCoefficients: [1, 2, 70000, 4] }, { ...ctx, allowFactoryBlocks: true }));
    const elementProblem = (reasonOfError(element).problems as ErrorReason[])[0];
    assert.deepEqual(elementProblem, { code: 'arrayElement', key: 'currentGainCoefficients', index: '2', problem: { code: 'valueOutOfRange', value: '70000', min: '0', max: '65535' } });
    assert.match(element.message, /: currentGainCoefficients: element 2: 70000 is out of range 0\.\.65535$/);
    assert.equal(wordIn('de', elementProblem), 'currentGainCoefficients: Element 2: 70000 liegt außerhalb des Bereichs 0..65535');
    assert.equal(wordIn('fr', elementProblem), 'currentGainCoefficients : élément 2 : 70000 est hors de la plage 0..65535');

    const notObject = reasonOfError(catchError(() => validateSettings('applicationSettings', [1, 2], ctx)));
    assert.match(wordIn('fr', notObject), /: les réglages doivent être un objet \{ clé: valeur \}, reçu une liste$/);
  });

  it('the node layer: a bad saved setting, seconds, a name list and the model carry reasons, worded whole in German and French', () => {
    const saved = catchError(() => configuredSettings('socomec-read-measurements', { unitId: 'five', table: 'legacy64' }));
    const reason = reasonOfError(saved);
    assert.equal(reason.code, 'badSettings');
    assert.deepEqual((reason.problems as ErrorReason[])[0], { code: 'badSetting', problem: { code: 'settingInteger', name: 'unitId', min: 1, max: 247 }, got: '"five"' });
    assert.match(saved.message, /^unitId must be an integer 1\.\.247 \(in the node settings\), got "five"; table must be one of standard, /);
    assert.match(wordIn('de', reason), /^unitId muss eine ganze Zahl 1\.\.247 sein \(in den Node-Einstellungen\), erhalten: "five"; table muss einer von standard, .* sein \(in den Node-Einstellungen\), erhalten: "legacy64"$/);
    assert.match(wordIn('fr', reason), /^unitId doit être un entier 1\.\.247 \(dans les réglages du nœud\), reçu "five"; table doit être l'un de standard, /);
    assert.equal(wordIn('de', reasonOfError(catchError(() => configuredSeconds('soon', 'pollSeconds')))), 'pollSeconds "soon" ist keine Zahl von Sekunden 0..86400');
    assert.equal(wordIn('fr', reasonOfError(catchError(() => stringList(7, 'msg.fields')))), 'msg.fields doit être une liste de noms ou un texte séparé par des virgules, reçu 7');
    assert.match(wordIn('de', reasonOfError(catchError(() => configuredModel('A99')))), /^das Modell "A99" in den Node-Einstellungen ist unbekannt \(gültig: auto, A10, /);
    const backwards = catchError(() => parseUnitIdList('5, 9-3'));
    assert.equal(backwards.message, 'unit id range "9-3" ends before it starts');
    assert.equal(wordIn('fr', reasonOfError(backwards)), 'la plage d\'adresses "9-3" finit avant de commencer');
  });

  it('socomec-mqtt\'s formatter: bad options, a meter to clear it does not know, a meter waiting for its name', () => {
    const origin = { name: 'test', sw_version: '0' };
    const options = catchError(() => new MqttFormatter({ origin, site: '##', values: false, state: false }));
    assert.equal(options.message, 'site "##" has no letter or digit; choose plain values, the JSON state or both');
    assert.equal(wordIn('de', reasonOfError(options)), 'der Standort "##" hat keinen Buchstaben und keine Ziffer; wählen Sie einzelne Werte, den JSON-Zustand oder beides');
    const formatter = new MqttFormatter({ origin });
    const waiting = formatter.reading({ unitId: 5, link: 'tcp 10.0.0.9:502' }, { payload: { V1: 230 }, units: { V1: 'V' }, timestamp: 1 }, 1);
    assert.equal(waiting.waiting, 'unit 5 on tcp 10.0.0.9:502 has no name yet: name it, or wire read-identity into this node');
    assert.equal(wordIn('fr', waiting.waitingReason!), "l'adresse 5 sur tcp 10.0.0.9:502 n'a pas encore de nom : nommez-le, ou reliez read-identity à ce nœud");
    const clear = catchError(() => formatter.clear({ id: 'pump' }));
    assert.equal(clear.message, 'no meter "pump" to clear; known: unit 5 (no id yet)');
    assert.equal(wordIn('de', reasonOfError(clear)), 'kein Zähler "pump" zum Entfernen; bekannt: Unit 5 (noch ohne ID)');
  });

  it('an option a refusal names reads as the node\'s editor labels it, in every language', () => {
    const labels = (lang: string, type: string): Record<string, string> =>
      (JSON.parse(readFileSync(join(LOCALES, lang, `${type}.json`), 'utf8')) as Record<string, { label: Record<string, string> }>)[type].label;
    const options: [string, string, string][] = [
      ['optionAllowRestart', 'socomec-reset', 'allowRestart'],
      ['optionAllowFactoryConfig', 'socomec-reset', 'allowFactoryConfig'],
      ['optionAllowFactoryBlocks', 'socomec-write-settings', 'allowFactoryBlocks'],
    ];
    assert.deepEqual(Object.keys(NODE_PHRASES).filter((code) => code.startsWith('option')).sort(), options.map(([code]) => code).sort());
    for (const lang of ['en-US', 'de', 'fr']) {
      for (const [code, type, label] of options) {
        const phrase = causes(lang)[code];
        assert.ok(labels(lang, type)[label].startsWith(phrase), `${lang} ${code} "${phrase}" is not the label "${labels(lang, type)[label]}"`);
      }
    }
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
