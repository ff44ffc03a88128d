/**
 * The node layer's one error: its fields, its message worded once (from the locale files,
 * in the runtime's language), never naming the meter twice, and what a Catch node shows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceError } from '../../src/device';
import { explainError, MeterNodeError, NodeInputError } from '../../src/nodes/node-errors';
import { LinkError } from '../../src/transport';

const LINK = 'tcp 10.0.0.9:502';

describe('the node layer\'s error', () => {
  it('carries kind, unit id, link, block and cause as fields, and names them in its message', () => {
    const input = new NodeInputError('msg.unitId must be an integer 1..247, got 300');
    const err = explainError(input, { unitId: 5, link: LINK, block: 'measurements' });
    assert.ok(err instanceof MeterNodeError);
    assert.deepEqual(
      { kind: err.kind, unitId: err.unitId, link: err.link, block: err.block, cause: err.cause },
      { kind: 'input', unitId: 5, link: LINK, block: 'measurements', cause: input },
    );
    assert.equal(err.message, `meter 5 on ${LINK}: measurements: msg.unitId must be an integer 1..247, got 300`);
    // What Node-RED hands a Catch node (msg.error.message) is String(err).
    assert.equal(String(err), err.message);
  });

  it('keeps a device error\'s own wording, which names the meter, the block and the cause already', () => {
    const device = new DeviceError('timeout', `meter 5 on ${LINK}: reading 80 registers at 50512 (instantaneous (50512)) failed: unit 5: no answer within 1000 ms`, {
      unitId: 5,
      block: 'instantaneous (50512)',
    });
    const err = explainError(device, { unitId: 5, link: LINK, block: 'measurements' });
    assert.equal(err.message, device.message);
    assert.equal(err.kind, 'timeout');
    assert.equal(err.block, 'instantaneous (50512)', 'the block the device names wins over the node\'s');
  });

  it('keeps the Modbus exception code and the problems of the cause', () => {
    const link = new LinkError('exception', 'unit 5: Modbus exception 2 (illegal data address)', { unitId: 5, modbusCode: 2 });
    const err = explainError(link, { link: LINK, block: 'identity' });
    assert.equal(err.unitId, 5, 'the unit id from the cause');
    assert.equal(err.modbusCode, 2);
    assert.equal(err.message, `meter 5 on ${LINK}: identity: unit 5: Modbus exception 2 (illegal data address)`);
    const refused = explainError(new NodeInputError('settings refused', { problems: ['a', 'b'] }), { unitId: 6 });
    assert.deepEqual(refused.problems, ['a', 'b']);
    assert.equal(refused.message, 'meter 6: settings refused');
  });

  it('is worded in the runtime\'s language through Node-RED\'s own i18n', async () => {
    const root = join(__dirname, '..', '..', '..');
    const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name;
    const script = `
      const { i18n } = require(${JSON.stringify(require.resolve('@node-red/util'))});
      const status = require(${JSON.stringify(require.resolve('../../src/nodes/status-text'))});
      const errors = require(${JSON.stringify(require.resolve('../../src/nodes/node-errors'))});
      (async () => {
        await i18n.init({ lang: 'fr' });
        await i18n.registerMessageCatalog(${JSON.stringify(`${name}/socomec-connection`)}, ${JSON.stringify(join(root, 'nodes', 'locales'))}, 'socomec-connection.json');
        status.useRuntimeLanguage((key, params) => i18n._(key, params));
        process.stdout.write(errors.explainError(new errors.NodeInputError('bad'), { unitId: 5, link: 'tcp h:502', block: 'mesures' }).message);
      })();`;
    const said = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)));
    });
    assert.equal(said, 'compteur 5 sur tcp h:502 : mesures : bad');
  });
});
