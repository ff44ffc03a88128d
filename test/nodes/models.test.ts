/**
 * Every Socomec model on one connection, in the real Node-RED runtime: one meter of each
 * profile (DIRIS, Countis E14, E23, E34) behind one socomec-connection,
 * over Modbus TCP and over RTU on a socat pty pair. Identity, a full poll checked to the
 * table's resolution, a settings write with read-back, a reset, and a pinned model that
 * disagrees with the meter failing clearly.
 */
import assert from 'node:assert/strict';
import type { NodeMessage } from 'node-red';
import { measurementGroupsOf, type MeasurementGroup } from '../../src/device';
import alarmStatus from '../../src/nodes/socomec-alarm-status';
import readIdentity from '../../src/nodes/socomec-read-identity';
import readMeasurements from '../../src/nodes/socomec-read-measurements';
import reset from '../../src/nodes/socomec-reset';
import writeSettings from '../../src/nodes/socomec-write-settings';
import { getProfile, profileBlock, type ModelId } from '../../src/registers';
import { MEASUREMENT_KEYS, startSimulator, type Simulator } from '../../src/simulator';
import {
  CONNECTION_ID,
  FLOW_ID,
  ManualClock,
  at,
  catchAll,
  connectionConfig,
  connectionNode,
  flowTab,
  helper,
  helperNode,
  inject,
  type FlowNode,
  type NodeInitializer,
} from '../helpers/node-red';
import { openPtyPair, type PtyPair } from '../helpers/pty';

const NODES = [connectionNode, ...[readIdentity, readMeasurements, writeSettings, reset, alarmStatus].map((n) => n as unknown as NodeInitializer)];
const LINE: Record<number, ModelId> = { 5: 'A20', 6: 'A10', 7: 'A14', 8: 'E14', 9: 'E23', 10: 'E34' };
const UNIT_IDS = Object.keys(LINE).map(Number);
const BAUD = 38400;

/** The settings block each model offers a write to, and a change to make there. */
const SETTINGS: Partial<Record<ModelId, { block: string; payload: Record<string, unknown> }>> = {
  A20: { block: 'applicationSettings', payload: { ctPrimary: 250 } },
  A10: { block: 'applicationSettings', payload: { ctSecondary: 1, ctPrimary: 150 } },
  A14: { block: 'commonSettings', payload: { ctPrimary: 300, syncTopSeconds: 600 } },
  E34: { block: 'commonSettings', payload: { ctPrimary: 400 } },
};

function node(id: string, type: string, props: Record<string, unknown>): FlowNode {
  return { id, type, z: FLOW_ID, name: '', connection: CONNECTION_ID, unitId: 5, topic: '', model: 'auto', wires: [['out']], ...at(), ...props };
}

function flow(connection: FlowNode): FlowNode[] {
  return [
    flowTab(),
    connection,
    node('identity', 'socomec-read-identity', { readOnDeploy: false, details: false }),
    node('poll', 'socomec-read-measurements', { groups: ['instantaneous', 'energies'], table: 'standard', pollSeconds: 0, outputMode: 'single' }),
    node('pinned', 'socomec-read-measurements', { model: 'A20', groups: ['instantaneous'], table: 'standard', pollSeconds: 0, outputMode: 'single' }),
    node('writeApplication', 'socomec-write-settings', { block: 'applicationSettings', allowFactoryBlocks: false, store: true, dryRun: false }),
    node('writeCommon', 'socomec-write-settings', { block: 'commonSettings', allowFactoryBlocks: false, store: true, dryRun: false }),
    node('reset', 'socomec-reset', { allowActiveEnergyPos: true, allowReactiveEnergyPos: true, allowApparentEnergy: true, allowActiveEnergyNeg: true, allowReactiveEnergyNeg: true, allowRestart: false, allowFactoryConfig: false }),
    node('alarms', 'socomec-alarm-status', { pollSeconds: 0, legacy: false, io: true, onlyOnChange: false }),
    helperNode('out'),
    ...catchAll(),
  ];
}

type Outcome = { output?: NodeMessage; error?: string };
let settle: ((outcome: Outcome) => void) | undefined;

/** One listener each on the output and the Catch node for the whole flow (Node-RED calls them in turn). */
function collectOutcomes(): void {
  helper.getNode('out')!.on('input', (msg: NodeMessage) => settle?.({ output: msg }));
  helper.getNode('caught')!.on('input', (msg: NodeMessage) => settle?.({ error: (msg.error as { message: string }).message }));
}

