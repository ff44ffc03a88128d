/**
 * socomec-write-settings: reads and changes the settings of a DIRIS meter. The device
 * validates the whole payload, writes, stores and reads back; this file only turns the
 * node's configuration and the msg into a device call and the result into a msg.
 */
import type { NodeAPI, NodeMessage } from 'node-red';
import { SETTINGS_BLOCKS, type SettingsBlockId, type WriteSettingsResult } from '../device';
import { getBlock } from '../registers';
import { serveSettingsFields } from './admin-endpoints';
import { configuredUnitId, shown } from './input-parsing';
import { defineMeterNode, type MeterNodeDef, type MeterNodeSettings } from './meter-node';
import { configuredModel } from './model-choice';
import { NodeInputError } from './node-errors';
import { busyStatus, successStatus } from './node-status';
import { statusText } from './status-text';

interface WriteSettingsDef extends MeterNodeDef {
  unitId?: number | string;
  topic?: string;
  block?: string;
  allowFactoryBlocks?: boolean;
  store?: boolean;
  dryRun?: boolean;
  /** "auto", a model id, or absent (flows from before models: the A-20 table). */
  model?: string;
}

interface WriteSettingsSettings extends MeterNodeSettings {
  settingsBlock: SettingsBlockId;
  allowFactoryBlocks: boolean;
  store: boolean;
  dryRun: boolean;
}

/** "application settings (36352)", for error messages. */
function blockName(block: SettingsBlockId): string {
  return `${getBlock(block).title.toLowerCase()} (${getBlock(block).start})`;
}

function parse(def: WriteSettingsDef): WriteSettingsSettings {
  const block = (def.block || 'applicationSettings') as SettingsBlockId;
  if (!SETTINGS_BLOCKS.includes(block)) {
    throw new NodeInputError({ code: 'unknownSettingsBlock', block: String(def.block), valid: SETTINGS_BLOCKS });
  }
  const allowFactoryBlocks = def.allowFactoryBlocks === true;
  // The editor refuses this too; a flow edited by hand must not slip past it.
  if (getBlock(block).factoryOnly && !allowFactoryBlocks) {
    throw new NodeInputError({ code: 'factoryBlockSetting', block: blockName(block), option: { code: 'optionAllowFactoryBlocks' } });
  }
  return {
    unitId: configuredUnitId(def.unitId),
    model: configuredModel(def.model),
    topic: def.topic,
    block: blockName(block),
    settingsBlock: block,
    allowFactoryBlocks,
    store: def.store !== false,
    dryRun: def.dryRun === true,
  };
}

/** Absent, "", null and {} all mean "just read the settings". */
function asksForRead(payload: unknown): boolean {
  if (payload === undefined || payload === null || payload === '') return true;
  return typeof payload === 'object' && !Array.isArray(payload) && Object.keys(payload as object).length === 0;
}

function dryRunOf(msg: NodeMessage | undefined, configured: boolean): boolean {
  const requested = (msg as { dryRun?: unknown } | undefined)?.dryRun;
  if (requested === undefined || requested === null) return configured;
  if (typeof requested !== 'boolean') throw new NodeInputError({ code: 'badDryRun', got: shown(requested) });
  return requested;
}

function summary(result: WriteSettingsResult, onlyRead: boolean): string {
  const count = String(Object.keys(result.changed).length);
  if (onlyRead) return statusText('settingsRead', { count: String(Object.keys(result.payload).length) });
  if (result.dryRun) return statusText('settingsDryRun', { count });
  return count === '0' ? statusText('settingsUnchanged') : statusText('settingsChanged', { count });
}

export = function (RED: NodeAPI): void {
  defineMeterNode<WriteSettingsDef, WriteSettingsSettings>(RED, {
    type: 'socomec-write-settings',
    parse,
    work:
      ({ settings, attached, output, status }) =>
      async (msg, unitId) => {
        const dryRun = dryRunOf(msg, settings.dryRun);
        const device = attached.device(unitId);
        const onlyRead = asksForRead(msg?.payload);
        status(busyStatus(statusText(onlyRead ? 'reading' : dryRun ? 'checking' : 'writing')));
        const block = settings.settingsBlock;
        const result: WriteSettingsResult = onlyRead
          ? { ...(await device.readSettings(block)), changed: {}, dryRun, writes: 0 }
          : await device.writeSettings(msg?.payload, { block, dryRun, allowFactoryBlocks: settings.allowFactoryBlocks, store: settings.store });
        status(successStatus(summary(result, onlyRead), result.timestamp));
        const reading = { ...result, diagnostics: { writes: result.writes } };
        return [output(msg, unitId, reading, { changed: result.changed, dryRun: result.dryRun })];
      },
  });
  serveSettingsFields(RED);
};
