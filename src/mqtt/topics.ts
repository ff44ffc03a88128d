/**
 * The topic scheme: `<prefix>/<site>/<meter>/<key>` for plain values, `.../state` for the
 * JSON state of a meter, `.../availability` for online/offline, and Home Assistant's
 * `<discoveryPrefix>/sensor/<node id>/<object id>/config` for discovery. `<meter>` is a
 * name or the meter's serial number, never a bare unit id (those repeat on every line).
 */

/** Topic levels under a meter that are not value keys. No measurement key is one of them (a unit test checks). */
export const STATE_LEVEL = 'state';
export const AVAILABILITY_LEVEL = 'availability';
export const RESERVED_LEVELS: readonly string[] = [STATE_LEVEL, AVAILABILITY_LEVEL];

export const ONLINE = 'online';
export const OFFLINE = 'offline';

/**
 * One topic level from a user's name: MQTT forbids `+` and `#` in published topics and a
 * `/` would add a level; spaces and other characters are kept readable as `_`.
 * Undefined when nothing usable is left.
 */
export function topicLevel(name: string): string | undefined {
  const level = name
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return level === '' ? undefined : level;
}

/**
 * A Home Assistant discovery id (node id, object id, unique id): only `[A-Za-z0-9_-]`.
 */
export function discoveryId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '_');
}

/** The topics of one meter. */
export interface MeterTopics {
  /** `<prefix>/<site>/<meter>` */
  base: string;
  value(key: string): string;
  state: string;
  availability: string;
}

export function meterTopics(prefix: string, site: string, meter: string): MeterTopics {
  const base = `${prefix}/${site}/${meter}`;
  return {
    base,
    value: (key) => `${base}/${key}`,
    state: `${base}/${STATE_LEVEL}`,
    availability: `${base}/${AVAILABILITY_LEVEL}`,
  };
}

/** Home Assistant's config topic of one sensor. */
export function discoveryTopic(discoveryPrefix: string, nodeId: string, objectId: string): string {
  return `${discoveryPrefix}/sensor/${discoveryId(nodeId)}/${discoveryId(objectId)}/config`;
}

/** The topic Home Assistant publishes its birth ("online") and last will ("offline") on. */
export function homeAssistantStatusTopic(discoveryPrefix: string): string {
  return `${discoveryPrefix}/status`;
}
