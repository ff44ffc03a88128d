import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import reset from '../../src/nodes/socomec-reset';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import { decodeField } from '../../src/codec';
import { getField } from '../../src/registers';
import { SETTING_DEFAULTS, type DirisMeter } from '../../src/simulator';
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
  nextStatus,
  startTestSimulator,
  type FlowNode,
  type NodeInitializer,
  type TestSimulator,
  exampleFlow,
  injectNode,
} from '../helpers/node-red';

const resetNode = reset as unknown as NodeInitializer;
const NODES = [connectionNode, resetNode];

/** Each checkbox of the node, by the name it allows. */
const OPTION_OF: Record<string, string> = {
  maxCurrents: 'allowMaxCurrents',
  maxPowers: 'allowMaxPowers',
  hourMeter: 'allowHourMeter',
  activeEnergyPos: 'allowActiveEnergyPos',
  reactiveEnergyPos: 'allowReactiveEnergyPos',
  apparentEnergy: 'allowApparentEnergy',
  activeEnergyNeg: 'allowActiveEnergyNeg',
  reactiveEnergyNeg: 'allowReactiveEnergyNeg',
  all: 'allowAll',
};
const ENERGY_NAMES = ['activeEnergyPos', 'reactiveEnergyPos', 'apparentEnergy', 'activeEnergyNeg', 'reactiveEnergyNeg'];

/** The counters a reset touches, where the meter shows them. */
const COUNTERS: Record<string, [string, string]> = {
  hourMeter: ['energies', 'hourMeter'],
  EaPos: ['energies', 'EaPos'],
  ErPos: ['energies', 'ErPos'],
  Es: ['energies', 'Es'],
  EaNeg: ['energies', 'EaNeg'],
  ErNeg: ['energies', 'ErNeg'],
  maxAvgI1: ['maxAvg', 'maxAvgI1'],
  maxAvgI2: ['maxAvg', 'maxAvgI2'],
  maxAvgI3: ['maxAvg', 'maxAvgI3'],
  maxAvgIn: ['maxAvg', 'maxAvgIn'],
  maxAvgPPos: ['maxAvg', 'maxAvgPPos'],
  maxAvgQPos: ['maxAvg', 'maxAvgQPos'],
  maxAvgS: ['maxAvg', 'maxAvgS'],
};

/** Which counters each name clears. */
const CLEARS: Record<string, string[]> = {
  maxCurrents: ['maxAvgI1', 'maxAvgI2', 'maxAvgI3', 'maxAvgIn'],
  maxPowers: ['maxAvgPPos', 'maxAvgQPos', 'maxAvgS'],
  hourMeter: ['hourMeter'],
  activeEnergyPos: ['EaPos'],
  reactiveEnergyPos: ['ErPos'],
  apparentEnergy: ['Es'],
  activeEnergyNeg: ['EaNeg'],
  reactiveEnergyNeg: ['ErNeg'],
};
/** The bit of each name in register 1024, as the device notes give it. */
const BITS: Record<string, number> = {
  maxCurrents: 0x0001,
  maxPowers: 0x0002,
  hourMeter: 0x0040,
  activeEnergyPos: 0x0080,
  reactiveEnergyPos: 0x0100,
  apparentEnergy: 0x0200,
  activeEnergyNeg: 0x0400,
  reactiveEnergyNeg: 0x0800,
};

function resetNodeDef(allowed: string[], overrides: Record<string, unknown> = {}, id = 'reset'): FlowNode {
  const options = Object.fromEntries(Object.values(OPTION_OF).map((option) => [option, false]));
  for (const name of allowed) options[OPTION_OF[name]] = true;
  return {
    id,
    type: 'socomec-reset',
    z: FLOW_ID,
    name: '',
    connection: CONNECTION_ID,
    unitId: 5,
    topic: '',
    allowRestart: false,
    allowFactoryConfig: false,
    ...options,
    wires: [['out']],
    ...at(),
    ...overrides,
  };
}

function flow(sim: { port: number }, ...nodes: FlowNode[]): FlowNode[] {
  return [flowTab(), connectionConfig(sim), ...nodes, helperNode('out'), ...catchAll()];
}

