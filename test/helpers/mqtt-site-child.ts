/**
 * One site of the two-site MQTT test, in its own process: a DIRIS simulator (unit ids 5
 * and 6, real clock) and a Node-RED runtime running the MQTT flow against the site
 * broker. `node mqtt-site-child.js <site> <brokerPort> <seed>`; prints one JSON line
 * `{"ready":true,"simulatorPort":N}` once the flow runs; SIGTERM stops it cleanly (the
 * test SIGKILLs it to see the broker node's will message arrive).
 */
import { startSimulator } from '../../src/simulator';
import { MQTT_FLOW_NODES, pipeline } from './mqtt-flow';
import { helper } from './node-red';

async function main(): Promise<void> {
  const [site, brokerPort, seed] = process.argv.slice(2);
  const sim = await startSimulator({ transport: 'tcp', host: '127.0.0.1', port: 0, unitIds: [5, 6], seed: Number(seed) });
  await helper.load(MQTT_FLOW_NODES, pipeline(sim, Number(brokerPort), { site, discovery: false, pollSeconds: 0.5 }));
  process.stdout.write(`${JSON.stringify({ ready: true, simulatorPort: sim.port })}\n`);
  process.once('SIGTERM', () => {
    helper
      .unload()
      .then(() => sim.close())
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`site child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
