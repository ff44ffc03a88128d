/** Loopback ports for tests. */
import net from 'node:net';

/** A loopback port nobody listens on (connections are refused at once): bind one, note it, close it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
