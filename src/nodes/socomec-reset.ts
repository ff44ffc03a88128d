/**
 * socomec-reset: resets counters and max/avg values of a DIRIS meter by name or bit mask,
 * only those the node's configuration allows; restart and factory configuration are
 * separate, guarded commands. The device resolves and refuses names; this file maps the
 * checkboxes to the allowed list and the msg to a device call.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { ModelChoice, ResetName } from '../device';
import { configuredModel } from './model-choice';
import {
  attachConnection,
  buildOutput,
  configuredUnitId,
  NodeInputError,
  onMeterInput,
  outputTopic,
  rejectInputs,
  successStatus,
} from './common';

const NODE_TYPE = 'socomec-reset';

/** The resets a node can allow, each with its checkbox property. "energies" follows from the five counters. */
const RESET_OPTIONS: readonly [Exclude<ResetName, 'energies'>, string][] = [
  ['maxCurrents', 'allowMaxCurrents'],
  ['maxPowers', 'allowMaxPowers'],
  ['hourMeter', 'allowHourMeter'],
  ['activeEnergyPos', 'allowActiveEnergyPos'],
  ['reactiveEnergyPos', 'allowReactiveEnergyPos'],
  ['apparentEnergy', 'allowApparentEnergy'],
  ['activeEnergyNeg', 'allowActiveEnergyNeg'],
  ['reactiveEnergyNeg', 'allowReactiveEnergyNeg'],
  ['tariffEnergies', 'allowTariffEnergies'],
  ['all', 'allowAll'],
];

/** The commands of register 57856 this node can send, with the option each needs. */
const COMMANDS = {
  restart: { option: 'allowRestart', label: 'Allow restart of the meter' },
  factoryConfig: { option: 'allowFactoryConfig', label: 'Allow loading the factory configuration' },
} as const;
type CommandName = keyof typeof COMMANDS;

type ResetDef = NodeDef & { connection: string; unitId: number | string; topic: string } & Record<string, unknown>;

function isCommand(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, value);
}

export = function (RED: NodeAPI): void {
  function SocomecResetNode(this: Node, def: ResetDef): void {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: ResetDef): void {
    let configuredUnit: number;
    let model: ModelChoice | undefined;
    try {
      configuredUnit = configuredUnitId(def.unitId);
      model = configuredModel(def.model);
    } catch (err) {
      rejectInputs(node, err instanceof Error ? err : new Error(String(err)), { fill: 'red', shape: 'ring', text: 'bad settings' });
      return;
    }
    const allowed: string[] = RESET_OPTIONS.filter(([, option]) => def[option] === true).map(([name]) => name);
    const allowedCommands = (Object.keys(COMMANDS) as CommandName[]).filter((name) => def[COMMANDS[name].option] === true);
    const attached = attachConnection(RED, node, def.connection, { model });
    if (attached === undefined) return;

    /** Refuses a command the node does not allow, or one mixed with resets, before anything is sent. */
    const checkCommand = (payload: unknown, unitId: number): CommandName | undefined => {
      if (isCommand(payload)) {
        if (!allowedCommands.includes(payload)) {
          throw new NodeInputError(
            `"${payload}" is not allowed by this node (tick "${COMMANDS[payload].label}"); allowed: ${[...allowed, ...allowedCommands].join(', ') || 'none'}; nothing sent`,
            { unitId, problems: [`"${payload}" not allowed`] },
          );
        }
        return payload;
      }
      if (Array.isArray(payload)) {
        const commands = payload.filter(isCommand);
        if (commands.length > 0) {
          throw new NodeInputError(`send ${commands.map((c) => `"${c}"`).join(' and ')} on its own, not in a list of resets; nothing sent`, {
            unitId,
            problems: commands.map((c) => `"${c}" mixed with resets`),
          });
        }
      }
      return undefined;
    };

    onMeterInput(node, attached, { unitId: configuredUnit, block: 'reset (1024)' }, async (msg, unitId, where) => {
      if (isCommand(msg.payload)) where.block = 'actions (57856)';
      const command = checkCommand(msg.payload, unitId);
      const device = attached.device(unitId);
      node.status({ fill: 'blue', shape: 'ring', text: command ?? 'resetting' });
      let payload: unknown;
      let summary: string;
      if (command === 'restart') {
        await device.restart();
        payload = { action: command };
        summary = 'restart sent';
      } else if (command === 'factoryConfig') {
        await device.loadFactoryConfiguration();
        payload = { action: command };
        summary = 'factory configuration loaded';
      } else {
        const result = await device.reset(msg.payload, allowed);
        payload = { reset: result.reset, mask: result.mask };
        summary = `reset ${result.reset.join(', ')}`;
      }
      // The meter acknowledged the write just now: that is the reply's time.
      const timestamp = Date.now();
      node.status(successStatus(summary.length > 30 ? `${summary.slice(0, 29)}…` : summary, timestamp));
      // One write request either way: the reset mask or the command code.
      const output = buildOutput(msg, { payload, timestamp }, { topic: outputTopic(def.topic as string | undefined, msg, unitId), unitId });
      return [{ ...output, diagnostics: { link: attached.describe(), requests: 1 } }];
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      attached.release();
      done();
    });
  }

  RED.nodes.registerType(NODE_TYPE, SocomecResetNode);
};
