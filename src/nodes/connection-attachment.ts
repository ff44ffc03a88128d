/**
 * How a flow node holds its socomec-connection: the config node's contract as flow nodes
 * see it, and the attachment that registers a node as a user of the link, makes its
 * status follow the link, keeps one DirisDevice per unit id, and lets go on close.
 */
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import { DirisDevice, type DeviceOptions, type LineLoad, type LinePoller, type MeterHealth } from '../device';
import type { LinkConfig, LinkState, LinkStats, ModbusLink } from '../transport';
import { reasonOf, textReason, type ErrorReason } from '../transport/reasons';
import { messageOf, NodeInputError } from './node-errors';
import { brokenStatus, linkStateFollower } from './node-status';

export const CONNECTION_TYPE = 'socomec-connection';

export type LinkStateListener = (state: LinkState, detail?: string) => void;

/** The counters the editor shows for a connection. */
export interface ConnectionStats extends LinkStats {
  state: LinkState;
  /** Flow nodes using the link right now. */
  users: number;
  link: string;
  /** What the pollers on this line ask of it together. */
  line: LineLoad;
  pollers: PollerStats[];
}

/** One polling node on the line, for the editor: its load and its meters' health. */
export interface PollerStats {
  node: string;
  label: string;
  /** Its fastest interval (ms). */
  everyMs: number;
  offeredLoad: number;
  meters: Array<MeterHealth & { name?: string }>;
}

/**
 * The socomec-connection config node as flow nodes see it. It alone keeps the list of
 * its users: the link stays open while users come and go within a deploy, and closes
 * when the config node closes or its last user is removed.
 */
export interface ConnectionNode extends Node {
  /** The link (created on first use, opened on the first request); reading it registers no user. */
  readonly link: ModbusLink;
  /** The settings the link is (or will be) built from. */
  readonly linkConfig: LinkConfig;
  /** A short name of the link for messages: "tcp 127.0.0.1:502", "rtu /dev/ttyUSB0 9600 8N1". */
  describe(): string;
  /** Register a user of the link (a flow node, a scan); throws when the settings are bad or the node is closing. */
  acquire(userId: string): ModbusLink;
  /**
   * The user lets go. `removed`: it is gone for good (deleted, or a scan that ended), so
   * with no user left the link closes; otherwise (a user redeployed) the link stays open
   * for the user's next instance. Resolves when the link is closed, if it closes.
   */
  release(userId: string, removed: boolean): Promise<void>;
  /** Follow the link's state, also across a link being re-created; returns the unsubscribe function. */
  onState(listener: LinkStateListener): () => void;
  /** The link's state now ('idle' before anything was sent). */
  state(): LinkState;
  stats(): ConnectionStats;
  /** The name the connection's meter list gives a unit id ("5=incomer"), if any. */
  meterName(unitId: number): string | undefined;
  /** A user's poller joins the line's budget; returns the function that takes it out. */
  addPoller(userId: string, poller: LinePoller, label: string): () => void;
  /** What the pollers on this line ask of it together (worked out again at most once a second). */
  lineLoad(): LineLoad;
}

/** The config-node instance behind a flow node's `connection` property, or undefined when missing. */
export function getConnection(RED: NodeAPI, connectionId: unknown): ConnectionNode | undefined {
  if (typeof connectionId !== 'string' || connectionId === '') return undefined;
  const found = RED.nodes.getNode(connectionId) as Node | null;
  if (found === null || found === undefined || found.type !== CONNECTION_TYPE) return undefined;
  return found as ConnectionNode;
}

/** A flow node's hold on its connection; release() in the node's close handler. */
export interface AttachedConnection {
  readonly connection: ConnectionNode;
  /** The link's description for messages. */
  describe(): string;
  /** The meter at a unit id on the current link (kept, so its read plans are made once). */
  device(unitId: number): DirisDevice;
  /** Stop following the link and let go of it; resolves when the connection has done with it. */
  release(removed: boolean): Promise<void>;
}

/** The node cannot attach (no connection, bad connection settings): the reason, and the status to show. */
export class NotAttachedError extends NodeInputError {
  constructor(
    reason: ErrorReason,
    readonly status: NodeStatus,
  ) {
    super(reason);
  }
}

/**
 * Find the node's config node, register the node as a user of its link and make the
 * status follow the link. Throws a NotAttachedError when the node has no connection or
 * the connection's settings are bad.
 */
export function attachConnection(
  RED: NodeAPI,
  node: Node,
  connectionId: unknown,
  deviceOptions: Pick<DeviceOptions, 'model'> = {},
  show: (status: NodeStatus) => void = (status) => node.status(status),
): AttachedConnection {
  const connection = getConnection(RED, connectionId);
  if (connection === undefined) {
    throw new NotAttachedError({ code: 'noConnection' }, brokenStatus('noConnection'));
  }
  try {
    connection.acquire(node.id);
  } catch (err) {
    // Bad connection settings (a saved flow edited by hand, an old version's values).
    throw new NotAttachedError({ code: 'badConnection', connection: connection.name || connection.id, cause: reasonOf(err) ?? textReason(messageOf(err)) }, brokenStatus('badConnection'));
  }
  const follow = linkStateFollower(show);
  follow(connection.state());
  const unsubscribe = connection.onState(follow);
  let released = false;
  let devices = new Map<number, DirisDevice>();
  let devicesLink: ModbusLink | undefined;
  return {
    connection,
    describe: () => connection.describe(),
    device: (unitId) => {
      const link = connection.link;
      if (link !== devicesLink) {
        // A link closed under us was replaced: its devices (and their plans) go with it.
        devices = new Map();
        devicesLink = link;
      }
      let device = devices.get(unitId);
      if (device === undefined) {
        device = new DirisDevice(link, unitId, { source: node.id, ...deviceOptions });
        devices.set(unitId, device);
      }
      return device;
    },
    release: (removed) => {
      if (released) return Promise.resolve();
      released = true;
      unsubscribe();
      devices.clear();
      return connection.release(node.id, removed);
    },
  };
}
