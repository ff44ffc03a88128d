/**
 * What a Catch node and the log get when a read fails, in a real Node-RED runtime whose
 * language is German, French or English: the whole message in that language (the meter,
 * the request and the cause: no answer, a Modbus exception by name, an unknown field with
 * the valid ones, a bad msg.unitId), and a log line that is the message itself, with no class name before it.
 * The node layer's own refusals too: a bad msg.fields, a node saved with unit id "five" (the
 * deploy's log line and the msg failed with it), a reset and a restart the node does not
 * allow, and a msg without msg.unitId into socomec-mqtt: no English words left but names,
 * keys and values.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(__dirname, '..', 'helpers', 'localized-runtime-child.js');

interface LanguageRun {
  port: number;
  first: string;
  caught: {
    silent: string;
    unknownField: string;
    exception: string;
    badUnitId: string;
    badFields: string;
    badSetting: string;
    resetNotAllowed: string;
    restartNotAllowed: string;
    mqttNoUnitId: string;
    badConnection: string;
  };
  errorLines: string[];
  deployLines: string[];
  connectionWarnings: string[];
  failed?: string;
}

/** Runs the flow in a Node-RED of its own in `lang` (its i18n is one per process). */
function runIn(lang: string): Promise<LanguageRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, lang], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      const run = JSON.parse(stdout.trim().split('\n').pop()!) as LanguageRun;
      if (run.failed !== undefined) return reject(new Error(`${run.failed}\n${stdout}`));
      resolve(run);
    });
  });
}

const CAUGHT = 'caught:';

