/**
 * socomec-read-identity: who the meter is (signature, family, product name, versions,
 * serial number, options), on each input and optionally once after deploy. Fails
 * clearly when the unit id answers but is not a Socomec meter.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import {
  attachConnection,
  buildOutput,
  configuredUnitId,
  errorStatus,
  explainError,
  onMeterInput,
  outputTopic,
  rejectInputs,
  successStatus,
} from './common';

interface ReadIdentityDef extends NodeDef {
  connection: string;
  unitId?: number | string;
  topic?: string;
  /** Read once right after deploy, without an input. */
  readOnDeploy?: boolean;
  /** Also read the customization, calibration and legacy options blocks (payload.details). */
  details?: boolean;
}

export = function (RED: NodeAPI): void {
  function SocomecReadIdentityNode(this: Node, def: ReadIdentityDef): void {
    RED.nodes.createNode(this, def);
    setupReadIdentity(this, def);
  }

  /** The node's behaviour, on the node Node-RED just created. */
  function setupReadIdentity(node: Node, def: ReadIdentityDef): void {
    let configuredUnit: number;
    try {
      configuredUnit = configuredUnitId(def.unitId);
    } catch (err) {
      rejectInputs(node, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const attached = attachConnection(RED, node, def.connection);
    if (attached === undefined) return;

    const read = async (msg: NodeMessage | undefined, unitId: number): Promise<NodeMessage> => {
      const device = attached.device(unitId);
      const { timestamp, requests, ...identity } = await device.readIdentity({ details: def.details === true });
      const name = identity.extendedName || identity.productName || 'identified';
      // A Socomec product without a profile says so: its readings, settings and resets will be refused.
      node.status(successStatus(`${name}${identity.model === null ? ' (no profile)' : ''}, unit ${unitId}`, timestamp));
      const output = buildOutput(msg, { payload: identity, units: {}, timestamp }, { topic: outputTopic(def.topic, msg, unitId), unitId });
      return { ...output, diagnostics: { link: attached.describe(), requests } };
    };

    onMeterInput(node, attached, { unitId: configuredUnit, block: 'identity' }, async (msg, unitId) => [await read(msg, unitId)]);

    let deployTimer: NodeJS.Timeout | undefined;
    if (def.readOnDeploy === true) {
      // After the flow has started, so the output wires and the link exist.
      deployTimer = setTimeout(() => {
        deployTimer = undefined;
        const msg: NodeMessage = { topic: outputTopic(def.topic, undefined, configuredUnit) };
        read(undefined, configuredUnit).then(
          (output) => node.send(output),
          (err: unknown) => {
            node.status(errorStatus(err));
            node.error(explainError(err, { unitId: configuredUnit, link: attached.describe(), block: 'identity' }), msg);
          },
        );
      }, 0);
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      if (deployTimer !== undefined) clearTimeout(deployTimer);
      attached.release();
      node.status({});
      done();
    });
  }

  RED.nodes.registerType('socomec-read-identity', SocomecReadIdentityNode);
};
