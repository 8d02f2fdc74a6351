'use strict';
/** Small statistics for benchmark figures: every figure is kept as all its runs, shown as min/median/max. */

function summarize(values) {
  const runs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (runs.length === 0) return null;
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], runs };
}

/** The q-quantile (0..1) of unsorted numbers, nearest-rank. */
function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/**
 * How many times better ours is than a peer's, so that every ratio reads the same way:
 * above 1 is better for us, whatever the direction of the figure.
 */
function advantage(ours, peer, better) {
  if (!ours || !peer || !ours.median || !peer.median) return null;
  return better === 'higher' ? ours.median / peer.median : peer.median / ours.median;
}

module.exports = { summarize, quantile, advantage };
