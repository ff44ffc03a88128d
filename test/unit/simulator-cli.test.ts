/** The socomec-sim command line: what each option turns into, and what it refuses. */
import assert from 'node:assert/strict';
import { DEFAULT_TCP_PORT, parseCli } from '../../src/cli/socomec-sim';

describe('socomec-sim command line', () => {
  it('serves Modbus TCP on 127.0.0.1:5020 for unit 5 when given nothing', () => {
    const config = parseCli([]);
    assert.deepEqual(config.transports, [{ kind: 'tcp', port: DEFAULT_TCP_PORT }]);
    assert.equal(DEFAULT_TCP_PORT, 5020);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.unitIds, [5]);
    assert.equal(config.latencyMs, 0);
    assert.deepEqual(config.silentUnits, []);
  });

  it('takes several transports, serial settings, unit ids and faults', () => {
    const config = parseCli([
      '--tcp', '0', '--rtu-over-tcp', '1502', '--rtu', '/dev/pts/9', '--baud', '9600', '--parity', 'even',
      '--data-bits', '7', '--stop-bits', '2', '--units', '5, 6,7', '--seed', '42', '--wire-timing',
      '--latency', '120', '--silent', '7', '--host', '0.0.0.0',
    ]);
    assert.deepEqual(config.transports, [
      { kind: 'tcp', port: 0 },
      { kind: 'rtu-over-tcp', port: 1502 },
      { kind: 'rtu', path: '/dev/pts/9' },
    ]);
    assert.deepEqual(
      [config.baudRate, config.parity, config.dataBits, config.stopBits, config.seed, config.wireTiming, config.latencyMs, config.host],
      [9600, 'even', 7, 2, 42, true, 120, '0.0.0.0'],
    );
    assert.deepEqual(config.unitIds, [5, 6, 7]);
    assert.deepEqual(config.silentUnits, [7]);
    assert.equal(config.refuseWrite, undefined);
  });

  it('refuses the Nth write with exception 4, or the code given', () => {
    assert.deepEqual(parseCli(['--refuse-write', '2']).refuseWrite, { nth: 2, code: 4 });
    assert.deepEqual(parseCli(['--refuse-write', '3:6']).refuseWrite, { nth: 3, code: 6 });
  });

  it('refuses bad values with a message naming the option', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--tcp', 'http'], /--tcp must be an integer 0\.\.65535/],
      [['--tcp', '70000'], /--tcp/],
      [['--units', '5,0'], /--units must be an integer 1\.\.247/],
      [['--parity', 'mark'], /--parity must be one of none, even, odd/],
      [['--data-bits', '9'], /--data-bits/],
      [['--latency', '-5'], /--latency/],
      [['--seed', 'x'], /--seed/],
      [['--refuse-write', '0'], /--refuse-write must be an integer 1\.\.1000000/],
      [['--refuse-write', '2:300'], /--refuse-write must be an integer 1\.\.255/],
      [['--refuse-write', '2:4:1'], /--refuse-write must be N or N:CODE/],
      [['--frobnicate'], /frobnicate/],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseCli(argv), message, argv.join(' '));
  });
});
