module.exports = require('../dist/src/nodes/socomec-write-settings');
