/**
 * What every node of this package does with its saved settings, flow node or not: bring a
 * config saved by an older version up to date and parse it; and, when it cannot work (bad
 * settings, no connection), show why, log it once and fail every msg with it, so no msg
 * disappears silently.
 */
import type { Node, NodeStatus } from 'node-red';
import { migrateConfig } from './config-migrations';

/** The node's config brought up to date (pure migration steps, no write back; the steps taken are logged) and parsed; throws what `parse` throws. */
export function parseSavedConfig<D extends object, S>(node: Node, type: string, saved: D, parse: (config: D) => S): S {
  const migrated = migrateConfig(type, saved);
  if (migrated.applied.length > 0) node.log(`settings from configVersion ${migrated.from} brought up to date: ${migrated.applied.join('; ')}`);
  return parse(migrated.config);
}

/**
 * For a node that cannot work: show `status`, log the reason once, and fail every input
 * msg with it; on close, clear the status.
 */
export function rejectInputs(node: Node, reason: Error, status: NodeStatus): void {
  node.status(status);
  node.error(reason.message);
  node.on('input', (_msg, _send, done) => {
    node.status(status);
    done(reason);
  });
  node.on('close', (_removed: boolean, done: () => void) => {
    node.status({});
    done();
  });
}
