module.exports = require('../dist/src/nodes/socomec-read-identity');
