import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BROADCAST_UNIT_ID, MAX_READ_REGISTERS, MAX_UNIT_ID, MAX_WRITE_REGISTERS } from '../../src/modbus/limits';
import { planReads, planWrites } from '../../src/planner';
import { BLOCKS } from '../../src/registers';
import { handlePdu } from '../../src/simulator/protocol';
import { readOperation, writeManyOperation, writeOneOperation } from '../../src/transport/operations';

const SRC = path.join(__dirname, '..', '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** A unit that answers every in-range read with zeros and accepts every write. */
const zeros = {
  readHoldingRegisters: (_address: number, count: number) => new Array<number>(count).fill(0),
  writeRegisters: () => undefined,
};

describe('protocol limits live in one module', () => {
  it('no other source file defines the 125 / 123 register limits or the broadcast id', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (file.endsWith(path.join('modbus', 'limits.ts'))) continue;
      const text = fs.readFileSync(file, 'utf8');
      if (/=\s*12[53]\s*;/.test(text) || /BROADCAST\w*\s*=\s*0\b/.test(text)) offenders.push(path.relative(SRC, file));
    }
    assert.deepEqual(offenders, []);
  });

  it('the transport refuses one register past each limit, naming the limit', () => {
    assert.equal(readOperation(5, 0, MAX_READ_REGISTERS).fn, 3);
    assert.throws(() => readOperation(5, 0, MAX_READ_REGISTERS + 1), new RegExp(`count must be an integer 1\\.\\.${MAX_READ_REGISTERS}, got ${MAX_READ_REGISTERS + 1}`));
    assert.equal(writeManyOperation(5, 0, new Array<number>(MAX_WRITE_REGISTERS).fill(1)).fn, 16);
    assert.throws(() => writeManyOperation(5, 0, new Array<number>(MAX_WRITE_REGISTERS + 1).fill(1)), new RegExp(`1\\.\\.${MAX_WRITE_REGISTERS} registers`));
    assert.throws(() => readOperation(BROADCAST_UNIT_ID, 0, 1), /unitId 0 is broadcast/);
    assert.equal(writeOneOperation(BROADCAST_UNIT_ID, 0, 1).unitId, BROADCAST_UNIT_ID);
    assert.throws(() => readOperation(MAX_UNIT_ID + 1, 0, 1), new RegExp(`0\\.\\.${MAX_UNIT_ID}`));
  });

  it('the simulator answers exception 3 (illegal data value) one register past each limit', () => {
    const read = (count: number): Buffer => handlePdu(zeros, Buffer.from([3, 0, 0, count >> 8, count & 0xff]))!;
    assert.equal(read(MAX_READ_REGISTERS)[0], 3);
    assert.deepEqual([...read(MAX_READ_REGISTERS + 1)], [0x83, 3]);
    const write = (count: number): Buffer => {
      const pdu = Buffer.alloc(6 + 2 * count);
      pdu.writeUInt8(16, 0);
      pdu.writeUInt16BE(0, 1);
      pdu.writeUInt16BE(count, 3);
      pdu.writeUInt8((2 * count) & 0xff, 5);
      return handlePdu(zeros, pdu)!;
    };
    assert.equal(write(MAX_WRITE_REGISTERS)[0], 16);
    assert.deepEqual([...write(MAX_WRITE_REGISTERS + 1)], [0x90, 3]);
  });

  it('the planner never plans past the limits, even for a whole block', () => {
    const wanted = BLOCKS.flatMap((block) => (block.lockedAccess.includes('READ') ? block.fields.map((field) => ({ block, field })) : []));
    for (const request of planReads(wanted)) assert.ok(request.count <= MAX_READ_REGISTERS, `${request.address}: ${request.count}`);
    const words = Array.from({ length: 300 }, (_, i) => ({ field: { address: 1000 + i, words: 1 } as never, words: [i] }));
    for (const run of planWrites(words)) assert.ok(run.words.length <= MAX_WRITE_REGISTERS);
  });
});
