const M = '/work/main';
const helper = require(M + '/node_modules/node-red-node-test-helper');
helper.init(require.resolve(M + '/node_modules/node-red'), { logging: { console: { level: 'off' } } });
const { ourPoller } = require(M + '/dist/bench/contenders');
(async () => {
  const port = Number(process.argv[2]);
  const dev = ourPoller({ transport: 'tcp', port }, 5);
  const pass = function (RED) { function P(c) { RED.nodes.createNode(this, c); this.on('input', (msg, send, done) => { dev.device.readMeasurements({ groups: ['instantaneous','energies','maxAvg','harmonics'] }).then((r) => { msg.payload = r.payload; send(msg); done(); }); }); } RED.nodes.registerType('pass', P); };
  await helper.load([pass], [{ id: 'p', type: 'pass', wires: [['out']] }, { id: 'out', type: 'helper' }]);
  helper._sandbox.restore(); helper._logSpy && helper._logSpy.restore(); const proto = helper._NodePrototype;
  for (const id of ['p','out']) { const node = helper.getNode(id); for (const m of ['log','status','warn','error','debug','trace','send']) { if (Object.prototype.hasOwnProperty.call(node, m) && node[m].getCalls) node[m] = proto[m]; } }
  const n = helper.getNode('p'), out = helper.getNode('out');
  let waiting; out.on('input', (msg) => { const w = waiting; waiting = undefined; w && w(msg); });
  const nr = () => new Promise((r) => { waiting = r; n.receive({ payload: '' }); });
  const cs = { nr, dev: () => dev.poll() };
  for (const f of Object.values(cs)) for (let i = 0; i < 300; i++) await f();
  const N = 1500, tot = { nr: [], dev: [] };
  for (let r = 0; r < 6; r++) for (const [k, f] of Object.entries(cs)) { const c0 = process.cpuUsage(); for (let i = 0; i < N; i++) await f(); const c = process.cpuUsage(c0); tot[k].push((c.user + c.system) / N); }
  const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log('floor: bare node around the device', med(tot.nr).toFixed(0), 'device', med(tot.dev).toFixed(0), 'Node-RED hop us', (med(tot.nr) - med(tot.dev)).toFixed(0));
  await dev.close(); await helper.unload(); process.exit(0);
})();
