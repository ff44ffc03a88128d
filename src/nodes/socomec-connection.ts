/**
 * socomec-connection: the config node holding one Modbus link (TCP, RTU serial or RTU
 * over a TCP gateway) shared by every flow node that uses it. The link is created on
 * first use, opened on the first request, and closed at once when the node closes
 * (redeploy, stop) or when its last user leaves. Also serves the editor: a bus scan,
 * the link's counters and the serial ports of the machine.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { Request, Response } from 'express';
import { describeLink, ModbusLink, normalizeLinkConfig } from '../transport';
import { linkAddress } from '../transport/config';
import type { LinkConfig, LinkState } from '../transport';
import {
  CONNECTION_TYPE,
  messageOf,
  type ConnectionNode,
  type ConnectionStats,
  type LinkStateListener,
} from './common';
import { linkConfigFromSettings, parseUnitIdList, scanTimeoutMs, type ConnectionSettings } from './connection-settings';
import { scanUnits } from '../device';
import { useRuntimeLanguage } from './status-text';

type ConnectionDef = NodeDef & ConnectionSettings;

// Scans running now in this process, by link target (host:port or serial path): one at a time on each.
const scans = new Map<string, AbortController>();

export = function (RED: NodeAPI): void {
  // Status words in the runtime's language (the editor shows them as sent).
  useRuntimeLanguage((key, params) => RED._(key, params));
  function SocomecConnectionNode(this: Node, def: ConnectionDef): void {
    RED.nodes.createNode(this, def);
    const node = this as ConnectionNode;
    const linkConfig = linkConfigFromSettings(def);
    // A connection deployed on a serial port takes it from a scan still holding it.
    if (linkConfig.transport === 'rtu') scans.get(linkAddress(linkConfig))?.abort(new Error(`connection ${node.name || node.id} was deployed on this port`));
    let configProblem: string | undefined;
    let description: string;
    try {
      description = describeLink(normalizeLinkConfig(linkConfig));
    } catch (err) {
      configProblem = messageOf(err);
      description = `${linkConfig.transport} (bad settings)`;
      node.error(`bad connection settings: ${configProblem}`);
    }

    let link: ModbusLink | undefined;
    const users = new Set<string>();
    const listeners = new Set<LinkStateListener>();
    let closing = false;
    let lastState: LinkState = 'idle';

    const forwardState = (state: LinkState, detail?: string): void => {
      // Say it once in the log when a working link drops and when it comes back.
      if (state === 'reconnecting' && lastState === 'connected') node.warn(`link ${description} lost: ${detail ?? 'reconnecting'}`);
      if (state === 'connected' && lastState === 'reconnecting') node.log(`link ${description} reconnected`);
      lastState = state;
      for (const listener of [...listeners]) {
        try {
          listener(state, detail);
        } catch {
          // One node's status bug must not stop the others from hearing the state.
        }
      }
    };

    const currentLink = (): ModbusLink => {
      if (closing) throw new Error(`connection ${description} is closing (redeploy)`);
      if (configProblem !== undefined) throw new Error(`bad connection settings: ${configProblem}`);
      if (link === undefined || link.state === 'closed') {
        // A link closes for good when its last user leaves; the next user gets a new one.
        link = new ModbusLink(linkConfig);
        link.on('state', forwardState);
      }
      return link;
    };

    Object.defineProperty(node, 'link', { get: currentLink, enumerable: false });
    Object.defineProperty(node, 'linkConfig', { value: linkConfig, enumerable: false });
    Object.assign(node, {
      describe: (): string => description,
      acquire: (nodeId: string): ModbusLink => {
        const current = currentLink();
        current.attach(nodeId);
        users.add(nodeId);
        return current;
      },
      release: (nodeId: string): void => {
        users.delete(nodeId);
        if (link !== undefined) void link.detach(nodeId);
      },
      onState: (listener: LinkStateListener): (() => void) => {
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
      state: (): LinkState => link?.state ?? 'idle',
      stats: (): ConnectionStats => ({
        requests: 0,
        errors: 0,
        timeouts: 0,
        reconnects: 0,
        ...(link === undefined ? {} : link.stats),
        state: link?.state ?? 'idle',
        users: users.size,
        link: description,
      }),
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      const closingLink = link;
      link = undefined;
      users.clear();
      // Tell the users the link is going, then forget them: they are being closed too.
      if (closingLink === undefined) {
        listeners.clear();
        done();
        return;
      }
      closingLink
        .close()
        .catch(() => undefined)
        .finally(() => {
          closingLink.removeListener('state', forwardState);
          listeners.clear();
          done();
        });
    });
  }

  RED.nodes.registerType(CONNECTION_TYPE, SocomecConnectionNode);

  const deployed = (id: unknown): ConnectionNode | undefined => {
    if (typeof id !== 'string' || id === '') return undefined;
    const found = RED.nodes.getNode(id) as Node | null;
    return found !== null && found !== undefined && found.type === CONNECTION_TYPE ? (found as ConnectionNode) : undefined;
  };

  // The scan: finds DIRIS meters on the settings in the editor form (or of a deployed node).
  RED.httpAdmin.post(
    `/${CONNECTION_TYPE}/scan`,
    RED.auth.needsPermission(`${CONNECTION_TYPE}.write`),
    (req: Request, res: Response) => {
      void (async () => {
        const body = (req.body ?? {}) as {
          id?: string;
          settings?: ConnectionSettings;
          unitIds?: unknown;
          from?: unknown;
          to?: unknown;
        };
        let unitIds: number[];
        let config: LinkConfig;
        const node = deployed(body.id);
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
          if (shared !== undefined) shared.release(source);
          else if (link !== undefined) await link.close();
          if (scans.get(target) === cancel) scans.delete(target);
        }
      })();
    },
  );

  RED.httpAdmin.get(
    `/${CONNECTION_TYPE}/serialports`,
    RED.auth.needsPermission(`${CONNECTION_TYPE}.read`),
    (_req: Request, res: Response) => {
      void (async () => {
        let ports: { path: string; manufacturer?: string }[] = [];
        try {
          // serialport is a native module: when it does not load here, offer free text only.
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { SerialPort } = require('serialport') as {
            SerialPort: { list(): Promise<{ path: string; manufacturer?: string }[]> };
          };
          ports = (await SerialPort.list()).map((p) => ({ path: p.path, manufacturer: p.manufacturer }));
        } catch {
          ports = [];
        }
        res.json(ports);
      })();
    },
  );

  RED.httpAdmin.get(
    `/${CONNECTION_TYPE}/:id/stats`,
    RED.auth.needsPermission(`${CONNECTION_TYPE}.read`),
    (req: Request, res: Response) => {
      const node = deployed(req.params.id);
      if (node === undefined) {
        res.status(404).json({ error: 'this connection is not deployed yet' });
        return;
      }
      res.json(node.stats());
    },
  );
};
