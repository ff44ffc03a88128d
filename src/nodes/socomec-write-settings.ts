/**
 * socomec-write-settings: reads and changes the settings of a DIRIS meter. The device
 * validates the whole payload, writes, stores and reads back; this file only turns the
 * node's configuration and the msg into a device call and the result into a msg.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { Request, Response } from 'express';
import { SETTINGS_BLOCKS, settingsFieldList, type SettingsBlockId, type WriteSettingsResult } from '../device';
import { getBlock } from '../registers';
import {
  attachConnection,
  buildOutput,
  configuredUnitId,
  failInput,
  NodeInputError,
  outputTopic,
  resolveUnitId,
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
}

interface NodeSettings {
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
    let settings: NodeSettings | undefined;
    let configError: Error | undefined;
    try {
      settings = parseSettings(def);
    } catch (err) {
      configError = err as Error;
      node.status({ fill: 'red', shape: 'ring', text: 'bad settings' });
      node.error(configError.message);
    }
    const attached = configError === undefined ? attachConnection(RED, node, def.connection) : undefined;


    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      const where = { link: attached?.describe(), block: settings?.blockName, unitId: undefined as number | undefined };
      let unitId: number;
      let dryRun: boolean;
      try {
        if (configError !== undefined) throw configError;
        if (attached === undefined) throw new NodeInputError('no socomec-connection configured: open the node and choose a connection');
        unitId = resolveUnitId(msg, settings!.unitId);
        where.unitId = unitId;
        dryRun = dryRunOf(msg, settings!.dryRun);
      } catch (err) {
        failInput(node, err, msg, done, where);
        return;
      }
      const config = settings!;
      const device = attached!.device(unitId);
      const onlyRead = asksForRead(msg.payload);
      node.status({ fill: 'blue', shape: 'ring', text: onlyRead ? 'reading' : dryRun ? 'checking' : 'writing' });

      const operation: Promise<WriteSettingsResult> = onlyRead
        ? device.readSettings(config.block).then((reading) => ({ ...reading, changed: {}, dryRun, writes: 0 }))
        : device.writeSettings(msg.payload, { block: config.block, dryRun, allowFactoryBlocks: config.allowFactoryBlocks, store: config.store });

      operation.then(
        (result) => {
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
          send(output);
          done();
        },
        (err: unknown) => {
          failInput(node, err, msg, done, where);
        },
      );
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      attached?.release();
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
    res.json(settingsFieldList(block));
  });
};
