import assert from 'node:assert/strict';
import { decodeField } from '../../src/codec';
import { parseCli } from '../../src/cli/socomec-sim';
import { getProfile, profileBlock, type ModelId } from '../../src/registers';
import { DirisMeter, ModbusException } from '../../src/simulator';

const NOW = Date.UTC(2026, 0, 1);

function exceptionCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ModbusException, String(err));
    return err.code;
  }
  return undefined;
}

function read(meter: DirisMeter, blockId: string, key: string): unknown {
  const field = profileBlock(meter.profile, blockId)!.fields.find((f) => f.key === key)!;
  return decodeField(field, meter.readHoldingRegisters(field.address, field.words));
}

describe('simulated meters of every model', () => {
  it('serves each model\'s own block sizes: exception 2 past their end', () => {
    const sizes: Record<ModelId, number> = { A20: 80, A10: 74, A14: 62, E14: 62, E23: 62, E34: 62 };
    for (const [model, size] of Object.entries(sizes) as [ModelId, number][]) {
      const meter = new DirisMeter({ model, clock: () => NOW });
      assert.equal(meter.readHoldingRegisters(50512, size).length, size, model);
      if (size < 80) assert.equal(exceptionCode(() => meter.readHoldingRegisters(50512, size + 1)), 2, `${model} past the end`);
    }
    assert.equal(exceptionCode(() => new DirisMeter({ model: 'A10', clock: () => NOW }).readHoldingRegisters(36096, 4)), 2, 'A-10 options are one word');
    assert.equal(exceptionCode(() => new DirisMeter({ model: 'E14', clock: () => NOW }).readHoldingRegisters(36352, 1)), 2, 'a Countis E14 has no 36352');
  });

  it('names itself as the model it is', () => {
    for (const model of ['A10', 'A14', 'E14', 'E23', 'E34'] as ModelId[]) {
      const meter = new DirisMeter({ model, clock: () => NOW });
      assert.equal(read(meter, 'identification', 'signature'), 'SOCO');
      const name = `${String(read(meter, 'identification', 'productName'))}`.replace(/\s/g, '').toLowerCase();
      assert.ok(getProfile(model).names.some((n) => name.startsWith(n)), `${model}: ${name}`);
    }
  });

  it('takes each model\'s codings and commands', () => {
    const a10 = new DirisMeter({ model: 'A10', clock: () => NOW });
    a10.writeRegisters(36353, [0], 6);
    assert.equal(a10.setting('ctSecondary'), 1, 'the A-10 codes 1 A as 0');
    assert.equal(exceptionCode(() => a10.writeRegisters(36353, [1], 6)), 3, 'and refuses 1 there');
    assert.equal(a10.readHoldingRegisters(57345, 1)[0], 1, 'while 57345 codes it as 1');

    const e14 = new DirisMeter({ model: 'E14', clock: () => NOW });
    assert.ok((read(e14, 'energies', 'EaPos') as number) > 0);
    e14.writeRegisters(57890, [0x01], 6);
    assert.equal(read(e14, 'energies', 'EaPos'), 0, 'Countis reset at 57890');
    assert.ok((read(e14, 'energies', 'totalEaPos') as number) > 0, 'totals are not resettable');
    assert.equal(exceptionCode(() => e14.writeRegisters(1024, [0x80], 6)), 2, 'no 1024 on a Countis');
    assert.equal(exceptionCode(() => e14.writeRegisters(57856, [0xc3], 6)), 3, 'no factory configuration command');
  });

  it('parses --units with models', () => {
    const config = parseCli(['--units', '5:A20,6:a10,7:E34,8']);
    assert.deepEqual(config.unitIds, [5, 6, 7, 8]);
    assert.deepEqual(config.models, { 6: 'A10', 7: 'E34' });
    assert.throws(() => parseCli(['--units', '5:B30']), /unknown model "B30" for unit 5 \(models: A10, A14, A20, E14, E23, E34\)/);
  });
});
