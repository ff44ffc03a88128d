/**
 * The demo's command line: --meter / --rtu / --rtu-over-tcp / --unit build the connection
 * the demo flow is pointed at, and wrong flags are refused with a message naming them.
 */
import assert from 'node:assert/strict';
import { connectionProperties, describeMeter, parseDemoArguments } from '../../src/cli/demo';
import { linkConfigFromSettings } from '../../src/nodes/connection-settings';

const parse = (...argv: string[]): ReturnType<typeof parseDemoArguments> => parseDemoArguments(argv, {});
/** The LinkConfig the connection node builds from what the demo writes into the flow. */
const linkOf = (...argv: string[]): ReturnType<typeof linkConfigFromSettings> => {
  const { meter } = parse(...argv);
  assert.ok(meter, `no meter from ${argv.join(' ')}`);
  return linkConfigFromSettings(connectionProperties(meter) as Parameters<typeof linkConfigFromSettings>[0]);
};

describe('demo command line: a real meter instead of the simulator', () => {
  it('--meter tcp://HOST:PORT --unit 5 is a Modbus TCP connection to that host and port, reading unit 5', () => {
    const options = parse('--meter', 'tcp://192.168.1.50:1502', '--unit', '5');
    assert.deepEqual(options.unitIds, [5]);
    assert.deepEqual(linkOf('--meter', 'tcp://192.168.1.50:1502'), { transport: 'tcp', host: '192.168.1.50', port: 1502, timeoutMs: 1000, retries: 1 });
    assert.equal(describeMeter(options.meter!), 'Modbus TCP 192.168.1.50:1502');
  });

  it('--meter without a port uses 502; an IPv6 host goes in brackets', () => {
    assert.equal(linkOf('--meter', 'tcp://meter.local').port, 502);
    assert.deepEqual(linkOf('--meter', 'tcp://[fd00::5]:502').host, 'fd00::5');
  });

  it('--rtu PATH --baud N is a serial RTU connection, 8N1', () => {
    assert.deepEqual(linkOf('--rtu', '/dev/ttyUSB0', '--baud', '19200'), {
      transport: 'rtu',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      timeoutMs: 1000,
      retries: 1,
    });
    assert.equal(linkOf('--rtu', 'COM3').baudRate, 9600);
  });

  it('--rtu-over-tcp HOST:PORT (and --meter rtu-over-tcp://) is raw RTU to a transparent gateway', () => {
    assert.deepEqual(linkOf('--rtu-over-tcp', '10.0.0.9:4001'), { transport: 'rtu-over-tcp', host: '10.0.0.9', port: 4001, timeoutMs: 1000, retries: 1 });
    assert.deepEqual(linkOf('--meter', 'rtu-over-tcp://10.0.0.9:4001'), linkOf('--rtu-over-tcp', '10.0.0.9:4001'));
  });

  it('--unit takes a list; without a meter the simulator defaults stay', () => {
    assert.deepEqual(parse('--unit', '5,6,7').unitIds, [5, 6, 7]);
    const plain = parse();
    assert.equal(plain.meter, undefined);
    assert.equal(plain.unitIds, undefined);
  });

  it('refuses wrong or conflicting flags, naming them', () => {
    assert.throws(() => parse('--meter', '192.168.1.50:502'), /--meter must be tcp:\/\/HOST:PORT.*"192\.168\.1\.50:502"/);
    assert.throws(() => parse('--meter', 'tcp://host:99999'), /--meter must be HOST:PORT/);
    assert.throws(() => parse('--meter', 'tcp://a:502', '--rtu', '/dev/ttyUSB0'), /use one of --meter, --rtu-over-tcp and --rtu, not --meter and --rtu/);
    assert.throws(() => parse('--rtu-over-tcp', '10.0.0.9:4001', '--baud', '9600'), /--baud goes with --rtu/);
    assert.throws(() => parse('--rtu', '/dev/ttyUSB0', '--baud', '9601'), /--baud must be 2400, .* got "9601"/);
    assert.throws(() => parse('--unit', '0'), /--unit must be unit ids 1\.\.247/);
    assert.throws(() => parse('--unit', '5,x'), /--unit must be unit ids 1\.\.247/);
  });
});
