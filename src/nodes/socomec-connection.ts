/**
 * socomec-connection: the config node holding one Modbus link (TCP, RTU serial or RTU
 * over a TCP gateway) shared by every flow node that uses it. It alone keeps the list of
 * its users: the link is created on first use and opened on the first request; it stays
 * open while users are redeployed ("modified nodes" and "modified flows" deploys), and
 * closes when the config node closes (its own redeploy, stop) or its last user is removed.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { combineLineBudgets, parseMeterNames, type LineLoad, type LinePoller } from '../device';
import { describeLink, ModbusLink, normalizeLinkConfig, type LinkState } from '../transport';
import { cancelScanOn, serveConnectionEndpoints } from './admin-endpoints';
import { CONNECTION_TYPE, type ConnectionNode, type ConnectionStats, type LinkStateListener, type PollerStats } from './connection-attachment';
import { migrateConfig } from './config-migrations';
import { linkConfigFromSettings, type ConnectionSettings } from './connection-settings';
import { configuredSettings } from './input-parsing';
import { inUserLanguage, messageOf, NodeInputError } from './node-errors';
import { reasonOf, textReason, type ErrorReason } from '../transport/reasons';
import { catalogText, useRuntimeLanguage } from './status-text';

/** How often the line's load is worked out again at most (each poller's round asks). */
const LINE_LOAD_EVERY_MS = 1000;

type ConnectionDef = NodeDef & ConnectionSettings;