/** The output (or the Catch node's error) of one input. */
async function run(nodeId: string, msg: NodeMessage): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = new Promise<Outcome>((resolve, reject) => {
    settle = resolve;
    timer = setTimeout(() => reject(new Error(`no output and no error from ${nodeId} within 5 s`)), 5000);
  });
  inject(nodeId, msg);
  try {
    return await outcome;
  } finally {
    clearTimeout(timer);
    settle = undefined;
  }
}

for (const kind of ['tcp', 'rtu'] as const) {
  describe(`every Socomec model on one ${kind === 'tcp' ? 'Modbus TCP' : 'RTU (pty)'} connection, in the Node-RED runtime`, function () {
    this.timeout(20000);
    let sim: Simulator;
    let pty: PtyPair | undefined;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));

    before(async function () {
      helper.init(require.resolve('node-red'));
      if (kind === 'rtu') pty = await openPtyPair();
    });
    beforeEach(async function () {
      const common = { unitIds: UNIT_IDS, models: LINE, seed: 5, clock: clock.now };
      sim = kind === 'rtu' ? await startSimulator({ transport: 'rtu', path: pty!.a, baudRate: BAUD, ...common }) : await startSimulator({ transport: 'tcp', ...common });
      const link = kind === 'rtu' ? { transport: 'rtu', serialPath: pty!.b, baudRate: BAUD, timeoutMs: 1000 } : {};
      await helper.load(NODES, flow(connectionConfig(sim, link)));
      collectOutcomes();
    });
    afterEach(async function () {
      await helper.unload();
      await sim.close();
    });
    after(async function () {
      await pty?.close();
    });

    it('identifies each meter and polls it with its own table, values to the table\'s resolution', async function () {
      for (const unitId of UNIT_IDS) {
        const profile = getProfile(LINE[unitId]);
        const identity = await run('identity', { unitId });
        assert.equal((identity.output?.payload as Record<string, unknown>).model, profile.id, `unit ${unitId}: ${identity.error}`);
        assert.equal((identity.output?.payload as Record<string, unknown>).modelName, profile.name);

        const groups: MeasurementGroup[] = measurementGroupsOf(profile);
        const poll = await run('poll', { unitId, groups });
        assert.ok(poll.output, `${profile.name}: ${poll.error}`);
        const payload = poll.output.payload as Record<string, unknown>;
        // The fewest requests: one per block the groups live in (the model was identified above).
        assert.equal((poll.output.diagnostics as { requests: number }).requests, groups.length, profile.name);
        const m = sim.meters.get(unitId)!.measurements();
        const instantaneous = profileBlock(profile, 'instantaneous')!;
        let checked = 0;
        for (const field of instantaneous.fields) {
          if (field.reserved) {
            continue;
          }
          const key = field.key as (typeof MEASUREMENT_KEYS)[number];
          if (!MEASUREMENT_KEYS.includes(key) || field.enumValues) continue;
          const resolution = field.scale ?? 1;
          assert.equal(typeof payload[key], 'number', `${profile.name} ${key}`);
          assert.ok(Math.abs((payload[key] as number) - m[key]) <= resolution / 2 + 1e-9, `${profile.name} ${key}: ${String(payload[key])} vs ${m[key]} (resolution ${resolution})`);
          checked++;
        }
        assert.ok(checked >= 8, `${profile.name}: only ${checked} values checked`);
        // What the model lacks is absent, never 0.
        for (const key of Object.keys(m)) {
          const has = instantaneous.fields.some((f) => f.key === key && !f.reserved) || (key.startsWith('thd') && profileBlock(profile, 'harmonics')?.fields.some((f) => f.key === key && !f.reserved));
          if (!has) assert.ok(!(key in payload), `${profile.name} has no ${key}, but the payload shows ${String(payload[key])}`);
        }
      }
    });

    it('writes settings with read-back and resets energies on every model, and refuses what a model lacks, naming it', async function () {
      for (const unitId of UNIT_IDS) {
        const profile = getProfile(LINE[unitId]);
        const change = SETTINGS[profile.id];
        if (change) {
          const written = await run(change.block === 'applicationSettings' ? 'writeApplication' : 'writeCommon', { unitId, payload: change.payload });
          assert.ok(written.output, `${profile.name}: ${written.error}`);
          for (const [key, value] of Object.entries(change.payload)) {
            assert.equal((written.output.payload as Record<string, unknown>)[key], value, `${profile.name} ${key} read back`);
            assert.equal((written.output.changed as Record<string, { to: unknown }>)[key].to, value);
          }
          assert.equal(sim.meters.get(unitId)!.hasPendingSettings(), false, `${profile.name}: stored`);
        } else {
          const refused = await run('writeApplication', { unitId, payload: { ctPrimary: 100 } });
          assert.match(refused.error ?? '', new RegExp(`${profile.name} has no applicationSettings block`));
        }

        const before = await run('poll', { unitId, groups: ['energies'] });
        assert.ok(typeof (before.output?.payload as Record<string, number>).EaPos === 'number' && (before.output?.payload as Record<string, number>).EaPos > 0, `${profile.name} EaPos before`);
        const done = await run('reset', { unitId, payload: 'activeEnergyPos' });
        assert.ok(done.output, `${profile.name}: ${done.error}`);
        assert.deepEqual((done.output.payload as { reset: string[] }).reset, ['activeEnergyPos']);
        const after = await run('poll', { unitId, groups: ['energies'] });
        assert.equal((after.output?.payload as Record<string, number>).EaPos, 0, `${profile.name} EaPos after the reset`);
      }
      // The A-10 codes 1 A as 0 in 36353.
      assert.equal(sim.meters.get(6)!.peek(36353, 1)[0], 0);
    });

    if (kind === 'tcp') {
      it('lists the model of every meter the scan finds', async function () {
        const res = await helper.request().post('/socomec-connection/scan').send({ id: CONNECTION_ID, unitIds: UNIT_IDS });
        assert.equal(res.status, 200, res.text);
        const found = (res.body as { found: { unitId: number; model: string; modelName: string }[] }).found;
        assert.deepEqual(
          found.map((m) => [m.unitId, m.model, m.modelName]),
          UNIT_IDS.map((id) => [id, LINE[id], getProfile(LINE[id]).name]),
        );
      });

      it('shows in the dialogs what each model offers', async function () {
        let res = await helper.request().get('/socomec-read-measurements/fields?model=E14&groups=instantaneous');
        const e14 = (res.body as { key: string }[]).map((f) => f.key);
        assert.ok(e14.includes('V1') && !e14.includes('V2') && !e14.includes('hourMeter'), e14.join(' '));
        res = await helper.request().get('/socomec-read-measurements/fields?model=auto&groups=instantaneous');
        const v2 = (res.body as { key: string; models: string[] }[]).find((f) => f.key === 'V2')!;
        assert.deepEqual(v2.models, ['A10', 'A14', 'A20', 'E23', 'E34']);
        res = await helper.request().get('/socomec-read-measurements/fields?model=B30');
        assert.equal(res.status, 400);
        res = await helper.request().get('/socomec-write-settings/fields/applicationSettings?model=A10');
        const ct = (res.body as { key: string; allowedValues?: number[] }[]).find((f) => f.key === 'ctSecondary')!;
        assert.deepEqual(ct.allowedValues, [1, 5]);
        res = await helper.request().get('/socomec-write-settings/fields/applicationSettings?model=E14');
        assert.equal(res.status, 404);
        assert.match((res.body as { error: string }).error, /Countis E14 has no applicationSettings block/);
      });

      it('reads alarms and inputs with the model\'s blocks, and refuses a model without alarms, naming it', async function () {
        sim.meters.get(6)!.setInputs([true, false, true]);
        const a10 = await run('alarms', { unitId: 6 });
        assert.ok(a10.output, a10.error);
        assert.deepEqual((a10.output.payload as { inputs: Record<string, boolean> }).inputs, { input1: true, input2: false, input3: true });
        const e14 = await run('alarms', { unitId: 8 });
        assert.match(e14.error ?? '', /the Countis E14 has no alarms block/);
      });
    }

    it('fails clearly when a node pins a model the meter is not', async function () {
      const wrong = await run('pinned', { unitId: 6 });
      assert.match(wrong.error ?? '', /the node is set to model DIRIS A-20 but the meter identifies as DIRIS A-10 \("DIRIS A10/);
      const right = await run('pinned', { unitId: 5 });
      assert.ok(right.output, right.error);
    });
  });
}
