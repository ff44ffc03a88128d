/**
 * socomec-read-identity: who the meter is (signature, family, product name, versions,
 * serial number, options), on each input and optionally once after deploy. Fails
 * clearly when the unit id answers but is not a Socomec meter.
 */
import type { NodeAPI } from 'node-red';
import { configuredUnitId } from './input-parsing';
import { defineMeterNode, type MeterNodeDef, type MeterNodeSettings } from './meter-node';
import { successStatus } from './node-status';
import { statusText } from './status-text';

interface ReadIdentityDef extends MeterNodeDef {
  unitId?: number | string;
  topic?: string;
  /** Read once right after deploy, without an input. */
  readOnDeploy?: boolean;
  /** Also read the customization, calibration and legacy options blocks (payload.details). */
  details?: boolean;
}

interface ReadIdentitySettings extends MeterNodeSettings {
  details: boolean;
}

function parse(def: ReadIdentityDef): ReadIdentitySettings {
  return {
    unitId: configuredUnitId(def.unitId),
    poll: def.readOnDeploy === true ? 'once' : undefined,
    topic: def.topic,
    block: 'identity',
    details: def.details === true,
  };
}

export = function (RED: NodeAPI): void {
  defineMeterNode<ReadIdentityDef, ReadIdentitySettings>(RED, {
    type: 'socomec-read-identity',
    parse,
    work:
      ({ settings, attached, output, status }) =>
      async (msg, unitId) => {
        const { timestamp, requests, ...identity } = await attached.device(unitId).readIdentity({ details: settings.details });
        const name = identity.extendedName || identity.productName || statusText('identified');
        // A Socomec product without a profile says so: its readings, settings and resets will be refused.
        const shown = identity.model === null ? `${name} (${statusText('noProfile')})` : name;
        status(successStatus(statusText('identity', { name: shown, unitId: String(unitId) }), timestamp));
        return [output(msg, unitId, { payload: identity, timestamp, requests })];
      },
  });
};
