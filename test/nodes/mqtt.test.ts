import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mosquitto, Recorder, type Received } from '../helpers/mosquitto';
import { KEYS, MQTT_FLOW_NODES as NODES, UNITS, pipeline } from '../helpers/mqtt-flow';
import {
  CONNECTION_ID,
  FLOW_ID,
  at,
  connectionConfig,
  flowTab,
  helper,
  helperNode,
  inject,
  nextError,
  nextMessage,
  startTestSimulator,
  type FlowNode,
  type TestSimulator,
} from '../helpers/node-red';

const isConfig = (m: Received): boolean => m.topic.startsWith('homeassistant/sensor/') && m.topic.endsWith('/config');
const json = (m: Received | undefined): Record<string, unknown> => JSON.parse(m?.payload ?? 'null') as Record<string, unknown>;

describe('socomec-mqtt in the Node-RED runtime, through core mqtt out, into mosquitto', function () {
  this.timeout(30_000);
  let sim: TestSimulator | undefined;
  let broker: Mosquitto | undefined;
  let recorder: Recorder | undefined;

  beforeEach(async () => {
    broker = await Mosquitto.start();
    recorder = await Recorder.connect(broker.port, ['#']);
  });

  afterEach(async () => {
    await helper.unload();
    helper.settings({ mqttReconnectTime: undefined });
    await recorder?.close();
    await sim?.close();
    await broker?.dispose();
    sim = undefined;
    recorder = undefined;
    broker = undefined;
  });

  it('publishes a valid discovery config per value of each meter, the states and the availability', async () => {
    sim = await startTestSimulator();
    const rec = recorder as Recorder;
    await helper.load(NODES, pipeline(sim, (broker as Mosquitto).port, { site: 'test' }));

    const configs = await rec.waitUntil((all) => {
      const latest = new Map(all.filter(isConfig).map((m) => [m.topic, m]));
      return latest.size >= 2 * KEYS.length ? [...latest.values()] : undefined;
    }, `${2 * KEYS.length} discovery configs`);
    assert.equal(configs.length, 2 * KEYS.length);
    // Retained: a subscriber that comes later (Home Assistant starting) gets every config and availability.
    const late = await Recorder.connect((broker as Mosquitto).port, ['homeassistant/#', 'socomec/+/+/availability']);
    try {
      const retained = await late.waitUntil((all) => (all.length >= 2 * KEYS.length + 2 ? all : undefined), 'the retained configs and availability');
      assert.ok(retained.every((m) => m.retain));
      assert.deepEqual(new Set(retained.filter(isConfig).map((m) => m.topic)), new Set(configs.map((m) => m.topic)));
    } finally {
      await late.close();
    }
    const uniqueIds = new Set<string>();
    const devices = new Map<string, Record<string, unknown>>();
    for (const m of configs) {
      const config = json(m);
      const key = config.name as string;
      assert.ok(KEYS.includes(key), `${key} is a measurement key`);
      uniqueIds.add(config.unique_id as string);
      const device = config.device as Record<string, unknown>;
      assert.equal(device.manufacturer, 'Socomec');
      assert.match(String(device.model), /DIRIS/);
      assert.match(String(device.serial_number), /^[0-9A-F]{8}-\d+$/);
      assert.match(String(device.sw_version), /^\d+\.\d\d$/);
      assert.deepEqual(device.identifiers, [`socomec_${String(device.serial_number)}`]);
      assert.equal(config.unique_id, `socomec_${String(device.serial_number)}_${key}`);
      const meterBase = `socomec/test/${String(device.serial_number)}`;
      assert.equal(config.state_topic, `${meterBase}/state`);
      assert.deepEqual(config.availability, [{ topic: `${meterBase}/availability` }, { topic: 'socomec/test/status' }]);
      const unit = UNITS.get(key) ?? '';
      assert.equal(config.unit_of_measurement, unit === '' ? undefined : unit, `${key} unit`);
      if (unit === 'kWh') assert.deepEqual([config.device_class, config.state_class], ['energy', 'total_increasing']);
      if (unit === 'V') assert.deepEqual([config.device_class, config.state_class], ['voltage', 'measurement']);
      if (unit === 'h') assert.deepEqual([config.device_class, config.state_class], ['duration', 'total_increasing']);
      devices.set(String(device.serial_number), device);
    }
    assert.equal(uniqueIds.size, 2 * KEYS.length, 'every unique id is unique');
    assert.equal(devices.size, 2, 'one device per meter');

    for (const serial of devices.keys()) {
      const base = `socomec/test/${serial}`;
      const state = await rec.waitFor((m) => m.topic === `${base}/state`, `${base}/state`);
      assert.deepEqual(Object.keys(json(state)).sort(), [...KEYS, 'timestamp'].sort());
      const v1 = await rec.waitFor((m) => m.topic === `${base}/V1`, `${base}/V1`);
      assert.ok(Number(v1.payload) > 200 && Number(v1.payload) < 260, `V1 ${v1.payload}`);
      const availability = await rec.waitFor((m) => m.topic === `${base}/availability`, `${base}/availability`);
      assert.equal(availability.payload, 'online');
    }
    // The broker node's own birth message: the instance's availability, apart from the meters'.
    const birth = await rec.waitFor((m) => m.topic === 'socomec/test/status', 'the birth message');
    assert.equal(birth.payload, 'online');
  });

  it('goes offline when the simulator stops and online when it returns, with no value published in between', async () => {
    sim = await startTestSimulator();
    const port = sim.port;
    const rec = recorder as Recorder;
    await helper.load(NODES, pipeline(sim, (broker as Mosquitto).port, { site: 'test' }));
    const serials = await rec.waitUntil((all) => {
      const online = [...new Set(all.filter((m) => m.topic.endsWith('/availability') && m.payload === 'online').map((m) => m.topic.split('/')[2]))];
      const withState = online.filter((s) => all.some((m) => m.topic === `socomec/test/${s}/state`));
      return withState.length === 2 ? withState : undefined;
    }, 'both meters online with a state');

    await sim.close();
    const offlineAt = await rec.waitUntil((all) => {
      const seqs = serials.map((s) => all.find((m) => m.topic === `socomec/test/${s}/availability` && m.payload === 'offline')?.seq);
      return seqs.every((q) => q !== undefined) ? Math.min(...(seqs as number[])) : undefined;
    }, 'both meters offline');

    sim = await startTestSimulator({ port });
    const onlineAt = await rec.waitUntil((all) => {
      const seqs = serials.map((s) => all.slice(offlineAt).find((m) => m.topic === `socomec/test/${s}/availability` && m.payload === 'online')?.seq);
      return seqs.every((q) => q !== undefined) ? Math.min(...(seqs as number[])) : undefined;
    }, 'both meters online again', 15_000);

    const between = rec.messages.slice(offlineAt, onlineAt).filter((m) => m.topic.startsWith('socomec/test/') && !m.topic.endsWith('/availability'));
    assert.deepEqual(between.map((m) => `${m.topic}=${m.payload}`), [], 'no value while the meters were down');
    // And values flow again afterwards.
    await rec.waitFor((m) => m.topic === `socomec/test/${serials[0]}/state`, 'a state after the return', 10_000, onlineAt);
  });

  describe('the example flows import and run against the simulator and mosquitto', () => {
    function example(name: string, simPort: number, brokerPort: number): FlowNode[] {
      const nodes = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', name), 'utf8')) as FlowNode[];
      return [
        flowTab(),
        ...nodes.map((n) => {
          const placed = { ...n, z: FLOW_ID };
          if (n.type === 'socomec-connection') return { ...placed, port: simPort };
          if (n.type === 'mqtt-broker') return { ...placed, port: brokerPort };
          return placed;
        }),
      ];
    }

    it('plain topics: named meters, plain values, JSON state, availability', async () => {
      sim = await startTestSimulator();
      const rec = recorder as Recorder;
      await helper.load(NODES, example('mqtt-topics.json', sim.port, (broker as Mosquitto).port));
      for (const meter of ['incomer', 'feeder']) {
        const v1 = await rec.waitFor((m) => m.topic === `socomec/site1/${meter}/V1`, `${meter} V1`);
        assert.ok(Number.isFinite(Number(v1.payload)));
        const state = await rec.waitFor((m) => m.topic === `socomec/site1/${meter}/state`, `${meter} state`);
        assert.equal(typeof json(state).EaPos, 'number');
        assert.equal((await rec.waitFor((m) => m.topic === `socomec/site1/${meter}/availability`, `${meter} availability`)).payload, 'online');
      }
      assert.ok(!rec.messages.some((m) => m.topic.startsWith('homeassistant/')), 'no discovery in the plain example');
    });

    it('Home Assistant: configs for both meters, again on Home Assistant\'s birth message, cleared for a forgotten meter', async () => {
      sim = await startTestSimulator();
      const rec = recorder as Recorder;
      await helper.load(NODES, example('mqtt-home-assistant.json', sim.port, (broker as Mosquitto).port));
      const configTopics = await rec.waitUntil((all) => {
        const topics = new Set(all.filter(isConfig).map((m) => m.topic));
        return topics.size >= 2 * KEYS.length ? topics : undefined;
      }, 'both meters\' configs');
      await rec.waitFor((m) => m.topic.endsWith('/state'), 'a state');

      const mark = rec.messages.length;
      await rec.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
      await rec.waitUntil((all) => (new Set(all.slice(mark).filter(isConfig).map((m) => m.topic)).size === configTopics.size ? true : undefined), 'configs again after the birth message');

      // "forget meter 6": empty retained configs; Home Assistant removes its entities.
      const beforeClear = rec.messages.length;
      const forget = (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'mqtt-home-assistant.json'), 'utf8')) as FlowNode[]).find(
        (n) => n.type === 'inject' && n.name === 'forget meter 6',
      ) as FlowNode;
      inject(forget.id);
      const cleared = await rec.waitUntil((all) => {
        const empty = all.slice(beforeClear).filter((m) => isConfig(m) && m.payload === '');
        return empty.length === KEYS.length ? empty : undefined;
      }, 'meter 6\'s configs cleared');
      const device = new Set(cleared.map((m) => m.topic.split('/')[2]));
      assert.equal(device.size, 1, 'all of one meter');
    });
  });

  it('after the site broker restarts (its retained messages gone), the availability is published again', async () => {
    // Node-RED's broker node retries every mqttReconnectTime ms (5 s by default).
    helper.settings({ mqttReconnectTime: 200 });
    sim = await startTestSimulator();
    const site = broker as Mosquitto;
    await helper.load(NODES, pipeline(sim, site.port, { site: 'rs', names: '5=five, 6=six', discovery: false, pollSeconds: 60 }));
    const rec = recorder as Recorder;
    for (const meter of ['five', 'six']) await rec.waitFor((m) => m.topic === `socomec/rs/${meter}/availability` && m.payload === 'online', `${meter} online`);
    await rec.close();
    recorder = undefined;
    await site.stop();
    await site.run();
    // Only a republish can put the retained availability back: the meters did not change state (and poll once a minute).
    const late = await Recorder.connect(site.port, ['socomec/+/+/availability']);
    recorder = late;
    for (const meter of ['five', 'six']) {
      const m = await late.waitFor((r) => r.topic === `socomec/rs/${meter}/availability`, `${meter}'s availability after the restart`, 10_000);
      assert.equal(m.payload, 'online');
    }
  });

  it('the watchdog marks a meter offline when its readings stop, even without failure messages, and the other stays online', async () => {
    sim = await startTestSimulator();
    const rec = recorder as Recorder;
    await helper.load(NODES, pipeline(sim, (broker as Mosquitto).port, { site: 'wd', sendFailures: false, staleSeconds: 1, names: '5=five, 6=six', discovery: false }));
    await rec.waitFor((m) => m.topic === 'socomec/wd/five/state', 'meter five\'s state');
    const silencedAt = rec.messages.length;
    sim.server.faults.silentUnits.add(5);
    await rec.waitFor((m) => m.topic === 'socomec/wd/five/availability' && m.payload === 'offline', 'meter five offline', 10_000, silencedAt);
    const sixState = await rec.waitFor((m) => m.topic === 'socomec/wd/six/state', 'meter six still publishing', 10_000, rec.messages.length);
    assert.ok(!rec.since(silencedAt).some((m) => m.topic === 'socomec/wd/six/availability' && m.payload === 'offline'), 'six stays online');
    assert.ok(sixState.seq > silencedAt);
    sim.server.faults.silentUnits.delete(5);
    await rec.waitFor((m) => m.topic === 'socomec/wd/five/availability' && m.payload === 'online', 'meter five online again', 10_000, silencedAt);
  });
});

