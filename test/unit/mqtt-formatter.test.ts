import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEASUREMENT_GROUPS, MEASUREMENT_TABLES, measurementFieldList } from '../../src/device';
import {
  MqttFormatError,
  MqttFormatter,
  RESERVED_LEVELS,
  parseNames,
  sensorClasses,
  topicLevel,
  type FormatterOptions,
  type MqttMessage,
} from '../../src/mqtt';

const ORIGIN = { name: '@diris-tools/node-red-socomec', sw_version: 'test' };
const LINK = 'tcp 127.0.0.1:502';
const IDENTITY = { serialNumber: '1A2B3C4D-17', model: 'DIRIS A20', softwareVersion: '1.01', hardwareVersion: '1.2.3.4' };
const READING = {
  payload: { V1: 230.12, I1: 12.345, P: 8210, Q: -120, S: 8300, PF: 0.953, F: 50.01, EaPos: 12345, ErPos: 10, Es: 20, hourMeter: 42.5, thdI1: 3.1, pfType: 'lagging' },
  units: { V1: 'V', I1: 'A', P: 'W', Q: 'var', S: 'VA', PF: '', F: 'Hz', EaPos: 'kWh', ErPos: 'kvarh', Es: 'kVAh', hourMeter: 'h', thdI1: '%', pfType: '' },
  timestamp: 1_000,
};

function formatter(options: Partial<FormatterOptions> = {}): MqttFormatter {
  return new MqttFormatter({ site: 'plant1', origin: ORIGIN, ...options });
}

function byTopic(messages: MqttMessage[]): Map<string, MqttMessage> {
  return new Map(messages.map((m) => [m.topic, m]));
}

