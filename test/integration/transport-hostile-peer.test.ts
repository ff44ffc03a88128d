/**
 * Peers that break the protocol. The simulator only breaks it in the ways a meter does
 * (silence, bad CRC, short answers); these raw sockets do the rest: random bytes, replies
 * cut short, unsolicited chatter and resets. None may crash the process.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { TransportKind } from '../../src/transport';
import { Cleanup, rejectsWithKind } from './transport-fixtures';

type Behaviour = (socket: net.Socket, request: Buffer) => void;

/** A raw TCP peer on a free loopback port that answers each received chunk with `behaviour`. */
async function hostilePeer(cleanup: Cleanup, behaviour: Behaviour): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => behaviour(socket, chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** Bytes that look a bit like a reply: the request's own unit id and function, then noise. */
function noiseLike(request: Buffer, length: number, tcp: boolean): Buffer {
  const noise = Buffer.from(Array.from({ length }, (_, i) => (i * 73 + 41) & 0xff));
  const headerAt = tcp ? 6 : 0;
  if (request.length > headerAt + 1) {
    noise[headerAt] = request[headerAt];
    noise[headerAt + 1] = request[headerAt + 1];
  }
  if (tcp && request.length >= 2) request.copy(noise, 0, 0, 2); // same transaction id
  return noise;
}

for (const transport of ['tcp', 'rtu-over-tcp'] as const satisfies readonly TransportKind[]) {
  describe(`transport facing a hostile peer over ${transport}`, () => {
    const cleanup = new Cleanup();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    beforeEach(() => process.on('unhandledRejection', onUnhandled));
    afterEach(async () => {
      process.off('unhandledRejection', onUnhandled);
      await cleanup.run();
      assert.deepEqual(unhandled.splice(0), [], 'no unhandled rejection');
    });
    const tcp = transport === 'tcp';

    function linkTo(port: number) {
      return cleanup.link({ transport, host: '127.0.0.1', port, timeoutMs: 200, retries: 0, reconnectInitialMs: 20, unitBackoffAfter: 100 });
    }

    it('turns random bytes, short replies and chatter into framing or timeout errors', async () => {
      let reply: Behaviour = (socket, request) => socket.write(noiseLike(request, 40, tcp));
      const port = await hostilePeer(cleanup, (socket, request) => reply(socket, request));
      const link = linkTo(port);
      for (let i = 0; i < 5; i++) {
        const err = await link.readHoldingRegisters(1, i, 3).then(
          () => assert.fail('noise must not pass for an answer'),
          (e: Error & { kind: string }) => e,
        );
        assert.ok(['framing', 'timeout'].includes(err.kind), `random bytes gave ${err.kind}: ${err.message}`);
      }
      reply = (socket, request) => socket.write(noiseLike(request, 5, tcp)); // cut short
      for (let i = 0; i < 3; i++) {
        const err = await link.readHoldingRegisters(1, 0, 10).then(
          () => assert.fail('a truncated frame must not pass for an answer'),
          (e: Error & { kind: string }) => e,
        );
        assert.ok(['framing', 'timeout'].includes(err.kind), `short reply gave ${err.kind}: ${err.message}`);
      }
      reply = (socket) => {
        // Chatter: unrelated bytes in several pieces, nothing that answers.
        for (let i = 0; i < 5; i++) socket.write(Buffer.alloc(64, 0x55 + i));
      };
      await rejectsWithKind(link.readHoldingRegisters(2, 0, 1), 'timeout');
      assert.equal(link.state, 'connected');
      assert.ok(link.stats.errors >= 9);
    });

    it('survives resets in the middle of a request and keeps reconnecting', async () => {
      const port = await hostilePeer(cleanup, (socket) => socket.resetAndDestroy());
      const link = linkTo(port);
      for (let i = 0; i < 3; i++) {
        const err = await link.readHoldingRegisters(1, 0, 1).then(
          () => assert.fail('a reset must not pass for an answer'),
          (e: Error & { kind: string }) => e,
        );
        assert.equal(err.kind, 'link', err.message);
      }
      assert.ok(link.stats.reconnects >= 1, 'it reconnected between the resets');
    });
  });
}
