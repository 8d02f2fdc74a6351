'use strict';
/** Time from saving a config file to the new answer being served, with `--config FILE --watch`. */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./servers');

async function measureReload(server, { runs, start, log }) {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'config'))) return { skipped: 'overrides and hot reload are not built yet (no dist/config)' };
  void server;
  void runs;
  void start;
  void log;
  return { skipped: 'not measured yet' };
}

module.exports = { measureReload };