describe('socomec-mqtt formatting (topics, availability, discovery)', () => {
  it('publishes a named meter as <prefix>/<site>/<meter>/<key>, a JSON state and availability online first', () => {
    const f = formatter({ names: { 5: 'incomer' } });
    const { messages } = f.reading({ unitId: 5, link: LINK }, READING, 0);
    assert.deepEqual(messages[0], { topic: 'socomec/plant1/incomer/availability', payload: 'online', retain: true, qos: 1 });
    const topics = byTopic(messages);
    assert.equal(topics.get('socomec/plant1/incomer/V1')?.payload, '230.12');
    assert.equal(topics.get('socomec/plant1/incomer/pfType')?.payload, 'lagging');
    assert.equal(topics.get('socomec/plant1/incomer/V1')?.retain, false);
    assert.deepEqual(JSON.parse(topics.get('socomec/plant1/incomer/state')?.payload ?? ''), { ...READING.payload, timestamp: 1_000 });
    // No discovery unless asked for.
    assert.ok(!messages.some((m) => m.topic.startsWith('homeassistant/')));
    // Availability once: the next reading only carries values.
    const next = f.reading({ unitId: 5, link: LINK }, READING, 1_000).messages;
    assert.ok(!next.some((m) => m.topic.endsWith('/availability')));
  });

  it('retains values and states when asked, with the chosen QoS, and can leave out either kind', () => {
    const f = formatter({ names: { 5: 'm' }, retainValues: true, qos: 0, state: false });
    const { messages } = f.reading({ unitId: 5 }, READING, 0);
    assert.ok(messages.every((m) => m.qos === 0 && m.retain));
    assert.ok(!messages.some((m) => m.topic.endsWith('/state')));
    const onlyState = formatter({ names: { 5: 'm' }, values: false }).reading({ unitId: 5 }, READING, 0).messages;
    assert.deepEqual(onlyState.map((m) => m.topic), ['socomec/plant1/m/availability', 'socomec/plant1/m/state']);
  });

  it('never names a meter by its bare unit id: without a name it waits for the identity, then uses the serial number', () => {
    const f = formatter();
    const waiting = f.reading({ unitId: 5, link: LINK }, READING, 0);
    assert.deepEqual(waiting.messages, []);
    assert.match(waiting.waiting ?? '', /unit 5 on tcp 127\.0\.0\.1:502 has no name yet/);
    const { messages } = f.identity({ unitId: 5, link: LINK }, IDENTITY, 500);
    const topics = byTopic(messages);
    assert.equal(topics.get('socomec/plant1/1A2B3C4D-17/availability')?.payload, 'online');
    assert.equal(topics.get('socomec/plant1/1A2B3C4D-17/V1')?.payload, '230.12');
  });

  it('keeps meters with the same unit id on two links apart, and refuses two meters with one name', () => {
    const f = formatter();
    f.identity({ unitId: 5, link: 'line A' }, IDENTITY, 0);
    f.identity({ unitId: 5, link: 'line B' }, { ...IDENTITY, serialNumber: 'FFFF0000-1' }, 0);
    const a = f.reading({ unitId: 5, link: 'line A' }, READING, 0).messages;
    const b = f.reading({ unitId: 5, link: 'line B' }, READING, 0).messages;
    assert.ok(a.every((m) => m.topic.startsWith('socomec/plant1/1A2B3C4D-17/')));
    assert.ok(b.every((m) => m.topic.startsWith('socomec/plant1/FFFF0000-1/')));
    const clash = formatter({ names: { 5: 'main' } });
    clash.reading({ unitId: 5, link: 'line A' }, READING, 0);
    assert.throws(() => clash.reading({ unitId: 5, link: 'line B' }, READING, 0), /meter id "main" of unit 5 on line B is already used by unit 5 on line A/);
  });

  it('a failed read publishes offline once and no value; the next reading brings it back online', () => {
    const f = formatter({ names: { 5: 'm' } });
    f.reading({ unitId: 5, link: LINK }, READING, 0);
    const failed = f.failure({ unitId: 5, link: LINK }).messages;
    assert.deepEqual(failed, [{ topic: 'socomec/plant1/m/availability', payload: 'offline', retain: true, qos: 1 }]);
    assert.deepEqual(f.failure({ unitId: 5, link: LINK }).messages, [], 'offline is said once');
    // A Catch node's msg has no link: it matches the meter by unit id.
    f.reading({ unitId: 5, link: LINK }, READING, 1_000);
    assert.equal(f.failure({ unitId: 5 }).messages[0]?.payload, 'offline');
    const back = f.reading({ unitId: 5, link: LINK }, READING, 2_000).messages;
    assert.equal(back[0]?.payload, 'online');
  });

  it('skips values that are missing or not numbers rather than publishing a stand-in', () => {
    const f = formatter({ names: { 5: 'm' } });
    const { messages } = f.reading({ unitId: 5 }, { payload: { EaPos: null, P: Number.NaN, V1: 230 }, units: {}, timestamp: 0 }, 0);
    const topics = byTopic(messages);
    assert.ok(!topics.has('socomec/plant1/m/EaPos') && !topics.has('socomec/plant1/m/P'));
    assert.deepEqual(JSON.parse(topics.get('socomec/plant1/m/state')?.payload ?? ''), { V1: 230, timestamp: 0 });
  });

  it('the watchdog marks a meter offline after 3 of its own poll intervals without a reading (injected clock)', () => {
    const f = formatter({ names: { 5: 'm' } });
    f.reading({ unitId: 5 }, READING, 10_000);
    f.reading({ unitId: 5 }, READING, 12_000); // 2 s polls -> offline after 6 s
    assert.deepEqual(f.check(18_000).messages, []);
    assert.deepEqual(f.check(18_001).messages.map((m) => m.payload), ['offline']);
    assert.deepEqual(f.check(30_000).messages, [], 'once');
    assert.equal(f.reading({ unitId: 5 }, READING, 31_000).messages[0]?.payload, 'online');
  });

  it('a meter that stops after its first reading goes offline too: on the other meters\' interval, else a minute\'s', () => {
    const alone = formatter({ names: { 5: 'm' } });
    alone.reading({ unitId: 5 }, READING, 0);
    assert.deepEqual(alone.check(3 * 60_000).messages, []);
    assert.deepEqual(alone.check(3 * 60_000 + 1).messages.map((m) => m.payload), ['offline']);
    const withPeer = formatter({ names: { 5: 'm', 6: 'n' } });
    withPeer.reading({ unitId: 6 }, READING, 0);
    withPeer.reading({ unitId: 6 }, READING, 1_000);
    withPeer.reading({ unitId: 5 }, READING, 1_000);
    assert.deepEqual(withPeer.check(4_001).messages.map((m) => m.topic).sort(), ['socomec/plant1/m/availability', 'socomec/plant1/n/availability']);
  });

  it('the watchdog uses a configured limit when given one', () => {
    const f = formatter({ names: { 5: 'm' }, staleSeconds: 5 });
    f.reading({ unitId: 5 }, READING, 0);
    assert.deepEqual(f.check(5_000).messages, []);
    assert.deepEqual(f.check(5_001).messages.map((m) => `${m.topic}=${m.payload}`), ['socomec/plant1/m/availability=offline']);
  });

  it('drops a waiting reading that went stale before the identity came', () => {
    const f = formatter({ staleSeconds: 2 });
    f.reading({ unitId: 5 }, READING, 0);
    const { messages } = f.identity({ unitId: 5 }, IDENTITY, 10_000);
    assert.ok(!messages.some((m) => m.topic.endsWith('/V1')));
  });

  describe('Home Assistant discovery', () => {
    const ha = (): { f: MqttFormatter; messages: MqttMessage[] } => {
      const f = formatter({ discovery: true, instanceStatusTopic: 'socomec/plant1/status', names: { 5: 'incomer' } });
      f.identity({ unitId: 5, link: LINK }, IDENTITY, 0);
      return { f, messages: f.reading({ unitId: 5, link: LINK }, READING, 0).messages };
    };

    it('one retained config per value, under one device per meter, with unit, classes and availability', () => {
      const { messages } = ha();
      const configs = messages.filter((m) => m.topic.startsWith('homeassistant/'));
      assert.equal(configs.length, Object.keys(READING.payload).length);
      const seen = new Set<string>();
      for (const m of configs) {
        assert.ok(m.retain);
        assert.match(m.topic, /^homeassistant\/sensor\/socomec_1A2B3C4D-17\/[A-Za-z0-9_-]+\/config$/);
        const config = JSON.parse(m.payload) as Record<string, unknown>;
        assert.ok(!seen.has(config.unique_id as string), 'unique ids are unique');
        seen.add(config.unique_id as string);
        assert.equal(config.state_topic, 'socomec/plant1/incomer/state');
        assert.deepEqual(config.availability, [{ topic: 'socomec/plant1/incomer/availability' }, { topic: 'socomec/plant1/status' }]);
        assert.equal(config.availability_mode, 'all');
        assert.deepEqual(config.device, {
          identifiers: ['socomec_1A2B3C4D-17'],
          manufacturer: 'Socomec',
          model: 'DIRIS A20',
          name: 'incomer',
          serial_number: '1A2B3C4D-17',
          sw_version: '1.01',
          hw_version: '1.2.3.4',
        });
      }
      const config = (key: string): Record<string, unknown> =>
        JSON.parse(configs.find((m) => m.topic === `homeassistant/sensor/socomec_1A2B3C4D-17/${key}/config`)?.payload ?? '{}');
      const expected: Record<string, [string | undefined, string | undefined, string | undefined]> = {
        V1: ['voltage', 'measurement', 'V'],
        I1: ['current', 'measurement', 'A'],
        P: ['power', 'measurement', 'W'],
        Q: ['reactive_power', 'measurement', 'var'],
        S: ['apparent_power', 'measurement', 'VA'],
        PF: ['power_factor', 'measurement', undefined],
        F: ['frequency', 'measurement', 'Hz'],
        EaPos: ['energy', 'total_increasing', 'kWh'],
        ErPos: [undefined, 'total_increasing', 'kvarh'],
        Es: [undefined, 'total_increasing', 'kVAh'],
        hourMeter: ['duration', 'total_increasing', 'h'],
        thdI1: [undefined, 'measurement', '%'],
        pfType: [undefined, undefined, undefined],
      };
      for (const [key, [deviceClass, stateClass, unit]] of Object.entries(expected)) {
        const c = config(key);
        assert.equal(c.device_class, deviceClass, `${key} device_class`);
        assert.equal(c.state_class, stateClass, `${key} state_class`);
        assert.equal(c.unit_of_measurement, unit, `${key} unit`);
        assert.equal(c.value_template, `{{ value_json['${key}'] }}`);
        assert.equal(c.unique_id, `socomec_1A2B3C4D-17_${key}`);
      }
    });

    it('publishes each config once, all of them again on Home Assistant\'s birth message', () => {
      const { f } = ha();
      const again = f.reading({ unitId: 5, link: LINK }, READING, 1_000).messages;
      assert.ok(!again.some((m) => m.topic.startsWith('homeassistant/')));
      const birth = f.announceAll().messages;
      assert.equal(birth.filter((m) => m.topic.startsWith('homeassistant/')).length, Object.keys(READING.payload).length);
      assert.ok(birth.some((m) => m.topic === 'socomec/plant1/incomer/availability' && m.payload === 'online'));
      assert.equal(f.homeAssistantStatusTopic, 'homeassistant/status');
    });

    it('points each sensor at its own value topic when there is no JSON state', () => {
      const f = formatter({ discovery: true, state: false, names: { 5: 'x' } });
      f.identity({ unitId: 5 }, IDENTITY, 0);
      const config = JSON.parse(f.reading({ unitId: 5 }, READING, 0).messages.find((m) => m.topic.endsWith('/V1/config'))?.payload ?? '{}');
      assert.equal(config.state_topic, 'socomec/plant1/x/V1');
      assert.equal(config.value_template, undefined);
    });

    it('clearing a meter empties its retained configs, availability and values, and forgets it', () => {
      const { f } = ha();
      const cleared = f.clear({ id: 'incomer' }).messages;
      assert.ok(cleared.every((m) => m.payload === '' && m.retain));
      assert.equal(cleared.filter((m) => m.topic.startsWith('homeassistant/')).length, Object.keys(READING.payload).length);
      assert.ok(cleared.some((m) => m.topic === 'socomec/plant1/incomer/availability'));
      assert.deepEqual(f.meterStates(), []);
      assert.throws(() => f.clear({ id: 'incomer' }), /no meter "incomer" to clear; known: none/);
    });
  });

  it('sensor classes: numbers by unit, text without any', () => {
    assert.deepEqual(sensorClasses('MWh', 1), { device_class: 'energy', state_class: 'total_increasing' });
    assert.deepEqual(sensorClasses('V', 'n/a'), {});
  });

  it('no measurement key of any table collides with the state or availability topic, and every key is a topic level as is', () => {
    for (const table of MEASUREMENT_TABLES) {
      for (const field of measurementFieldList(table, MEASUREMENT_GROUPS)) {
        assert.ok(!RESERVED_LEVELS.includes(field.key), `${table} ${field.key}`);
        assert.equal(topicLevel(field.key), field.key);
        // Discovery takes a number without a unit for a power factor: true of every table.
        if (field.unit === '') assert.match(field.label, /power factor/i, `${table} ${field.key} has no unit`);
      }
    }
  });

  it('topic levels from names: no +, # or / survive', () => {
    assert.equal(topicLevel(' Main incomer #2 / east+ '), 'Main_incomer_2_east');
    assert.equal(topicLevel('++'), undefined);
  });

  it('refuses bad settings with one error naming each problem', () => {
    assert.throws(
      () => formatter({ site: ' ', values: false, state: false, qos: 3 as never, names: { 5: '##' } }),
      (err: unknown) =>
        err instanceof MqttFormatError &&
        /site " " has no letter or digit/.test(err.message) &&
        /choose plain values, the JSON state or both/.test(err.message) &&
        /QoS 3 is not 0, 1 or 2/.test(err.message) &&
        /the name of unit 5 \("##"\) has no letter or digit/.test(err.message),
    );
    assert.deepEqual(parseNames('5=incomer, 6 : pv\n7=roof'), { 5: 'incomer', 6: 'pv', 7: 'roof' });
    assert.throws(() => parseNames('5=a, 300=b, x'), /meter names "300=b", "x" are not "<unit id 1..247>=<name>"/);
  });
});