/** The counters as the simulated meter shows them in its registers (the clock stands still, so they hold). */
function counters(meter: DirisMeter): Record<string, number> {
  return Object.fromEntries(
    Object.entries(COUNTERS).map(([name, [blockId, key]]) => {
      const field = getField(blockId, key);
      return [name, decodeField(field, meter.peek(field.address, field.words)) as number];
    }),
  );
}

function errorMessage(msg: NodeMessage): string {
  return (msg.error as { message: string }).message;
}

describe('socomec-reset in the Node-RED runtime', function () {
  let sim: TestSimulator;

  beforeEach(async function () {
    sim = await startTestSimulator();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  for (const [name, cleared] of Object.entries(CLEARS)) {
    it(`"${name}" sends bit 0x${BITS[name].toString(16).padStart(4, '0')} and clears exactly ${cleared.join(', ')}`, async function () {
      await helper.load(NODES, flow(sim, resetNodeDef(Object.keys(CLEARS))));
      const meter = sim.meters.get(5)!;
      const before = counters(meter);
      for (const key of cleared) assert.notEqual(before[key], 0, `${key} counts before the reset`);
      const output = nextMessage('out');
      const sentAt = Date.now();
      inject('reset', { payload: name, tag: 'kept' });
      const msg = await output;

      assert.deepEqual(msg.payload, { reset: [name], mask: BITS[name] });
      assert.equal(msg.unitId, 5);
      assert.equal(msg.topic, 'diris/5');
      assert.equal(msg.tag, 'kept');
      assert.ok(typeof msg.timestamp === 'number' && msg.timestamp >= sentAt && msg.timestamp <= Date.now());
      const after = counters(meter);
      for (const key of Object.keys(COUNTERS)) {
        assert.equal(after[key], cleared.includes(key) ? 0 : before[key], `${key} after resetting ${name}`);
      }
    });
  }

  it('after an hour-meter reset the hour meter starts from zero while the energies keep counting', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef(['hourMeter'])));
    const meter = sim.meters.get(5)!;
    const before = counters(meter);
    const output = nextMessage('out');
    inject('reset', { payload: 'hourMeter' });
    await output;
    assert.equal(counters(meter).hourMeter, 0);

    sim.clock.advance(3600 * 1000);
    const later = counters(meter);
    // The meter is powered the whole hour (hour meter on the auxiliary supply): 1.00 h.
    assert.ok(Math.abs(later.hourMeter - 1) <= 0.01, `hour meter ${later.hourMeter} h`);
    assert.ok(later.EaPos > before.EaPos, `Ea+ went on from ${before.EaPos} to ${later.EaPos} kWh`);
    assert.ok(later.Es > before.Es, `Es went on from ${before.Es} to ${later.Es} kVAh`);
  });

  it('takes an array of names and a bit mask', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef(['hourMeter', 'activeEnergyPos', 'maxCurrents'])));
    const meter = sim.meters.get(5)!;
    let before = counters(meter);
    let output = nextMessage('out');
    inject('reset', { payload: ['hourMeter', 'maxCurrents'] });
    assert.deepEqual((await output).payload, { reset: ['maxCurrents', 'hourMeter'], mask: 0x41 });
    let after = counters(meter);
    assert.equal(after.hourMeter, 0);
    assert.equal(after.maxAvgI1, 0);
    assert.equal(after.EaPos, before.EaPos);

    before = after;
    output = nextMessage('out');
    inject('reset', { payload: 0x80 });
    assert.deepEqual((await output).payload, { reset: ['activeEnergyPos'], mask: 0x80 });
    after = counters(meter);
    assert.equal(after.EaPos, 0);
    assert.equal(after.ErPos, before.ErPos);
  });

  it('"energies" clears the five energy counters when all five are allowed; "all" clears everything', async function () {
    await helper.load(
      NODES,
      flow(sim, resetNodeDef(ENERGY_NAMES), resetNodeDef(['all'], { wires: [['outAll']] }, 'resetAll'), helperNode('outAll')),
    );
    const meter = sim.meters.get(5)!;
    const before = counters(meter);
    let output = nextMessage('out');
    inject('reset', { payload: 'energies' });
    assert.deepEqual((await output).payload, { reset: ENERGY_NAMES, mask: 0x0f80 });
    let after = counters(meter);
    for (const key of ['EaPos', 'ErPos', 'Es', 'EaNeg', 'ErNeg']) assert.equal(after[key], 0, key);
    assert.equal(after.hourMeter, before.hourMeter);
    assert.equal(after.maxAvgI1, before.maxAvgI1);

    output = nextMessage('outAll');
    inject('resetAll', { payload: 'all' });
    assert.deepEqual((await output).payload, { reset: ['all'], mask: 0x1000 });
    after = counters(meter);
    for (const key of Object.keys(COUNTERS)) assert.equal(after[key], 0, key);
    assert.equal(meter.isRestarting(), false, '"all" never restarts the meter');
  });

  it('refuses names, bits and "energies" the node does not allow, naming them and the allowed ones, sending nothing', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef(['hourMeter', 'activeEnergyPos'])));
    const meter = sim.meters.get(5)!;
    const before = counters(meter);
    const requestsBefore = sim.server.stats.requests;
    const cases: [unknown, RegExp][] = [
      ['apparentEnergy', /not allowed by this node: apparentEnergy \(allowed: hourMeter, activeEnergyPos\)/],
      [['hourMeter', 'maxPowers'], /not allowed by this node: maxPowers \(allowed: hourMeter, activeEnergyPos\)/],
      [0x41, /not allowed by this node: maxCurrents \(allowed/],
      ['energies', /not allowed by this node: reactiveEnergyPos, apparentEnergy, activeEnergyNeg, reactiveEnergyNeg/],
      ['all', /not allowed by this node: all \(allowed/],
      ['energy', /unknown reset "energy" \(valid: maxCurrents, maxPowers, hourMeter, .*energies, all\)/],
      [0x4, /mask 0x4 sets undefined bits 0x4/],
      [undefined, /say what to reset/],
    ];
    for (const [payload, expected] of cases) {
      const caught = nextMessage('caught');
      inject('reset', { payload, tag: JSON.stringify(payload) });
      const msg = await caught;
      assert.equal(msg.tag, JSON.stringify(payload), 'the Catch node gets the incoming msg');
      const message = errorMessage(msg);
      assert.match(message, expected);
      assert.match(message, new RegExp(`meter 5 on tcp 127\\.0\\.0\\.1:${sim.port}: `));
      assert.match(message, /nothing sent/);
    }
    assert.equal(sim.server.stats.requests, requestsBefore, 'nothing reached the meter');
    assert.deepEqual(counters(meter), before);
  });

  it('refuses an array entry that cannot be made into a string with "reset refused, nothing sent", sending nothing', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef(Object.keys(OPTION_OF))));
    const requestsBefore = sim.server.stats.requests;
    const throwing = { toString: (): string => { throw new Error('no text'); } };
    for (const entry of [Object.create(null) as object, throwing, Symbol('hourMeter')]) {
      const caught = nextMessage('caught');
      inject('reset', { payload: ['hourMeter', entry] });
      const message = errorMessage(await caught);
      assert.match(message, /reset refused, nothing sent: unknown reset (\{\}|Symbol\(hourMeter\)) \(valid: maxCurrents, /);
    }
    assert.equal(sim.server.stats.requests, requestsBefore, 'nothing reached the meter');
  });

  it('refuses "restart" and "factoryConfig" unless their own options are on', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef(Object.keys(OPTION_OF))));
    const meter = sim.meters.get(5)!;
    const requestsBefore = sim.server.stats.requests;
    const red = nextStatus('reset', (s) => s.text === 'bad input');
    let caught = nextMessage('caught');
    inject('reset', { payload: 'restart' });
    let message = errorMessage(await caught);
    assert.match(message, /"restart" is not allowed by this node \(tick "Allow restart of the meter"\)/);
    assert.match(message, /allowed: maxCurrents, maxPowers, hourMeter, .*all; nothing sent/);
    assert.match(message, /actions \(57856\)/);
    assert.deepEqual(await red, { fill: 'red', shape: 'dot', text: 'bad input' });

    caught = nextMessage('caught');
    inject('reset', { payload: 'factoryConfig' });
    message = errorMessage(await caught);
    assert.match(message, /"factoryConfig" is not allowed by this node \(tick "Allow loading the factory configuration"\)/);
    assert.equal(sim.server.stats.requests, requestsBefore);
    assert.equal(meter.isRestarting(), false);
  });

  it('with "allow restart" on, restarts the meter; never as part of a list', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef(['hourMeter'], { allowRestart: true, topic: 'plant/reset' })));
    const meter = sim.meters.get(5)!;
    const caught = nextMessage('caught');
    inject('reset', { payload: ['hourMeter', 'restart'] });
    assert.match(errorMessage(await caught), /send "restart" on its own, not in a list of resets; nothing sent/);
    assert.equal(meter.isRestarting(), false);

    const output = nextMessage('out');
    inject('reset', { payload: 'restart' });
    const msg = await output;
    assert.deepEqual(msg.payload, { action: 'restart' });
    assert.equal(msg.topic, 'plant/reset');
    assert.equal(meter.isRestarting(), true, 'the meter got command 0xB2');
  });

  it('with "allow factory configuration" on, loads the factory settings', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef([], { allowFactoryConfig: true })));
    const meter = sim.meters.get(5)!;
    // The meter's CT primary set to 400 A and stored, as an installer would.
    meter.writeRegisters(getField('applicationSettings', 'ctPrimary').address, [400], 6);
    meter.writeRegisters(57856, [0xa1], 6);
    assert.equal(meter.setting('ctPrimary'), 400);

    const output = nextMessage('out');
    inject('reset', { payload: 'factoryConfig' });
    assert.deepEqual((await output).payload, { action: 'factoryConfig' });
    assert.equal(meter.setting('ctPrimary'), SETTING_DEFAULTS.ctPrimary);
    assert.equal(meter.hasPendingSettings(), false);
  });

  it('resets the meter msg.unitId names, and no other', async function () {
    await helper.load(NODES, flow(sim, resetNodeDef(['hourMeter'])));
    const before5 = counters(sim.meters.get(5)!);
    const output = nextMessage('out');
    inject('reset', { payload: 'hourMeter', unitId: 6 });
    const msg = await output;
    assert.equal(msg.unitId, 6);
    assert.equal(counters(sim.meters.get(6)!).hourMeter, 0);
    assert.deepEqual(counters(sim.meters.get(5)!), before5);
  });
});

