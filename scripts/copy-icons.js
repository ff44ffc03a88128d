// Node-RED's loader looks for icons in an `icons/` folder next to each node's .js entry
// (nodes/icons/); the sources live in the top-level icons/ folder, so the build copies them.
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', 'icons');
const to = path.join(__dirname, '..', 'nodes', 'icons');
fs.mkdirSync(to, { recursive: true });
for (const name of fs.readdirSync(from)) {
  if (name.endsWith('.svg') || name.endsWith('.png')) fs.copyFileSync(path.join(from, name), path.join(to, name));
}
