import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import alarmStatus from '../../src/nodes/socomec-alarm-status';
import writeSettings from '../../src/nodes/socomec-write-settings';
import { decodeField } from '../../src/codec';
import { getField } from '../../src/registers';
import type { DirisMeter } from '../../src/simulator';
import {
  CONNECTION_ID,
  FLOW_ID,
  at,
  catchAll,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  nextMessage,
  nextMessages,
  nextStatus,
  openResources,
  resourcesBackTo,
  startTestSimulator,
  type FlowNode,
  type NodeInitializer,
  type TestNode,
  type TestSimulator,
  within,
  exampleFlow,
  injectNode,
} from '../helpers/node-red';

const alarmNode = alarmStatus as unknown as NodeInitializer;
const NODES = [connectionNode, alarmNode];

/** 50 A upper and 20 A lower threshold (raw mA, as the meter compares currents). */
const UPPER_MA = 50000;
const LOWER_MA = 20000;

function alarmNodeDef(overrides: Record<string, unknown> = {}, id = 'alarm'): FlowNode {
  return {
    id,
    type: 'socomec-alarm-status',
    z: FLOW_ID,
    name: '',
    connection: CONNECTION_ID,
    unitId: 5,
    topic: '',
    pollSeconds: 0,
    legacy: false,
    io: false,
    onlyOnChange: false,
    wires: [['out']],
    ...at(),
    ...overrides,
  };
}

/** A complete node that reports when the alarm node called done() for a message. */
function completion(): FlowNode[] {
  return [{ id: 'completed', type: 'complete', z: FLOW_ID, scope: ['alarm'], uncaught: false, wires: [['handled']], ...at() }, helperNode('handled')];
}

function flow(sim: { port: number }, ...nodes: FlowNode[]): FlowNode[] {
  return [flowTab(), connectionConfig(sim), ...nodes, helperNode('out'), ...catchAll()];
}

/** The meter's alarm settings, written as an installer would: current alarm, 1 s delay, 2 % hysteresis. */
function armCurrentAlarm(meter: DirisMeter, thresholds: { upper?: number; lower?: number } = {}): void {
  const address = (key: string): number => getField('applicationSettings', key).address;
  meter.writeRegisters(address('alarmType'), [1, 1, thresholds.upper ?? UPPER_MA, thresholds.lower ?? 0], 16);
}

/** What the meter's alarm block shows, decoded from its own registers. */
function meterAlarm(meter: DirisMeter, blockId = 'alarms'): Record<string, unknown> {
  const read = (key: string): unknown => {
    const field = getField(blockId, key);
    return decodeField(field, meter.peek(field.address, field.words));
  };
  return {
    lowerCause: read('lowerAlarmCause'),
    lowerValue: read('lowerAlarmValue'),
    upperCause: read('upperAlarmCause'),
    upperValue: read('upperAlarmValue'),
    duration: read('alarmDuration'),
  };
}

let handledCount = 0;
/** Send a msg and wait until the node has finished with it (done() called for this very msg). */
function handled(msg: NodeMessage = {}): Promise<void> {
  const ticket = `handled-${++handledCount}`;
  const completions = helper.getNode('handled') as TestNode;
  const finished = within<void>(5000, `done() for ${ticket}`, (resolve) => {
    const onInput = (completed: NodeMessage): void => {
      if (completed.ticket === ticket) resolve();
    };
    completions.on('input', onInput);
    return () => completions.removeListener('input', onInput as never);
  });
  inject('alarm', { ...msg, ticket });
  return finished;
}

