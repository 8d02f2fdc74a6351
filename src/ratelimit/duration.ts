/**
 * A wait as the API words it in `x-ratelimit-reset-*` and its 429 messages, in Go's duration
 * style: `120ms` under a second, else `1s`, `1.5s`, `6m0s`, `1h2m3s`.
 */
export function formatDuration(ms: number): string {
  if (!(ms > 0)) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const totalMs = Math.ceil(ms);
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const seconds = (totalMs % 60_000) / 1000;
  // Up to three decimals, trailing zeros dropped: 1.5s, 20s, 0.25s.
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}
