/**
 * A subscriber in its own process (so its CPU is not the measured one): counts what
 * mosquitto delivers on a topic filter and answers `{ count }` to any IPC message.
 * `fork(mqtt-counter-child.js, [port, filter])`; it says `{ ready: true }` once subscribed.
 */
import mqtt from 'mqtt';

async function main(): Promise<void> {
  const [port, filter] = process.argv.slice(2);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  let count = 0;
  client.on('message', () => {
    count += 1;
  });
  await client.subscribeAsync(filter, { qos: 0 });
  process.on('message', () => process.send?.({ count }));
  process.on('disconnect', () => {
    client.end(true, () => process.exit(0));
  });
  process.send?.({ ready: true });
}

main().catch((err: unknown) => {
  console.error(`counter child: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
