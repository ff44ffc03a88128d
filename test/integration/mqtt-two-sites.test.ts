import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Mosquitto, Recorder, type Received } from '../helpers/mosquitto';
import { within } from '../helpers/node-red';

const CHILD = join(__dirname, '..', 'helpers', 'mqtt-site-child.js');

/** A site's Node-RED (with its simulator) in a child process. */
class Site {
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {}

  static async start(name: string, brokerPort: number, seed: number): Promise<Site> {
    const child = spawn(process.execPath, [CHILD, name, String(brokerPort), String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const site = new Site(name, child);
    let output = '';
    await within<void>(20_000, `site ${name}'s Node-RED ready`, (resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('"ready":true')) resolve();
      };
      const onExit = (code: number | null): void => reject(new Error(`site ${name} exited (${code}): ${output}`));
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
      return () => {
        child.stdout?.removeListener('data', onData);
        child.stderr?.removeListener('data', onData);
        child.removeListener('exit', onExit);
      };
    });
    child.stdout?.resume();
    child.stderr?.resume();
    return site;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      this.child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      this.child.kill(signal);
    });
  }
}

/** "socomec/<site>/<meter>/state" -> "<site>/<meter>". */
const meterOf = (m: Received): string | undefined => /^socomec\/([^/]+)\/([^/]+)\/state$/.exec(m.topic)?.slice(1, 3).join('/');

describe('two sites, each with its own Node-RED and broker, bridged to one central mosquitto', function () {
  this.timeout(60_000);
  let central: Mosquitto | undefined;
  const siteBrokers: Mosquitto[] = [];
  const sites: Site[] = [];
  const recorders: Recorder[] = [];

  after(async () => {
    for (const site of sites) await site.stop();
    for (const recorder of recorders) await recorder.close();
    for (const broker of siteBrokers) await broker.dispose();
    await central?.dispose();
  });

  it('every meter arrives centrally under a distinct id; QoS 1 messages queued while the central broker is down arrive after it returns; a killed site\'s will arrives', async () => {
    central = await Mosquitto.start({ persistence: true });
    for (const name of ['siteA', 'siteB']) {
      siteBrokers.push(await Mosquitto.start({ bridges: [{ name: `${name}-bridge`, port: central.port, topics: ['socomec/# out 1'] }] }));
    }
    // A persistent session on the central broker (as Telegraf or SCADA would keep).
    const centralSub = await Recorder.connect(central.port, ['socomec/#'], { clientId: 'central-subscriber', clean: false });
    recorders.push(centralSub);
    sites.push(await Site.start('siteA', siteBrokers[0].port, 1), await Site.start('siteB', siteBrokers[1].port, 2));

    const meters = await centralSub.waitUntil((all) => {
      const seen = new Set(all.map(meterOf).filter((m): m is string => m !== undefined));
      return seen.size >= 4 ? seen : undefined;
    }, 'states of the four meters at the central broker', 20_000);
    assert.equal(meters.size, 4, `four distinct meter ids: ${[...meters].join(', ')}`);
    assert.deepEqual([...meters].map((m) => m.split('/')[0]).sort(), ['siteA', 'siteA', 'siteB', 'siteB']);
    for (const site of ['siteA', 'siteB']) {
      await centralSub.waitFor((m) => m.topic === `socomec/${site}/status` && m.payload === 'online', `${site}'s birth message centrally`);
    }

    // The central broker goes away; site A keeps polling and publishing to its own broker.
    const siteSub = await Recorder.connect(siteBrokers[0].port, ['socomec/siteA/+/state']);
    recorders.push(siteSub);
    await central.stop();
    const downFrom = siteSub.messages.length;
    const duringOutage = await siteSub.waitUntil((all) => {
      const states = all.slice(downFrom);
      return states.length >= 6 ? states : undefined;
    }, 'site A publishing while the central broker is down', 10_000);
    await central.run();
    for (const queued of duringOutage) {
      await centralSub.waitFor(
        (m) => m.topic === queued.topic && m.payload === queued.payload,
        `the state published at site A while the central broker was down (${queued.topic}) to arrive centrally`,
        20_000,
      );
    }

    // Site B's Node-RED dies: its broker node's will tells the central broker.
    const killedFrom = centralSub.messages.length;
    await sites[1].stop('SIGKILL');
    // (A resubscription may replay the retained "online" first: the will is the "offline" after the kill.)
    const will = await centralSub.waitFor((m) => m.topic === 'socomec/siteB/status' && m.payload === 'offline', 'site B\'s will message centrally', 10_000, killedFrom);
    assert.ok(will.seq >= killedFrom);
    assert.ok(!centralSub.messages.some((m) => m.topic === 'socomec/siteA/status' && m.payload === 'offline'), 'site A is still up');
  });
});
