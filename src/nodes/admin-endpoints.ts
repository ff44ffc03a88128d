/**
 * The HTTP endpoints the editor uses (Node-RED's admin auth applies): the connection's
 * bus scan, its counters and the machine's serial ports; the fields a read-measurements
 * node outputs and the settings of a write-settings block, both straight from the map.
 */
import type { Node, NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import {
  DeviceError,
  MEASUREMENT_GROUPS,
  MEASUREMENT_TABLES,
  SETTINGS_BLOCKS,
  isModelChoice,
  measurementFieldList,
  scanUnits,
  settingsFieldList,
  type MeasurementGroup,
  type MeasurementTable,
  type SettingsBlockId,
} from '../device';
import { DIRIS_A20, PROFILES, getProfile } from '../registers';
import { describeLink, ModbusLink, normalizeLinkConfig, type LinkConfig } from '../transport';
import { linkAddress } from '../transport/config';
import { CONNECTION_TYPE, type ConnectionNode } from './connection-attachment';
import { linkConfigFromSettings, parseUnitIdList, scanTimeoutMs, type ConnectionSettings } from './connection-settings';
import { messageOf } from './node-errors';

// Scans running now in this process, by link target (host:port or serial path): one at a time on each.
const scans = new Map<string, AbortController>();

/** A connection deployed on a serial port takes it from a scan still holding it. */
export function cancelScanOn(config: LinkConfig, reason: Error): void {
  if (config.transport === 'rtu') scans.get(linkAddress(config))?.abort(reason);
}

function deployedConnection(RED: NodeAPI, id: unknown): ConnectionNode | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  const found = RED.nodes.getNode(id) as Node | null;
  return found !== null && found !== undefined && found.type === CONNECTION_TYPE ? (found as ConnectionNode) : undefined;
}

/** POST scan, GET serialports, GET :id/stats. */
export function serveConnectionEndpoints(RED: NodeAPI): void {
  // The scan: finds DIRIS meters on the settings in the editor form (or of a deployed node).
  RED.httpAdmin.post(`/${CONNECTION_TYPE}/scan`, RED.auth.needsPermission(`${CONNECTION_TYPE}.write`), (req: Request, res: Response) => {
    void (async () => {
      const body = (req.body ?? {}) as { id?: string; settings?: ConnectionSettings; unitIds?: unknown; from?: unknown; to?: unknown };
      let unitIds: number[];
      let config: LinkConfig;
      const node = deployedConnection(RED, body.id);
      try {
        unitIds = parseUnitIdList(body.unitIds, { from: body.from, to: body.to });
        if (body.settings !== undefined) config = linkConfigFromSettings(body.settings);
        else if (node !== undefined) config = node.linkConfig;
        else throw new Error('send the connection settings, or the id of a deployed socomec-connection');
        normalizeLinkConfig(config);
      } catch (err) {
        res.status(400).json({ error: messageOf(err) });
        return;
      }
      const target = linkAddress(config);
      if (scans.has(target)) {
        res.status(409).json({ error: `a scan of ${target} is already running: wait for it to end, or close the dialog that started it` });
        return;
      }
      const cancel = new AbortController();
      scans.set(target, cancel);
      // The editor closed the dialog or went away before the answer: stop, and free the line.
      res.on('close', () => {
        if (!res.writableFinished) cancel.abort(new Error('the editor went away'));
      });
      const source = `scan:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`;
      // A serial port opens once, and two masters on one RS-485 line (also through a gateway)
      // would talk over each other: scan through the deployed node's link when it is that line.
      // Over Modbus TCP a second, short-timeout connection keeps the scan quick.
      const sameLine = node !== undefined && config.transport !== 'tcp' && node.describe() === describeLink(config);
      const shared = sameLine ? node : undefined;
      let link: ModbusLink | undefined;
      // A scan's own link closes at once when cancelled: the request in flight ends, the port is released.
      const closeOwnLink = (): void => {
        if (shared === undefined) void link?.close();
      };
      cancel.signal.addEventListener('abort', closeOwnLink);
      try {
        link = shared !== undefined ? shared.acquire(source) : new ModbusLink({ ...config, timeoutMs: scanTimeoutMs(config), retries: 0 });
        const result = await scanUnits(link, unitIds, source, { signal: cancel.signal });
        if (cancel.signal.aborted) throw cancel.signal.reason;
        res.json(result);
      } catch (err) {
        const why = cancel.signal.aborted ? `cancelled: ${messageOf(cancel.signal.reason)}` : `failed: ${messageOf(err)}`;
        if (!res.headersSent && !res.destroyed) res.status(502).json({ error: `scan on ${describeLink(config)} ${why}` });
      } finally {
        cancel.signal.removeEventListener('abort', closeOwnLink);
        // The scan is done with the line: with no flow node on it, the shared link closes too.
        if (shared !== undefined) await shared.release(source, true);
        else if (link !== undefined) await link.close();
        if (scans.get(target) === cancel) scans.delete(target);
      }
    })();
  });

  RED.httpAdmin.get(`/${CONNECTION_TYPE}/serialports`, RED.auth.needsPermission(`${CONNECTION_TYPE}.read`), (_req: Request, res: Response) => {
    void (async () => {
      let ports: { path: string; manufacturer?: string }[] = [];
      try {
        // serialport is a native module: when it does not load here, offer free text only.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { SerialPort } = require('serialport') as { SerialPort: { list(): Promise<{ path: string; manufacturer?: string }[]> } };
        ports = (await SerialPort.list()).map((p) => ({ path: p.path, manufacturer: p.manufacturer }));
      } catch {
        ports = [];
      }
      res.json(ports);
    })();
  });

  RED.httpAdmin.get(`/${CONNECTION_TYPE}/:id/stats`, RED.auth.needsPermission(`${CONNECTION_TYPE}.read`), (req: Request, res: Response) => {
    const node = deployedConnection(RED, req.params.id);
    if (node === undefined) {
      res.status(404).json({ error: 'this connection is not deployed yet' });
      return;
    }
    res.json(node.stats());
  });
}