export = function (RED: NodeAPI): void {
  // Status words in the runtime's language (the editor shows them as sent).
  useRuntimeLanguage((key, params) => RED._(key, params));
  function SocomecConnectionNode(this: Node, def: ConnectionDef): void {
    RED.nodes.createNode(this, def);
    const node = this as ConnectionNode;
    let migrated: ConnectionDef = def;
    let versionProblem: unknown;
    try {
      migrated = migrateConfig(CONNECTION_TYPE, def).config;
    } catch (err) {
      versionProblem = err;
    }
    const linkConfig = linkConfigFromSettings(migrated);
    cancelScanOn(linkConfig, new Error(`connection ${node.name || node.id} was deployed on this port`));
    /** Why the settings cannot work (every bad one named, by the settings schema first), as a reason. */
    let configProblem: NodeInputError | undefined;
    let description: string;
    let meterNames: Record<string, string> = {};
    try {
      if (versionProblem !== undefined) throw versionProblem;
      configuredSettings(CONNECTION_TYPE, migrated as unknown as Record<string, unknown>);
      description = describeLink(normalizeLinkConfig(linkConfig));
      meterNames = parseMeterNames(migrated.meters);
    } catch (err) {
      configProblem = new NodeInputError({ code: 'badConnectionSettings', cause: reasonOf(err) ?? textReason(messageOf(err)) });
      description = `${linkConfig.transport} (bad settings)`;
      node.error(inUserLanguage(configProblem).message);
    }

    let link: ModbusLink | undefined;
    const users = new Set<string>();
    const listeners = new Set<LinkStateListener>();
    let closing = false;
    let lastState: LinkState = 'idle';

    const forwardState = (state: LinkState, detail?: string, reason?: ErrorReason): void => {
      // Say it once in the log when a working link drops and when it comes back.
      if (state === 'reconnecting' && lastState === 'connected') {
        // "link X lost: <why>": the why of "link to X is down: <why>", not the link named twice.
        const why = reason?.code === 'linkDown' && typeof reason.detail === 'object' ? (reason.detail as ErrorReason) : reason;
        node.warn(inUserLanguage(new NodeInputError({ code: 'linkLost', link: description, cause: why ?? textReason(detail ?? '') })).message);
      }
      if (state === 'connected' && lastState === 'reconnecting') node.log(inUserLanguage(new NodeInputError({ code: 'linkReconnected', link: description })).message);
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
      if (configProblem !== undefined) throw configProblem;
      if (link === undefined || link.state === 'closed') {
        // The link closed when its last user was removed; the next user gets a new one.
        link = new ModbusLink(linkConfig);
        link.on('state', forwardState);
      }
      return link;
    };

    // The pollers on this line (read nodes polling one meter or many): together they may ask more than it carries.
    const pollers = new Map<string, { poller: LinePoller; label: string }>();
    let lineLoad: LineLoad = combineLineBudgets([]);
    let lineLoadAt = -Infinity;
    const currentLineLoad = (force = false): LineLoad => {
      const now = Date.now();
      if (!force && now - lineLoadAt < LINE_LOAD_EVERY_MS) return lineLoad;
      lineLoadAt = now;
      const was = lineLoad.exceeded;
      lineLoad = combineLineBudgets([...pollers.values()].map(({ poller }) => poller.budget()));
      // Said once when the line goes over, and once when it is back: the nodes' statuses show it meanwhile.
      if (lineLoad.exceeded && !was) {
        node.warn(
          catalogText('line', 'overBudgetLog', {
            link: description,
            percent: String(Math.round(lineLoad.offeredLoad * 100)),
            stretch: lineLoad.stretch.toFixed(1),
          }),
        );
      } else if (!lineLoad.exceeded && was) {
        node.log(catalogText('line', 'backInBudgetLog', { link: description, percent: String(Math.round(lineLoad.offeredLoad * 100)) }));
      }
      return lineLoad;
    };
    const afterRound = (): void => {
      currentLineLoad();
    };

    const closeLink = async (): Promise<void> => {
      const closingLink = link;
      link = undefined;
      if (closingLink === undefined) return;
      await closingLink.close().catch(() => undefined);
      closingLink.removeListener('state', forwardState);
    };

    Object.defineProperty(node, 'link', { get: currentLink, enumerable: false });
    Object.defineProperty(node, 'linkConfig', { value: linkConfig, enumerable: false });
    Object.assign(node, {
      describe: (): string => description,
      acquire: (userId: string): ModbusLink => {
        const current = currentLink();
        users.add(userId);
        return current;
      },
      release: (userId: string, removed: boolean): Promise<void> => {
        users.delete(userId);
        // A user being redeployed comes straight back: keep the line open for it.
        if (closing || !removed || users.size > 0) return Promise.resolve();
        return closeLink();
      },
      onState: (listener: LinkStateListener): (() => void) => {
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
      state: (): LinkState => link?.state ?? 'idle',
      meterName: (unitId: number): string | undefined => meterNames[String(unitId)],
      addPoller: (userId: string, poller: LinePoller, label: string): (() => void) => {
        pollers.get(userId)?.poller.removeListener('round', afterRound);
        pollers.set(userId, { poller, label });
        poller.on('round', afterRound);
        return () => {
          if (pollers.get(userId)?.poller !== poller) return;
          poller.removeListener('round', afterRound);
          pollers.delete(userId);
        };
      },
      lineLoad: (): LineLoad => currentLineLoad(),
      stats: (): ConnectionStats => ({
        requests: 0,
        errors: 0,
        timeouts: 0,
        reconnects: 0,
        ...(link === undefined ? {} : link.stats),
        state: link?.state ?? 'idle',
        users: users.size,
        link: description,
        line: currentLineLoad(true),
        pollers: [...pollers.entries()].map(([userId, { poller, label }]): PollerStats => {
          const budget = poller.budget();
          return {
            node: userId,
            label,
            everyMs: poller.fastestEveryMs,
            offeredLoad: budget.offeredLoad,
            meters: poller.unitIds.map((unitId) => ({ ...poller.health(unitId)!, ...(meterNames[String(unitId)] !== undefined ? { name: meterNames[String(unitId)] } : {}) })),
          };
        }),
      }),
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      users.clear();
      for (const { poller } of pollers.values()) poller.removeListener('round', afterRound);
      pollers.clear();
      // Its users are closed first (the runtime stops flow nodes before config nodes) or with it.
      void closeLink().finally(() => {
        listeners.clear();
        done();
      });
    });
  }

  RED.nodes.registerType(CONNECTION_TYPE, SocomecConnectionNode);
  serveConnectionEndpoints(RED);
};
