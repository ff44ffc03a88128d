/**
 * socomec-write-settings: reads and changes the settings of a DIRIS meter. The device
 * validates the whole payload, writes, stores and reads back; this file only turns the
 * node's configuration and the msg into a device call and the result into a msg.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { Request, Response } from 'express';
import { DeviceError, SETTINGS_BLOCKS, isModelChoice, settingsFieldList, type ModelChoice, type SettingsBlockId, type WriteSettingsResult } from '../device';
import { DIRIS_A20, getBlock, getProfile } from '../registers';
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

const NODE_TYPE = 'socomec-write-settings';

interface WriteSettingsDef extends NodeDef {
  connection: string;
  unitId: number | string;
  topic: string;
  block: string;
  allowFactoryBlocks: boolean;
  store: boolean;
  dryRun: boolean;
  /** "auto", a model id, or absent (flows from before models: the A-20 table). */
  model?: string;
}

interface NodeSettings {
  model: ModelChoice | undefined;
  unitId: number;
  block: SettingsBlockId;
  /** "application settings (36352)", for error messages. */
  blockName: string;
  allowFactoryBlocks: boolean;
  store: boolean;
  dryRun: boolean;
}

function blockName(block: SettingsBlockId): string {
  return `${getBlock(block).title.toLowerCase()} (${getBlock(block).start})`;
}

/** The node's configuration, checked once at deploy; throws a NodeInputError saying what is wrong. */
function parseSettings(def: WriteSettingsDef): NodeSettings {
  const block = (def.block || 'applicationSettings') as SettingsBlockId;
  if (!SETTINGS_BLOCKS.includes(block)) {
    throw new NodeInputError(`settings block "${def.block}" is unknown (valid: ${SETTINGS_BLOCKS.join(', ')})`);
  }
  const allowFactoryBlocks = def.allowFactoryBlocks === true;
  // The editor refuses this too; a flow edited by hand must not slip past it.
  if (getBlock(block).factoryOnly && !allowFactoryBlocks) {
    throw new NodeInputError(`block ${blockName(block)} holds factory/calibration data: tick "Allow factory and calibration blocks (dangerous)" to use it`);
  }
  return {
    model: configuredModel(def.model),
    unitId: configuredUnitId(def.unitId),
    block,
    blockName: blockName(block),
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

function dryRunOf(msg: NodeMessage, configured: boolean): boolean {
  const requested = (msg as { dryRun?: unknown }).dryRun;
  if (requested === undefined || requested === null) return configured;
  if (typeof requested !== 'boolean') throw new NodeInputError(`msg.dryRun must be true or false, got ${JSON.stringify(requested)}`);
  return requested;
}

export = function (RED: NodeAPI): void {
  function SocomecWriteSettingsNode(this: Node, def: WriteSettingsDef): void {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: WriteSettingsDef): void {
    let settings: NodeSettings;
    try {
      settings = parseSettings(def);
    } catch (err) {
      rejectInputs(node, err instanceof Error ? err : new Error(String(err)), { fill: 'red', shape: 'ring', text: 'bad settings' });
      return;
    }
    const config = settings;
    const attached = attachConnection(RED, node, def.connection, { model: config.model });
    if (attached === undefined) return;

    onMeterInput(node, attached, { unitId: config.unitId, block: config.blockName }, async (msg, unitId) => {
      const dryRun = dryRunOf(msg, config.dryRun);
      const device = attached.device(unitId);
      const onlyRead = asksForRead(msg.payload);
      node.status({ fill: 'blue', shape: 'ring', text: onlyRead ? 'reading' : dryRun ? 'checking' : 'writing' });
      const result: WriteSettingsResult = onlyRead
        ? { ...(await device.readSettings(config.block)), changed: {}, dryRun, writes: 0 }
        : await device.writeSettings(msg.payload, { block: config.block, dryRun, allowFactoryBlocks: config.allowFactoryBlocks, store: config.store });
      const output = buildOutput(msg, result, { topic: outputTopic(def.topic, msg, unitId), unitId }) as NodeMessage & Record<string, unknown>;
      output.changed = result.changed;
      output.dryRun = result.dryRun;
      output.diagnostics = { link: attached.describe(), requests: result.requests, writes: result.writes };
      const count = Object.keys(result.changed).length;
      const summary = onlyRead
        ? `read ${Object.keys(result.payload).length} settings`
        : result.dryRun
          ? `dry run: ${count} would change`
          : count === 0
            ? 'no change'
            : `${count} changed`;
      node.status(successStatus(summary, result.timestamp));
      return [output];
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      attached.release();
      done();
    });
  }

  RED.nodes.registerType(NODE_TYPE, SocomecWriteSettingsNode);

  // The editor lists the chosen block's settings from the register map itself, so the list never drifts.
  RED.httpAdmin.get(`/${NODE_TYPE}/fields/:block`, RED.auth.needsPermission(`${NODE_TYPE}.read`), (req: Request, res: Response) => {
    const block = req.params.block as SettingsBlockId;
    if (!SETTINGS_BLOCKS.includes(block)) {
      res.status(404).json({ error: `unknown settings block "${block}" (valid: ${SETTINGS_BLOCKS.join(', ')})` });
      return;
    }
    // ?model=A10 lists that model's settings (its codings); without it, the A-20's.
    const model = typeof req.query.model === 'string' && req.query.model !== '' && req.query.model !== 'auto' ? req.query.model : undefined;
    if (model !== undefined && !isModelChoice(model)) {
      res.status(400).json({ error: `unknown model "${model}"` });
      return;
    }
    try {
      res.json(settingsFieldList(block, model ? getProfile(model) : DIRIS_A20));
    } catch (err) {
      if (!(err instanceof DeviceError)) throw err;
      res.status(404).json({ error: err.message });
    }
  });
};
