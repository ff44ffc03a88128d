/**
 * Request PDUs out and reply PDUs in, shared by our Modbus TCP (MBAP) and RTU clients:
 * function code and data, without the framing around them.
 */
import type { GuardedOperation } from './reply-guard';
import type { OperationReply } from './reply';

export function encodeRequestPdu(op: GuardedOperation): Buffer {
  if (op.fn === 16) {
    const pdu = Buffer.alloc(6 + 2 * op.values.length);
    pdu[0] = 16;
    pdu.writeUInt16BE(op.address, 1);
    pdu.writeUInt16BE(op.values.length, 3);
    pdu[5] = 2 * op.values.length;
    for (let i = 0; i < op.values.length; i++) pdu.writeUInt16BE(op.values[i], 6 + 2 * i);
    return pdu;
  }
  const pdu = Buffer.alloc(5);
  pdu[0] = op.fn;
  if (op.fn === 8) {
    pdu.writeUInt16BE(0, 1); // sub-function 0: return query data
    pdu.writeUInt16BE(op.echo, 3);
  } else {
    pdu.writeUInt16BE(op.address, 1);
    pdu.writeUInt16BE(op.fn === 3 ? op.count : op.value, 3);
  }
  return pdu;
}

/** A Modbus exception answer, shaped like modbus-serial's (classified by `modbusCode`). */
export function exceptionError(code: number): Error & { modbusCode: number } {
  return Object.assign(new Error(`Modbus exception ${code}`), { modbusCode: code });
}

/**
 * The reply to `op` carried by `body` (the bytes after the function code), given a
 * function code that is `op`'s: throws a plain-words Error when its length does not fit.
 */
export function replyFromBody(op: GuardedOperation, body: Buffer): OperationReply {
  if (op.fn === 3) {
    if (body.length !== 1 + 2 * op.count || body[0] !== 2 * op.count) {
      throw new Error(`Data length error: ${body.length - 1} bytes of data, expected ${2 * op.count}`);
    }
    const values = new Array<number>(op.count);
    for (let i = 0; i < op.count; i++) values[i] = body.readUInt16BE(1 + 2 * i);
    return { fn: 3, values };
  }
  if (body.length !== 4) throw new Error(`Data length error: ${body.length} bytes, expected 4`);
  if (op.fn === 16) return { fn: 16, address: body.readUInt16BE(0), length: body.readUInt16BE(2) };
  return { fn: 6, address: body.readUInt16BE(0), value: body.readUInt16BE(2) };
}
