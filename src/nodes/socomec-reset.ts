/**
 * socomec-reset: resets counters and max/avg values of a DIRIS meter by name or bit mask,
 * only those the node's configuration allows; restart and factory configuration are
 * separate, guarded commands. The device resolves and refuses names; this file maps the
 * checkboxes to the allowed list and the msg to a device call.
 */
import type { NodeAPI } from 'node-red';
import type { ResetName } from '../device';
import { configuredUnitId } from './input-parsing';
import { defineMeterNode, type MeterNodeDef, type MeterNodeSettings } from './meter-node';
import { configuredModel } from './model-choice';
import { NodeInputError } from './node-errors';
import { busyStatus, successStatus } from './node-status';
import { fitStatus, statusText } from './status-text';

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
  restart: { option: 'allowRestart' },
  factoryConfig: { option: 'allowFactoryConfig' },
} as const;
type CommandName = keyof typeof COMMANDS;

const RESET_BLOCK = 'reset (1024)';
const COMMAND_BLOCK = 'actions (57856)';

type ResetDef = MeterNodeDef & { unitId?: number | string; topic?: string; model?: string };

interface ResetSettings extends MeterNodeSettings {
  allowed: string[];
  allowedCommands: CommandName[];
}

function isCommand(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, value);
}

function parse(def: ResetDef): ResetSettings {
  return {
    unitId: configuredUnitId(def.unitId),
    model: configuredModel(def.model),
    topic: def.topic,
    block: RESET_BLOCK,
    allowed: RESET_OPTIONS.filter(([, option]) => def[option] === true).map(([name]) => name),
    allowedCommands: (Object.keys(COMMANDS) as CommandName[]).filter((name) => def[COMMANDS[name].option] === true),
  };
}

/** Refuses a command the node does not allow, or one mixed with resets, before anything is sent. */
function checkCommand(payload: unknown, unitId: number, settings: ResetSettings): CommandName | undefined {
  if (isCommand(payload)) {
    if (!settings.allowedCommands.includes(payload)) {
      const allowed = [...settings.allowed, ...settings.allowedCommands];
      // The option's words are its editor label's (the "cause" section's option<Option>).
      const option = COMMANDS[payload].option;
      throw new NodeInputError(
        {
          code: 'commandNotAllowed',
          command: payload,
          option: { code: `option${option.charAt(0).toUpperCase()}${option.slice(1)}` },
          allowed: allowed.length > 0 ? allowed : { code: 'none' },
        },
        { unitId, problems: [`"${payload}" not allowed`] },
      );
    }
    return payload;
  }
  if (Array.isArray(payload)) {
    const commands = payload.filter(isCommand);
    if (commands.length > 0) {
      throw new NodeInputError({ code: 'commandInList', commands: commands.map((c) => `"${c}"`) }, {
        unitId,
        problems: commands.map((c) => `"${c}" mixed with resets`),
      });
    }
  }
  return undefined;
}

export = function (RED: NodeAPI): void {
  defineMeterNode<ResetDef, ResetSettings>(RED, {
    type: 'socomec-reset',
    parse,
    work:
      ({ settings, attached, output, status }) =>
      async (msg, unitId, where) => {
        const payload: unknown = msg?.payload;
        if (isCommand(payload)) where.block = COMMAND_BLOCK;
        const command = checkCommand(payload, unitId, settings);
        const device = attached.device(unitId);
        status(busyStatus(command ?? statusText('resetting')));
        let result: unknown;
        let summary: string;
        if (command === 'restart') {
          await device.restart();
          result = { action: command };
          summary = statusText('restartSent');
        } else if (command === 'factoryConfig') {
          await device.loadFactoryConfiguration();
          result = { action: command };
          summary = statusText('factoryConfigLoaded');
        } else {
          const done = await device.reset(payload, settings.allowed);
          result = { reset: done.reset, mask: done.mask };
          summary = statusText('resetDone', { names: done.reset.join(', ') });
        }
        // The meter acknowledged the write just now: that is the reply's time.
        const timestamp = Date.now();
        status(successStatus(fitStatus(summary, 30), timestamp));
        // One write request either way: the reset mask or the command code.
        return [output(msg, unitId, { payload: result, timestamp, requests: 1 })];
      },
  });
};