describe('socomec-alarm-status in the Node-RED runtime', function () {
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('reports "no alarm" with the whole state, keeping the incoming msg', async function () {
    await helper.load(NODES, flow(sim, alarmNodeDef()));
    const green = nextStatus('alarm', (s) => s.text === 'no alarm');
    const output = nextMessage('out');
    const before = Date.now();
    inject('alarm', { payload: 'check', site: 'plant 2' });
    const msg = await output;
    assert.deepEqual(msg.payload, {
      lower: { active: false, cause: 'none', value: 0, unit: '' },
      upper: { active: false, cause: 'none', value: 0, unit: '' },
      duration: 0,
    });
    assert.equal(meterAlarm(sim.meters.get(5)!).upperCause, 'none');
    assert.equal(msg.site, 'plant 2');
    assert.equal(msg.unitId, 5);
    assert.equal(msg.topic, 'diris/5');
    assert.ok(typeof msg.timestamp === 'number' && msg.timestamp >= before && msg.timestamp <= Date.now());
    assert.deepEqual(await green, { fill: 'green', shape: 'dot', text: 'no alarm' });
  });

  it('reports an upper and a lower alarm with their cause by name, value in its unit and duration; red status', async function () {
    await helper.load(NODES, flow(sim, alarmNodeDef({ topic: 'plant/alarm' })));
    const meter = sim.meters.get(5)!;
    armCurrentAlarm(meter, { upper: UPPER_MA, lower: LOWER_MA });
    meter.override('I1', 62.5);
    meter.override('I2', 5);
    sim.clock.advance(5000);
    const red = nextStatus('alarm', (s) => s.fill === 'red');
    const output = nextMessage('out');
    inject('alarm', {});
    const msg = await output;

    const shown = meterAlarm(meter);
    assert.equal(shown.upperCause, 'I1');
    assert.ok(typeof shown.duration === 'number' && shown.duration >= 2, `the meter counts the alarm's duration (${String(shown.duration)} s)`);
    assert.deepEqual(msg.payload, {
      upper: { active: true, cause: 'I1', value: 62.5, unit: 'A' },
      lower: { active: true, cause: 'I2', value: 5, unit: 'A' },
      duration: shown.duration,
    });
    // The values the meter holds, in mA, are the payload's in A.
    assert.equal(shown.upperValue, 62500);
    assert.equal(shown.lowerValue, 5000);
    assert.deepEqual(msg.units, { lower: 'A', upper: 'A', duration: 's' });
    assert.equal(msg.topic, 'plant/alarm');
    assert.deepEqual(await red, { fill: 'red', shape: 'ring', text: 'I1 high 62.5 A, I2 low 5 A' });
  });

  it('with "only on change": a raise event, nothing while nothing changes, then a clear event', async function () {
    await helper.load(NODES, flow(sim, alarmNodeDef({ onlyOnChange: true }), ...completion()));
    const meter = sim.meters.get(5)!;
    const received: NodeMessage[] = [];
    const out = helper.getNode('out') as TestNode;
    out.on('input', (msg: NodeMessage) => received.push(msg));

    // First read: no alarm, nothing to say.
    await handled();
    assert.equal(received.length, 0);

    armCurrentAlarm(meter);
    meter.override('I1', 62.5);
    sim.clock.advance(4000);
    const red = nextStatus('alarm', (s) => s.fill === 'red');
    let output = nextMessage('out');
    inject('alarm', { tag: 'raise?' });
    let msg = await output;
    const raisedFor = meterAlarm(meter).duration as number;
    assert.equal(msg.event, 'raise');
    assert.deepEqual(msg.payload, { event: 'raise', side: 'upper', cause: 'I1', value: 62.5, unit: 'A', duration: raisedFor });
    assert.deepEqual(msg.units, { value: 'A', duration: 's' });
    assert.equal(msg.tag, 'raise?');
    assert.deepEqual(await red, { fill: 'red', shape: 'ring', text: 'I1 high 62.5 A' });

    // Still above the threshold, only longer: no message.
    sim.clock.advance(3000);
    await handled({ tag: 'unchanged' });
    const lastDuration = meterAlarm(meter).duration as number;
    assert.ok(lastDuration > raisedFor);

    meter.override('I1', 10);
    sim.clock.advance(1000);
    assert.equal(meterAlarm(meter).upperCause, 'none');
    const green = nextStatus('alarm', (s) => s.text === 'no alarm');
    output = nextMessage('out');
    inject('alarm', { tag: 'clear?' });
    msg = await output;
    // Messages arrive in order: had the unchanged read sent anything, it would be this one.
    assert.equal(msg.tag, 'clear?');
    assert.equal(msg.event, 'clear');
    assert.deepEqual(msg.payload, { event: 'clear', side: 'upper', cause: 'I1', value: 62.5, unit: 'A', duration: lastDuration });
    await green;
    assert.deepEqual(
      received.map((m) => m.event),
      ['raise', 'clear'],
    );
  });

  it('reports input and output states, and their changes as input / output events', async function () {
    await helper.load(
      NODES,
      flow(sim, alarmNodeDef({ io: true, wires: [['state']] }, 'full'), alarmNodeDef({ io: true, onlyOnChange: true }), helperNode('state'), ...completion()),
    );
    const meter = sim.meters.get(5)!;
    meter.setInputs([true, false, true]);
    meter.setOutputs([true]);
    const output = nextMessage('state');
    inject('full', {});
    const payload = (await output).payload as { inputs: Record<string, boolean>; outputs: Record<string, boolean> };
    assert.deepEqual(payload.inputs, { input1: true, input2: false, input3: true });
    assert.deepEqual(payload.outputs, { output1: true });
    // The meter's own registers say the same.
    const inputBlock = ['input1', 'input2', 'input3'].map((key) => decodeField(getField('inputs', key), meter.peek(getField('inputs', key).address, 1)));
    assert.deepEqual(inputBlock, [true, false, true]);
    const outputStates = getField('inputsOutputs', 'outputStates');
    assert.equal((decodeField(outputStates, meter.peek(outputStates.address, 1)) as Record<string, boolean>).output1, true);

    // The change-only node: the first read is the baseline, then each change is an event.
    await handled();
    meter.setInputs([true, true, true]);
    meter.setOutputs([false]);
    const events = nextMessages('out', 2);
    inject('alarm', {});
    const [inputEvent, outputEvent] = await events;
    assert.equal(inputEvent.event, 'input');
    assert.deepEqual(inputEvent.payload, { input2: true });
    assert.equal(outputEvent.event, 'output');
    assert.deepEqual(outputEvent.payload, { output1: false });
    assert.equal(inputEvent.unitId, 5);
  });

  it('reads the legacy alarm block (1280) when asked', async function () {
    await helper.load(
      NODES,
      flow(sim, alarmNodeDef({ legacy: true }), alarmNodeDef({ wires: [['standard']] }, 'current'), helperNode('standard')),
    );
    const meter = sim.meters.get(5)!;
    // Only the legacy block shows this alarm, so the node must have read 1280.
    meter.override({ blockId: 'legacyAlarms', key: 'upperAlarmCause' }, 'U23');
    meter.override({ blockId: 'legacyAlarms', key: 'upperAlarmValue' }, 41234);
    meter.override({ blockId: 'legacyAlarms', key: 'alarmDuration' }, 7);
    assert.equal(meterAlarm(meter, 'legacyAlarms').upperCause, 'U23');

    let output = nextMessage('out');
    inject('alarm', {});
    assert.deepEqual((await output).payload, {
      lower: { active: false, cause: 'none', value: 0, unit: '' },
      upper: { active: true, cause: 'U23', value: 412.34, unit: 'V' },
      duration: 7,
    });

    output = nextMessage('standard');
    inject('current', {});
    assert.equal(((await output).payload as { upper: { active: boolean } }).upper.active, false);
  });

  it('polls on its interval: an active alarm is raised without any input, then nothing while it lasts; stops on unload', async function () {
    const meter = sim.meters.get(5)!;
    armCurrentAlarm(meter);
    meter.override('I3', 70);
    sim.clock.advance(3000);
    // Mocha starts this test's own timer once the test function has returned its promise:
    // count open handles from after that, so only what the flow opens is compared.
    await Promise.resolve();
    const baseline = openResources();
    await helper.load(NODES, flow(sim, alarmNodeDef({ pollSeconds: 0.05, onlyOnChange: true, topic: 'poll/alarm' })));
    const received: NodeMessage[] = [];
    const out = helper.getNode('out') as TestNode;
    out.on('input', (msg: NodeMessage) => received.push(msg));

    const raised = await nextMessage('out');
    assert.equal(raised.event, 'raise');
    assert.deepEqual(raised.payload, { event: 'raise', side: 'upper', cause: 'I3', value: 70, unit: 'A', duration: meterAlarm(meter).duration });
    assert.equal(raised.topic, 'poll/alarm');
    assert.equal(raised.unitId, 5);
    // Three more polls (each sets the status) find the same alarm: still one message.
    for (let poll = 0; poll < 3; poll++) await nextStatus('alarm', (s) => s.text === 'I3 high 70 A');
    assert.equal(received.length, 1);

    await helper.unload();
    const requestsAtUnload = sim.server.stats.requests;
    await resourcesBackTo(baseline);
    assert.equal(sim.server.stats.requests, requestsAtUnload, 'no poll after unload');
  });

  it('a silent meter on a poll: an error naming the meter and the block reaches a Catch node; yellow status', async function () {
    sim.server.faults.silentUnits.add(5);
    await helper.load(NODES, flow(sim, alarmNodeDef({ pollSeconds: 0.05 })));
    const yellow = nextStatus('alarm', (s) => s.text === 'no answer');
    const caught = await nextMessage('caught');
    const error = caught.error as { message: string; source: { id: string } };
    assert.equal(error.source.id, 'alarm');
    assert.match(error.message, new RegExp(`meter 5 on tcp 127\\.0\\.0\\.1:${sim.port}: .*alarms \\(36176\\)`));
    assert.match(error.message, /no answer/);
    assert.equal(caught.unitId, 5);
    assert.deepEqual(await yellow, { fill: 'yellow', shape: 'ring', text: 'no answer' });
  });

  it('keeps the last state per unit id: msg.unitId reads another meter without mixing their events', async function () {
    await helper.load(NODES, flow(sim, alarmNodeDef({ onlyOnChange: true }), ...completion()));
    const meter6 = sim.meters.get(6)!;
    await handled();
    await handled({ unitId: 6 });
    armCurrentAlarm(meter6);
    meter6.override('I2', 55);
    sim.clock.advance(3000);
    const output = nextMessage('out');
    inject('alarm', { unitId: 6 });
    const msg = await output;
    assert.equal(msg.unitId, 6);
    assert.equal(msg.topic, 'diris/6');
    assert.equal(msg.event, 'raise');
    assert.equal((msg.payload as { cause: string }).cause, 'I2');
  });

  it('rejects a bad msg.unitId with an error to a Catch node, keeping the msg', async function () {
    await helper.load(NODES, flow(sim, alarmNodeDef()));
    const requestsBefore = sim.server.stats.requests;
    const caught = nextMessage('caught');
    inject('alarm', { unitId: 0, payload: 'keep me' });
    const msg = await caught;
    assert.match((msg.error as { message: string }).message, /msg\.unitId must be an integer 1\.\.247, got 0/);
    assert.equal(msg.payload, 'keep me');
    assert.equal(sim.server.stats.requests, requestsBefore);
  });
});

