// Preloaded into the command (NODE_OPTIONS=--require): on SIGUSR2 it prints whether Prism's engine
// has been loaded, which nothing else the command says shows.
'use strict';
const path = require('node:path');

const PRISM = `${path.sep}@stoplight${path.sep}prism-http${path.sep}`;
process.on('SIGUSR2', () => {
  const loaded = Object.keys(require.cache).some((file) => file.includes(PRISM));
  process.stdout.write(`prism loaded: ${loaded}\n`);
});