describe('socomec-mqtt and read-measurements\' Failures option, on their own', function () {
  this.timeout(15_000);
  let sim: TestSimulator | undefined;

  afterEach(async () => {
    await helper.unload();
    await sim?.close();
    sim = undefined;
  });

  it('read-measurements with Failures sends a failed read on as msg.error without a payload', async () => {
    sim = await startTestSimulator();
    sim.server.faults.silentUnits.add(5);
    await helper.load(NODES, [
      flowTab(),
      connectionConfig(sim),
      { id: 'read', type: 'socomec-read-measurements', z: FLOW_ID, connection: CONNECTION_ID, unitId: 5, pollSeconds: 0, outputMode: 'single', sendFailures: true, wires: [['out']], ...at() },
      helperNode('out'),
    ]);
    const failed = nextMessage('out');
    const reported = nextError('read');
    inject('read', { payload: 'go', topic: 'meter/5' });
    const msg = await failed;
    assert.equal(msg.payload, undefined, 'no payload: never a 0 in place of a value');
    assert.equal(msg.unitId, 5);
    assert.equal(msg.topic, 'meter/5');
    const error = msg.error as { message: string; kind: string };
    assert.match(error.message, /meter 5 on tcp 127\.0\.0\.1:\d+/);
    assert.equal(error.kind, 'timeout');
    assert.match(String((msg.diagnostics as { link: string }).link), /^tcp 127\.0\.0\.1:/);
    // The error still reaches Catch nodes as before.
    assert.match((await reported).message, /meter 5/);
  });

  it('a bad msg fails with an error naming what is wrong, and publishes nothing', async () => {
    await helper.load(NODES, [
      flowTab(),
      { id: 'fmt', type: 'socomec-mqtt', z: FLOW_ID, prefix: 'socomec', site: 's', names: '5=five', values: true, state: false, qos: 1, wires: [['out']], ...at() },
      helperNode('out'),
    ]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ unitId: 5, payload: 'x' }, /msg\.payload must be the object of values of read-measurements or the identity of read-identity, got string/],
      [{ unitId: 'abc', payload: { V1: 1 } }, /msg\.unitId "abc" is not a unit id 1\.\.247/],
      [{ unitId: 5, key: 'V1', payload: 230 }, /one value per msg \(msg\.key\) is not supported/],
      [{ action: 'clear', meter: 'nobody' }, /no meter "nobody" to clear; known: none/],
    ];
    const received: unknown[] = [];
    helper.getNode('out')?.on('input', (msg) => received.push(msg));
    for (const [msg, expected] of cases) {
      const error = nextError('fmt');
      inject('fmt', msg);
      const reported = await error;
      assert.match(reported.message, expected);
      // What a Catch node and the log show is String(err): the message alone, no class name first.
      assert.equal(String(reported.error), reported.message);
    }
    assert.deepEqual(received, []);
    // A good msg afterwards goes through: the node was not left in a bad state.
    const out = nextMessage('out');
    inject('fmt', { unitId: 5, payload: { V1: 230.5 }, units: { V1: 'V' } });
    assert.deepEqual(await out, { topic: 'socomec/s/five/availability', payload: 'online', retain: true, qos: 1, _msgid: (await out)._msgid });
  });

  it('bad settings fail every msg with one error naming each problem, checked by the settings schema as in the editor', async () => {
    await helper.load(NODES, [
      flowTab(),
      { id: 'bad', type: 'socomec-mqtt', z: FLOW_ID, prefix: 'socomec', site: '##', qos: 5, staleSeconds: -1, wires: [['out']], ...at() },
      { id: 'neither', type: 'socomec-mqtt', z: FLOW_ID, site: 's', values: false, state: false, wires: [['out']], ...at() },
      { id: 'badNames', type: 'socomec-mqtt', z: FLOW_ID, site: 's', names: '5=a, 900=b', wires: [['out']], ...at() },
      helperNode('out'),
    ]);
    // The same red "bad settings" as every other node of the package, and the reason in the log once.
    const bad = helper.getNode('bad') as unknown as { status: { args: unknown[][] }; error: { args: unknown[][] } };
    assert.deepEqual(bad.status.args[0][0], { fill: 'red', shape: 'ring', text: 'bad settings' });
    assert.match(String(bad.error.args[0][0]), /site is not in the expected form/);
    const error = nextError('bad');
    inject('bad', { unitId: 5, payload: { V1: 1 } });
    const { message } = await error;
    assert.equal(message, String(bad.error.args[0][0]), 'every msg fails with the reason the log names');
    assert.match(message, /site is not in the expected form \(in the node settings\), got "##"/);
    assert.match(message, /qos must be one of 0, 1, 2 \(in the node settings\), got 5/);
    assert.match(message, /staleSeconds must be a number 0\.\.86400 \(in the node settings\), got -1/);
    const neitherError = nextError('neither');
    inject('neither', { unitId: 5, payload: { V1: 1 } });
    assert.match((await neitherError).message, /choose plain values, the JSON state or both/);
    const namesError = nextError('badNames');
    inject('badNames', { unitId: 5, payload: { V1: 1 } });
    assert.match((await namesError).message, /names: 900=b is not "<unit id 1\.\.247>=<name>" \(in the node settings\), got "5=a, 900=b"/);
  });

  it('a config saved by a newer package is refused, as every other node of the package does', async () => {
    await helper.load(NODES, [flowTab(), { id: 'newer', type: 'socomec-mqtt', z: FLOW_ID, site: 's', configVersion: 99, wires: [['out']], ...at() }, helperNode('out')]);
    const error = nextError('newer');
    inject('newer', { unitId: 5, payload: { V1: 1 } });
    assert.match((await error).message, /saved by a newer version of this package \(configVersion 99/);
  });
});
