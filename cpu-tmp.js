const M = '/work/main';
const helper = require(M + '/node_modules/node-red-node-test-helper');
helper.init(require.resolve(M + '/node_modules/node-red'), { logging: { console: { level: 'off' } } });
const conn = require(M + '/dist/src/nodes/socomec-connection');
const rm = require(M + '/dist/src/nodes/socomec-read-measurements');
const { ourPoller, rawPoller } = require(M + '/dist/bench/contenders');
(async () => {
  const port = Number(process.argv[2]);
  const flow = [
    { id: 'conn', type: 'socomec-connection', transport: 'tcp', host: '127.0.0.1', port, timeoutMs: 1000, retries: 1 },
    { id: 'ours', type: 'socomec-read-measurements', connection: 'conn', unitId: 5, groups: ['instantaneous','energies','maxAvg','harmonics'], table: 'standard', pollSeconds: 0, outputMode: 'single', wires: [['out']] },
    { id: 'out', type: 'helper' },
  ];
  await helper.load([conn, rm], flow);
  helper._sandbox.restore(); helper._logSpy && helper._logSpy.restore(); const proto = helper._NodePrototype;
  for (const id of ['ours','out']) { const node = helper.getNode(id); for (const m of ['log','status','warn','error','debug','trace','send']) { if (Object.prototype.hasOwnProperty.call(node, m) && node[m].getCalls) node[m] = proto[m]; } }
  const n = helper.getNode('ours'), out = helper.getNode('out');
  let waiting; out.on('input', (msg) => { const w = waiting; waiting = undefined; w && w(msg); });
  const nr = () => new Promise((r) => { waiting = r; n.receive({ payload: '' }); });
  const dev = ourPoller({ transport: 'tcp', port }, 5);
  const raw = await rawPoller({ transport: 'tcp', port }, 5);
  const cs = process.env.ONLY ? { nr } : { nr, dev: () => dev.poll(), raw: () => raw.poll() };
  for (const f of Object.values(cs)) for (let i = 0; i < 300; i++) await f();
  const N = 1500, tot = { nr: [], dev: [], raw: [] };
  for (let r = 0; r < 6; r++) for (const [k, f] of Object.entries(cs)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) await f();
    const c = process.cpuUsage(c0); tot[k].push((c.user + c.system) / N);
  }
  if (process.env.ONLY) { console.log('nr', tot.nr.map(x=>x.toFixed(0)).join(' ')); await helper.unload(); process.exit(0); }
  const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log('cpu us/poll median: nr', med(tot.nr).toFixed(0), 'dev', med(tot.dev).toFixed(0), 'raw', med(tot.raw).toFixed(0), 'nr/raw', (med(tot.nr) / med(tot.raw)).toFixed(2), 'dev/raw', (med(tot.dev)/med(tot.raw)).toFixed(2), 'node layer us', (med(tot.nr) - med(tot.dev)).toFixed(0));
  await dev.close(); await raw.close(); await helper.unload(); process.exit(0);
})();
