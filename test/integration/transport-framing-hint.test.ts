/** The common mistake, Modbus TCP chosen for a transparent RTU gateway or the reverse, is named in the error. */
import assert from 'node:assert/strict';
import { startRtuOverTcpServer, startTcpServer } from '../../src/simulator/protocol';
import { Cleanup, expectedValues, rejectsWithKind, unitsFor } from './transport-fixtures';

describe('transport: framing hint', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("says to choose 'TCP' when RTU over TCP gets no answer from a Modbus TCP device", async () => {
    const server = cleanup.server(await startTcpServer({ port: 0, units: unitsFor([5]).lookup }));
    const link = cleanup.link({ transport: 'rtu-over-tcp', host: '127.0.0.1', port: server.port, timeoutMs: 200, retries: 0 });
    const err = await rejectsWithKind(link.readHoldingRegisters(5, 0, 2), 'timeout');
    assert.match(err.message, /^unit 5: no answer within 200 ms; nothing has answered on this link yet: if the device speaks Modbus TCP .*choose 'TCP'/);
  });

  it("says to choose 'RTU over TCP' when Modbus TCP gets no answer from a transparent gateway", async () => {
    const server = cleanup.server(await startRtuOverTcpServer({ port: 0, units: unitsFor([5]).lookup }));
    const link = cleanup.link({ transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 200, retries: 0 });
    const err = await rejectsWithKind(link.readHoldingRegisters(5, 0, 2), 'timeout');
    assert.match(err.message, /nothing has answered on this link yet: if the device is a transparent serial gateway \(raw RTU frames\), choose 'RTU over TCP'/);
  });

  it('gives no hint once the line has answered: then a timeout is that meter’s', async () => {
    const server = cleanup.server(await startTcpServer({ port: 0, units: unitsFor([5]).lookup, faults: { silentUnits: new Set([7]) } }));
    const link = cleanup.link({ transport: 'tcp', host: '127.0.0.1', port: server.port, timeoutMs: 200, retries: 0 });
    assert.deepEqual(await link.readHoldingRegisters(5, 0, 2), expectedValues(5, 0, 2));
    const err = await rejectsWithKind(link.readHoldingRegisters(7, 0, 2), 'timeout');
    assert.equal(err.message, 'unit 7: no answer within 200 ms');
  });
});
