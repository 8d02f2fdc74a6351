'use strict';
/** The table (stdout and Markdown) and the targets, from the figures of each server. */

const fmt = (value, unit) => {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  if (unit === 'ms') return value >= 100 ? Math.round(value).toString() : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  if (unit === 'MiB') return Math.round(value).toString();
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
};

function cell(summary, unit) {
  if (!summary) return '-';
  if (summary.runs.length === 1 || summary.min === summary.max) return fmt(summary.median, unit);
  return `${fmt(summary.median, unit)} (${fmt(summary.min, unit)}-${fmt(summary.max, unit)})`;
}

function ratioCell(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '-';
  return ratio >= 1 ? `${ratio.toFixed(2)}x better` : `${(1 / ratio).toFixed(2)}x worse`;
}

/** Rows: [figure, ...one cell per server, ...one ratio per peer]. */
function rows(figures, servers) {
  const peers = servers.filter((s) => s.key !== 'ours');
  const header = ['figure', ...servers.map((s) => `${s.title} ${s.version ?? ''}`.trim()), ...peers.map((p) => `ours vs ${p.title}`)];
  const body = figures.map((f) => [
    `${f.label} (${f.unit})`,
    ...servers.map((s) => (f.notes?.[s.key] ? `${cell(f.values[s.key], f.unit)} ${f.notes[s.key]}`.replace(/^- /, '') : cell(f.values[s.key], f.unit))),
    ...peers.map((p) => ratioCell(f.ratios?.[p.key])),
  ]);
  return [header, ...body];
}

function textTable(table) {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(table[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

function markdownTable(table) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  return [
    `| ${table[0].map(esc).join(' | ')} |`,
    `|${table[0].map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...table.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

module.exports = { rows, textTable, markdownTable, fmt };