describe('examples/alarm-status.json', function () {
  let sim: TestSimulator;

  before(async function () {
    sim = await startTestSimulator({ unitIds: [5] });
  });

  after(async function () {
    await helper.unload();
    await sim.close();
  });

  it('loads in the runtime and runs against the simulator: set the alarm, see it raised and cleared, read the whole state', async function () {
    const { example, flow: flowNodes } = exampleFlow('alarm-status.json', sim);
    await helper.load([connectionNode, alarmNode, writeSettings as unknown as NodeInitializer, injectNode], flowNodes);
    const meter = sim.meters.get(5)!;
    const byName = (type: string, name: string): FlowNode => example.find((n) => n.type === type && n.name === name)!;
    const watcher = byName('socomec-alarm-status', 'watch alarms');
    const events = watcher.wires![0][0];
    const settingsOut = byName('socomec-write-settings', 'alarm settings').wires![0][0];
    const stateOut = byName('socomec-alarm-status', 'whole state').wires![0][0];

    // The watcher's first poll finds no alarm (threshold 65535): it says nothing; its status says so.
    await nextStatus(watcher.id, (s) => s.text === 'no alarm');

    let settings = nextMessage(settingsOut);
    inject(byName('inject', 'alarm when a current > 30 A').id);
    assert.deepEqual(Object.keys((await settings).changed as object).sort(), ['alarmDelay', 'alarmUpperThreshold']);
    // The simulated currents (about 37 A) stay above 30 A for the 2 s delay.
    let event = nextMessage(events);
    sim.clock.advance(4000);
    let msg = await event;
    assert.equal(msg.event, 'raise');
    const shown = meterAlarm(meter);
    assert.equal((msg.payload as { cause: string }).cause, shown.upperCause);
    assert.ok(Math.abs((msg.payload as { value: number }).value - (shown.upperValue as number) / 1000) < 0.001);

    const state = nextMessage(stateOut);
    inject(byName('inject', 'whole state').id);
    const whole = (await state).payload as { upper: { active: boolean }; inputs: object; outputs: object };
    assert.equal(whole.upper.active, true);
    assert.deepEqual(whole.inputs, { input1: false, input2: false, input3: false });
    assert.ok(whole.outputs);

    settings = nextMessage(settingsOut);
    inject(byName('inject', 'no alarm').id);
    await settings;
    event = nextMessage(events);
    sim.clock.advance(1000);
    msg = await event;
    assert.equal(msg.event, 'clear');
  });
});
