'use strict';
/** Reads a V8 .cpuprofile (from `node --cpu-prof`) into self time per function and per package. */
const fs = require('node:fs');
const path = require('node:path');

function where(url, root) {
  if (!url) return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = file.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (file.startsWith('node:')) return 'node internals';
  return path.relative(root, file) || file;
}

function summarizeProfile(file, root, top = 12) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // timeDeltas[i] is the time before samples[i]: each sample's node gets that much self time.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map();
  const packages = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    total += us;
    const name = callFrame.functionName || '(anonymous)';
    const place = where(callFrame.url, root);
    const key = place.endsWith('.js') || place.endsWith('.ts') ? `${name} ${place}:${callFrame.lineNumber + 1}` : `${name} (${place})`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const group = callFrame.url ? (place.includes('/') && !place.startsWith('@') ? place.split('/').slice(0, 2).join('/') : place) : name;
    packages.set(group, (packages.get(group) ?? 0) + us);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: Math.round((1000 * us) / total) / 10 }));
  return { totalMs: Math.round(total / 1000), functions: rank(functions), packages: rank(packages) };
}

module.exports = { summarizeProfile };
