/** Modbus TCP slave: MBAP-framed requests, answers echo the transaction id. */
import { MbapDecoder, encodeMbapFrame } from './mbap';
import { startStreamServer, type StreamDecoder, type TcpServerOptions } from './socket-server';
import type { RunningServer } from './types';

/** A garbled TCP answer loses its last PDU byte (MBAP length kept consistent), as a short read would. */
function truncated(pdu: Buffer): Buffer {
  return pdu.subarray(0, Math.max(1, pdu.length - 1));
}

function createMbapStreamDecoder(): StreamDecoder {
  const decoder = new MbapDecoder();
  return {
    push(chunk) {
      const { requests, fatal } = decoder.push(chunk);
      return {
        rejected: 0,
        fatal,
        requests: requests.map((request) => ({
          unitId: request.unitId,
          pdu: request.pdu,
          frameAnswer: (answer, garbled) =>
            encodeMbapFrame(request.transactionId, request.unitId, garbled ? truncated(answer) : answer),
        })),
      };
    },
  };
}

/** Start a Modbus TCP slave. A frame with protocol id != 0 or an impossible length closes its connection. */
export function startTcpServer(options: TcpServerOptions): Promise<RunningServer> {
  return startStreamServer(options, createMbapStreamDecoder);
}