describe('socomec-mqtt locales', () => {
  const root = join(__dirname, '..', '..', '..');
  const keys = (value: unknown, prefix = ''): string[] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => keys(v, prefix === '' ? k : `${prefix}.${k}`))
      : [prefix];
  const messages = (lang: string): unknown => JSON.parse(readFileSync(join(root, 'nodes', 'locales', lang, 'socomec-mqtt.json'), 'utf8'));

  it('German has every English text, and every text the node and its editor use exists', () => {
    const english = keys(messages('en-US')).sort();
    assert.deepEqual(keys(messages('de')).sort(), english);
    const used = [
      ...readFileSync(join(root, 'src', 'nodes', 'socomec-mqtt.ts'), 'utf8').matchAll(/RED\._\('(socomec-mqtt\.[\w.]+)'/g),
      ...readFileSync(join(root, 'nodes', 'socomec-mqtt.html'), 'utf8').matchAll(/(?:data-i18n="(?:\[\w+\])?|this\._\(')(socomec-mqtt\.[\w.]+)/g),
    ].map((m) => m[1]);
    assert.ok(used.length > 10);
    for (const key of used) assert.ok(english.includes(key), key);
    for (const lang of ['en-US', 'de']) {
      assert.match(readFileSync(join(root, 'nodes', 'locales', lang, 'socomec-mqtt.html'), 'utf8'), /data-help-name="socomec-mqtt"/);
    }
  });
});