describe('errors in the runtime\'s language, as a Catch node and the log get them', function () {
  this.timeout(90_000);

  it('in German: the meter, the request and the cause (no answer, exception by name, unknown field with the valid ones)', async () => {
    const run = await runIn('de');
    const link = `tcp 127.0.0.1:${run.port}`;
    assert.equal(run.first, 'read ok');
    assert.equal(run.caught.silent, `${CAUGHT}Zähler 7 an ${link}: Lesen von 80 Registern ab 50512 (instantaneous (50512)) fehlgeschlagen: keine Antwort innerhalb von 300 ms`);
    assert.equal(
      run.caught.exception,
      `${CAUGHT}Zähler 5 an ${link}: Lesen von 80 Registern ab 50512 (instantaneous (50512)) fehlgeschlagen: Modbus-Ausnahme 4 (Fehler im Gerät) bei 50512`,
    );
    assert.match(
      run.caught.unknownField,
      new RegExp(`^${CAUGHT}Zähler 5 an tcp 127\\.0\\.0\\.1:${run.port}: ungültige Messwertauswahl: unbekanntes Feld "bogus" für die Tabelle standard des DIRIS A-20; gültige Felder: hourMeter, U12, .*, V1, .*, thdIn$`),
    );
    assert.equal(run.caught.badUnitId, `${CAUGHT}Zähler an ${link}: Messwerte: msg.unitId muss eine ganze Zahl 1..247 sein, erhalten: 300`);
    assert.deepEqual(run.errorLines, [
      `[error] [socomec-read-measurements:uncaught] Zähler 7 an ${link}: Lesen von 80 Registern ab 50512 (instantaneous (50512)) fehlgeschlagen: keine Antwort innerhalb von 300 ms`,
    ]);
  });

  it('in German: the node layer\'s refusals (msg.fields, a bad saved unit id at deploy and on every msg, resets not allowed, socomec-mqtt without msg.unitId)', async () => {
    const run = await runIn('de');
    const link = `tcp 127.0.0.1:${run.port}`;
    assert.equal(run.caught.badFields, `${CAUGHT}Zähler 5 an ${link}: Messwerte: msg.fields muss eine Liste von Namen oder ein durch Kommas getrennter Text sein, erhalten: 7`);
    const badSetting = 'die Unit-ID "five" in den Node-Einstellungen ist keine ganze Zahl 1..247';
    assert.deepEqual(run.deployLines.filter((line) => line.includes(':bad setting]')), [`[error] [socomec-read-measurements:bad setting] ${badSetting}`]);
    assert.equal(run.caught.badSetting, `${CAUGHT}${badSetting}`);
    assert.equal(run.caught.resetNotAllowed, `${CAUGHT}Zähler 5 an ${link}: Rücksetzen abgelehnt, nichts gesendet: von diesem Node nicht erlaubt: hourMeter (erlaubt: maxCurrents)`);
    assert.equal(
      run.caught.restartNotAllowed,
      `${CAUGHT}Zähler 5 an ${link}: Aktionen (57856): "restart" ist von diesem Node nicht erlaubt (aktivieren Sie "Neustart des Zählers erlauben"); erlaubt: maxCurrents; nichts gesendet`,
    );
    assert.equal(run.caught.mqttNoUnitId, `${CAUGHT}msg.unitId undefined ist keine Unit-ID 1..247: verbinden Sie einen Socomec-Lese-Node mit diesem Node`);
    assert.deepEqual(run.deployLines.filter((line) => line.includes(':bad names]')), ['[error] [socomec-mqtt:bad names] names: 300=x ist nicht "<Unit-ID 1..247>=<Name>" (in den Node-Einstellungen), erhalten: "5=incomer, 300=x"']);
    const badConnection = 'ungültige Verbindungseinstellungen: port muss eine ganze Zahl 1..65535 sein (in den Node-Einstellungen), erhalten: 70000';
    assert.deepEqual(run.deployLines.filter((line) => line.includes('socomec-connection:')), [`[error] [socomec-connection:bad] ${badConnection}`]);
    assert.equal(run.caught.badConnection, `${CAUGHT}Verbindung "bad": ${badConnection}`);
    // The simulator goes away under the working link: said once, in German.
    assert.deepEqual(run.connectionWarnings, [`[warn] [socomec-connection:sim] Verbindung tcp 127.0.0.1:${run.port} verloren: Verbindung von der Gegenseite geschlossen`]);
  });

  it('in French', async () => {
    const run = await runIn('fr');
    const link = `tcp 127.0.0.1:${run.port}`;
    assert.equal(run.caught.silent, `${CAUGHT}compteur 7 sur ${link} : lecture de 80 registres à 50512 (instantaneous (50512)) a échoué : pas de réponse en 300 ms`);
    assert.equal(
      run.caught.exception,
      `${CAUGHT}compteur 5 sur ${link} : lecture de 80 registres à 50512 (instantaneous (50512)) a échoué : exception Modbus 4 (défaillance de l'appareil) à 50512`,
    );
    assert.match(run.caught.unknownField, /^caught:compteur 5 sur .* : sélection de mesures invalide : champ inconnu « bogus » pour la table standard du DIRIS A-20; champs valides : hourMeter, /);
    assert.equal(run.caught.badFields, `${CAUGHT}compteur 5 sur ${link} : mesures : msg.fields doit être une liste de noms ou un texte séparé par des virgules, reçu 7`);
    const badSetting = 'l\'adresse "five" dans les réglages du nœud n\'est pas un entier 1..247';
    assert.deepEqual(run.deployLines.filter((line) => line.includes(':bad setting]')), [`[error] [socomec-read-measurements:bad setting] ${badSetting}`]);
    assert.equal(run.caught.badSetting, `${CAUGHT}${badSetting}`);
    assert.equal(run.caught.resetNotAllowed, `${CAUGHT}compteur 5 sur ${link} : remise à zéro refusée, rien envoyé : non autorisé par ce nœud : hourMeter (autorisés : maxCurrents)`);
    assert.equal(
      run.caught.restartNotAllowed,
      `${CAUGHT}compteur 5 sur ${link} : actions (57856) : « restart » n'est pas autorisé par ce nœud (cochez « Autoriser le redémarrage du compteur ») ; autorisés : maxCurrents ; rien envoyé`,
    );
    assert.equal(run.caught.mqttNoUnitId, `${CAUGHT}msg.unitId undefined n'est pas une adresse 1..247 : reliez un nœud de lecture Socomec à ce nœud`);
    assert.deepEqual(run.deployLines.filter((line) => line.includes(':bad names]')), ['[error] [socomec-mqtt:bad names] names : 300=x n\'est pas de la forme « <adresse 1..247>=<nom> » (dans les réglages du nœud), reçu "5=incomer, 300=x"']);
    assert.equal(
      run.caught.badConnection,
      `${CAUGHT}connexion « bad » : réglages de connexion invalides : port doit être un entier 1..65535 (dans les réglages du nœud), reçu 70000`,
    );
  });

  it('in English, as the library words it: the Catch node\'s msg.error.message and the log line are the message alone', async () => {
    const run = await runIn('en-US');
    const link = `tcp 127.0.0.1:${run.port}`;
    const silent = `meter 7 on ${link}: reading 80 registers at 50512 (instantaneous (50512)) failed: no answer within 300 ms`;
    assert.equal(run.caught.silent, `${CAUGHT}${silent}`);
    assert.equal(run.caught.exception, `${CAUGHT}meter 5 on ${link}: reading 80 registers at 50512 (instantaneous (50512)) failed: Modbus exception 4 (server device failure) at 50512`);
    assert.match(run.caught.unknownField, /^caught:meter 5 on .*: bad measurement selection: unknown field "bogus" for table standard of the DIRIS A-20; valid fields: hourMeter, /);
    assert.match(run.caught.badUnitId, /^caught:meter on tcp 127\.0\.0\.1:\d+: measurements: msg\.unitId must be an integer 1\.\.247, got 300$/);
    assert.deepEqual(run.errorLines, [`[error] [socomec-read-measurements:uncaught] ${silent}`]);
    const badSetting = 'unit id "five" in the node settings is not an integer 1..247';
    assert.deepEqual(run.deployLines.filter((line) => line.includes(':bad setting]')), [`[error] [socomec-read-measurements:bad setting] ${badSetting}`]);
    assert.equal(run.caught.badSetting, `${CAUGHT}${badSetting}`);
    assert.equal(
      run.caught.restartNotAllowed,
      `${CAUGHT}meter 5 on ${link}: actions (57856): "restart" is not allowed by this node (tick "Allow restart of the meter"); allowed: maxCurrents; nothing sent`,
    );
    assert.equal(run.caught.mqttNoUnitId, `${CAUGHT}msg.unitId undefined is not a unit id 1..247: wire a Socomec read node into this node`);
    assert.deepEqual(run.deployLines.filter((line) => line.includes(':bad names]')), ['[error] [socomec-mqtt:bad names] names: 300=x is not "<unit id 1..247>=<name>" (in the node settings), got "5=incomer, 300=x"']);
  });
});
