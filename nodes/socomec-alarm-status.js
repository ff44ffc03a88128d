module.exports = require('../dist/src/nodes/socomec-alarm-status');
