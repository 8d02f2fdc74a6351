import { createHash, randomBytes } from 'node:crypto';

/**
 * How long something takes, as a distribution of milliseconds (or, for `tokensPerSecond`, of a
 * rate). A bare number is a fixed value. Lognormal is given by its median and 99th percentile,
 * the two figures latency benchmarks publish; normal by mean and standard deviation (or p50 and
 * p99). Samples never go below zero.
 */
export type Distribution =
  | number
  | { fixed: number }
  | { uniform: { min: number; max: number } }
  | { normal: { mean: number; stddev: number } | { p50: number; p99: number } }
  | { lognormal: { p50: number; p99: number } };

/** Uniform numbers in [0, 1), from a seed or not. */
export type Random = () => number;

/** The z-score of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `value` is not a distribution, or undefined when it is one. */
export function distributionProblem(value: unknown): string | undefined {
  if (finite(value)) return value < 0 ? 'must not be negative' : undefined;
  if (!isRecord(value) || Object.keys(value).length !== 1) return 'must be a number or one of { fixed }, { uniform: { min, max } }, { normal: { mean, stddev } }, { lognormal: { p50, p99 } }';
  const [kind, args] = Object.entries(value)[0]!;
  if (kind === 'fixed') return finite(args) && args >= 0 ? undefined : '"fixed" must be a number of at least 0';
  if (!isRecord(args)) return `"${kind}" must be an object`;
  const { min, max, mean, stddev, p50, p99 } = args as Record<string, unknown>;
  switch (kind) {
    case 'uniform':
      return finite(min) && finite(max) && min >= 0 && max >= min ? undefined : '"uniform" needs { min, max } with 0 <= min <= max';
    case 'normal':
      if (finite(mean) && finite(stddev) && stddev >= 0) return undefined;
      if (finite(p50) && finite(p99) && p99 >= p50) return undefined;
      return '"normal" needs { mean, stddev } (stddev >= 0) or { p50, p99 } (p99 >= p50)';
    case 'lognormal':
      return finite(p50) && finite(p99) && p50 > 0 && p99 >= p50 ? undefined : '"lognormal" needs { p50, p99 } with 0 < p50 <= p99';
    default:
      return `unknown distribution "${kind}" (known: fixed, uniform, normal, lognormal)`;
  }
}

/** A standard normal variate (Box-Muller); `1 - random()` keeps the logarithm finite. */
function standardNormal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** One sample of a checked distribution. */
export function sample(distribution: Distribution, random: Random): number {
  if (typeof distribution === 'number') return distribution;
  if ('fixed' in distribution) return distribution.fixed;
  if ('uniform' in distribution) {
    const { min, max } = distribution.uniform;
    return min + (max - min) * random();
  }
  if ('normal' in distribution) {
    const given = distribution.normal;
    const [mean, stddev] = 'mean' in given ? [given.mean, given.stddev] : [given.p50, (given.p99 - given.p50) / Z99];
    return Math.max(0, mean + stddev * standardNormal(random));
  }
  const { p50, p99 } = distribution.lognormal;
  const sigma = Math.log(p99 / p50) / Z99;
  return p50 * Math.exp(sigma * standardNormal(random));
}

/** The distribution's median, for whole-answer estimates that need no draw per token. */
export function median(distribution: Distribution): number {
  if (typeof distribution === 'number') return distribution;
  if ('fixed' in distribution) return distribution.fixed;
  if ('uniform' in distribution) return (distribution.uniform.min + distribution.uniform.max) / 2;
  if ('normal' in distribution) return 'mean' in distribution.normal ? distribution.normal.mean : distribution.normal.p50;
  return distribution.lognormal.p50;
}

/** The distribution's mean: what the sum of many draws grows by per draw. */
export function mean(distribution: Distribution): number {
  if (typeof distribution === 'object' && 'lognormal' in distribution) {
    const { p50, p99 } = distribution.lognormal;
    const sigma = Math.log(p99 / p50) / Z99;
    return p50 * Math.exp((sigma * sigma) / 2);
  }
  return median(distribution);
}

/**
 * sfc32, seeded from a hash: small, fast, and the same numbers for the same seed on every
 * platform (Math.random cannot be seeded).
 */
export function seededRandom(seed: string): Random {
  const digest = createHash('sha256').update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** Unseeded: a fresh random seed, so that unseeded servers differ from run to run. */
export function freshRandom(): Random {
  return seededRandom(randomBytes(16).toString('hex'));
}
