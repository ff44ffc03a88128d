module.exports = require('../dist/src/nodes/socomec-mqtt');