/**
 * GET socomec-read-measurements/fields: the keys the node will output, straight from the
 * model's profile (model=auto: every model's keys, each with the models that have it).
 */
export function serveMeasurementFields(RED: NodeAPI): void {
  RED.httpAdmin.get('/socomec-read-measurements/fields', RED.auth.needsPermission('socomec-read-measurements.read'), (req: Request, res: Response) => {
    const table = typeof req.query.table === 'string' && req.query.table !== '' ? req.query.table : 'standard';
    const groups = typeof req.query.groups === 'string' && req.query.groups !== '' ? req.query.groups.split(',') : [...MEASUREMENT_GROUPS];
    const model = typeof req.query.model === 'string' && req.query.model !== '' ? req.query.model : undefined;
    const bad = [
      ...(model === undefined || isModelChoice(model) ? [] : [`unknown model "${model}"`]),
      ...(MEASUREMENT_TABLES.includes(table as MeasurementTable) ? [] : [`unknown table "${table}"`]),
      ...groups.filter((g) => !MEASUREMENT_GROUPS.includes(g as MeasurementGroup)).map((g) => `unknown group "${g}"`),
    ];
    if (bad.length > 0) {
      res.status(400).json({ error: bad.join('; ') });
      return;
    }
    if (model === undefined) {
      // A key in two blocks (hourMeter) is output once.
      const seen = new Set<string>();
      const fields = measurementFieldList(table as MeasurementTable, groups as MeasurementGroup[], DIRIS_A20).filter((f) => !seen.has(f.key) && seen.add(f.key));
      res.json(fields.map((f) => ({ key: f.key, label: f.label, unit: f.unit, group: f.group })));
      return;
    }
    const profiles = model === 'auto' ? PROFILES : [getProfile(model)];
    const byKey = new Map<string, { key: string; label: string; unit: string; group: string; models: string[] }>();
    for (const profile of profiles) {
      for (const f of measurementFieldList(table as MeasurementTable, groups as MeasurementGroup[], profile)) {
        const entry = byKey.get(f.key) ?? { key: f.key, label: f.label, unit: f.unit, group: f.group, models: [] };
        if (!entry.models.includes(profile.id)) entry.models.push(profile.id);
        byKey.set(f.key, entry);
      }
    }
    res.json([...byKey.values()]);
  });
}

/** GET socomec-write-settings/fields/:block: the block's settings from the register map itself, so the list never drifts. */
export function serveSettingsFields(RED: NodeAPI): void {
  const type = 'socomec-write-settings';
  RED.httpAdmin.get(`/${type}/fields/:block`, RED.auth.needsPermission(`${type}.read`), (req: Request, res: Response) => {
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
}