describe('examples/reset.json', function () {
  let sim: TestSimulator;

  before(async function () {
    sim = await startTestSimulator({ unitIds: [5] });
  });

  after(async function () {
    await helper.unload();
    await sim.close();
  });

  it('loads in the runtime and runs against the simulator: allowed resets go through, the others are refused', async function () {
    const { example, flow: flowNodes } = exampleFlow('reset.json', sim);
    await helper.load([connectionNode, resetNode, readMeasurements as unknown as NodeInitializer, injectNode], flowNodes);
    const meter = sim.meters.get(5)!;
    const node = example.find((n) => n.type === 'socomec-reset')!;
    const [whatWasReset, readAfter] = node.wires![0];
    const countersDebug = example.find((n) => n.id === readAfter)!.wires![0][0];
    const refusals = example.find((n) => n.type === 'catch')!.wires![0][0];
    const injectNamed = (name: string): string => example.find((n) => n.type === 'inject' && n.name === name)!.id;

    let output = nextMessage(whatWasReset);
    let read = nextMessage(countersDebug);
    inject(injectNamed('hour meter'));
    assert.deepEqual((await output).payload, { reset: ['hourMeter'], mask: 0x40 });
    const measured = (await read).payload as Record<string, number>;
    assert.equal(measured.hourMeter, 0);
    assert.equal(measured.EaPos, counters(meter).EaPos);

    output = nextMessage(whatWasReset);
    read = nextMessage(countersDebug);
    inject(injectNamed('max/avg values'));
    assert.deepEqual((await output).payload, { reset: ['maxCurrents', 'maxPowers'], mask: 0x3 });
    assert.equal(((await read).payload as Record<string, number>).maxAvgI1, 0);

    output = nextMessage(whatWasReset);
    read = nextMessage(countersDebug);
    inject(injectNamed('mask 64 (hour meter)'));
    assert.deepEqual((await output).payload, { reset: ['hourMeter'], mask: 0x40 });
    await read;

    const energiesBefore = counters(meter).EaPos;
    let refused = nextMessage(refusals);
    inject(injectNamed('energies (refused)'));
    assert.match(errorMessage(await refused), /not allowed by this node: activeEnergyPos/);
    refused = nextMessage(refusals);
    inject(injectNamed('restart (refused)'));
    assert.match(errorMessage(await refused), /"restart" is not allowed/);
    assert.equal(counters(meter).EaPos, energiesBefore);
    assert.equal(meter.isRestarting(), false);
  });
});
