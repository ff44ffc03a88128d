/** RTU over TCP: raw RTU frames on a socket, as a transparent serial-to-Ethernet gateway forwards them. */
import { RtuFrameDecoder, checkSilenceResetMs, corruptCrc, encodeRtuFrame } from './rtu-framing';
import { startStreamServer, type StreamDecoder, type TcpServerOptions } from './socket-server';
import type { RunningServer } from './types';

export interface RtuOverTcpServerOptions extends TcpServerOptions {
  /**
   * A partial frame is dropped when nothing more arrives for this long (default 20 ms).
   * There is no baud rate on a socket, so this stands in for the 3.5-character silence.
   */
  silenceResetMs?: number;
}

const DEFAULT_SOCKET_SILENCE_RESET_MS = 20;

export function startRtuOverTcpServer(options: RtuOverTcpServerOptions): Promise<RunningServer> {
  // Validated before listening so a bad option never leaves a listener behind.
  const silenceResetMs = checkSilenceResetMs(options.silenceResetMs ?? DEFAULT_SOCKET_SILENCE_RESET_MS);
  const createDecoder = (): StreamDecoder => {
    const decoder = new RtuFrameDecoder(silenceResetMs);
    return {
      push(chunk) {
        const { frames, rejected } = decoder.push(chunk);
        return {
          rejected,
          requests: frames.map((frame) => ({
            unitId: frame.unitId,
            pdu: frame.pdu,
            frameAnswer: (answer, garbled) => {
              const encoded = encodeRtuFrame(frame.unitId, answer);
              return garbled ? corruptCrc(encoded) : encoded;
            },
          })),
        };
      },
    };
  };
  return startStreamServer(options, createDecoder);
}
