/**
 * The statuses a flow node shows that are not errors: a green one after a good exchange,
 * and the link's state while nothing else is to say. Words come from the locale files.
 */
import type { NodeStatus } from 'node-red';
import type { LinkState } from '../transport';
import { fitStatus, linkDownText, statusText } from './status-text';

/** "12:03:09" in the runtime's local time: short enough for a status. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A green status after a successful exchange: "38 values 12:03:09". */
export function successStatus(summary: string, timestamp: number): NodeStatus {
  return { fill: 'green', shape: 'dot', text: `${summary} ${clockTime(timestamp)}` };
}

/** A blue status while a command runs ("writing", "resetting"). */
export function busyStatus(text: string): NodeStatus {
  return { fill: 'blue', shape: 'ring', text: fitStatus(text) };
}

/** A node that cannot work (no connection, bad settings): a red ring with the reason in short words. */
export function brokenStatus(key: 'noConnection' | 'badConnection' | 'badSettings'): NodeStatus {
  return { fill: 'red', shape: 'ring', text: statusText(key) };
}

/**
 * The status for a link state; undefined for 'idle' (nothing to show yet). A link that
 * went down (reconnecting, with the reason as detail) shows the reason in short words.
 */
export function linkStateStatus(state: LinkState, detail?: string): NodeStatus | undefined {
  switch (state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: statusText('connected') };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: statusText('connecting') };
    case 'reconnecting':
      return detail ? { fill: 'red', shape: 'ring', text: linkDownText(detail) } : { fill: 'yellow', shape: 'ring', text: statusText('reconnecting') };
    case 'closed':
      return { fill: 'red', shape: 'ring', text: statusText('closed') };
    default:
      return undefined;
  }
}

/**
 * Shows link states as a node's status: one steady status while the link retries for the
 * same reason (each new attempt does not show again). Call with every state the link reports.
 */
export function linkStateFollower(show: (status: NodeStatus) => void): (state: LinkState, detail?: string) => void {
  let downBecause: string | undefined;
  let shown: string | undefined;
  return (state, detail) => {
    if (state === 'reconnecting' && detail) downBecause = detail;
    else if (state !== 'reconnecting') downBecause = undefined;
    const status = linkStateStatus(state, state === 'reconnecting' ? downBecause : detail);
    if (status === undefined) return;
    const said = JSON.stringify(status);
    if (said === shown) return;
    shown = said;
    show(status);
  };
}
