/**
 * The README's troubleshooting table against the code: every error kind the package can
 * raise (the runtime lists behind the LinkError / DeviceError kind types), every status
 * text a node can show for it, and every link state, has a row. A new kind without a row
 * fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEVICE_ERROR_KINDS, DeviceError, describeError, type DeviceErrorKind } from '../../src/device';
import { linkStateStatus } from '../../src/nodes/node-status';
import { LINK_ERROR_KINDS, modbusExceptionName } from '../../src/transport';

const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

interface Row {
  seen: string;
  kinds: string[];
  cause: string;
  fix: string;
}

/** The rows of the table under "## Troubleshooting": | what you see | kind | likely cause | fix |. */
function troubleshootingRows(): Row[] {
  const start = README.indexOf('\n## Troubleshooting\n');
  assert.ok(start >= 0, 'README has a "## Troubleshooting" section');
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1) // the header
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      assert.equal(cells.length, 4, `a troubleshooting row has 4 cells: ${line}`);
      const [seen, kindCell, cause, fix] = cells;
      return { seen, kinds: [...kindCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]), cause, fix };
    });
}

describe('README troubleshooting table', () => {
  const rows = troubleshootingRows();
  const allKinds = [...new Set<string>([...LINK_ERROR_KINDS, ...DEVICE_ERROR_KINDS])];

  it('has a row with a cause and a fix for every error kind the link and the device raise', () => {
    assert.ok(allKinds.length >= 10, `kinds read from the code: ${allKinds.join(', ')}`);
    for (const kind of allKinds) {
      const row = rows.find((r) => r.kinds.includes(kind));
      assert.ok(row, `no troubleshooting row for error kind "${kind}"`);
      assert.ok(row.cause.length > 20 && row.fix.length > 20, `the row for "${kind}" says little: ${JSON.stringify(row)}`);
    }
  });

  it('names no kind the code does not have', () => {
    const known = new Set<string>([...allKinds, 'status']);
    for (const row of rows) for (const kind of row.kinds) assert.ok(known.has(kind), `README lists unknown kind "${kind}"`);
  });

  it('quotes the status text a node shows for each kind, as the node words it', () => {
    // "exception" alone is the status without a code; the codes have their own test below.
    for (const kind of allKinds.filter((k) => k !== 'exception')) {
      const { text } = describeError(new DeviceError(kind as DeviceErrorKind, 'x'));
      const row = rows.find((r) => r.kinds.includes(kind) && r.seen.includes(`"${text}"`));
      assert.ok(row, `no row for kind "${kind}" quotes its status "${text}"`);
    }
  });

  it('explains Modbus exceptions 1, 2, 3, 4, 10 and 11 with their status and name', () => {
    for (const code of [1, 2, 3, 4, 10, 11]) {
      const { text } = describeError(new DeviceError('exception', 'x', { modbusCode: code }));
      const row = rows.find((r) => r.kinds.includes('exception') && r.seen.includes(`"${text}"`));
      assert.ok(row, `no row for "${text}"`);
      assert.ok(row.seen.includes(modbusExceptionName(code)), `the row for ${text} names it "${modbusExceptionName(code)}"`);
    }
  });

  it('explains the link states a node shows', () => {
    for (const state of ['connecting', 'reconnecting', 'closed'] as const) {
      const text = linkStateStatus(state)!.text;
      assert.ok(
        rows.some((r) => r.kinds.includes('status') && r.seen.includes(`"${text}"`)),
        `no status row quotes the link state "${text}"`,
      );
    }
  });
});
