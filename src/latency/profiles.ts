import type { Distribution } from './distribution';
import type { LatencyModel, LatencyTable } from './table';

/**
 * The named latency profiles. `fast` delays nothing (the default: a mock for unit tests should
 * be as fast as it can). `realistic` paces answers like OpenAI's API: the median figures below are
 * public measurements of the API (sources in the README's "Load testing" section, most from
 * Artificial Analysis, whose figures are medians of OpenAI's own endpoint); the spread around
 * them (99th percentile at three times the median) is this project's assumption, since the
 * benchmarks publish medians only.
 */

const SPREAD = 3;
/** exp(sigma^2 / 2) of a lognormal whose p99 is SPREAD times its median: its mean over its median. */
const MEAN_OVER_MEDIAN = Math.exp(Math.log(SPREAD) ** 2 / (2 * 2.3263478740408408 ** 2));

const lognormal = (p50: number): Distribution => ({ lognormal: { p50, p99: p50 * SPREAD } });

/**
 * A model measured at `ttftMs` to its first token and `tokensPerSecond` after it. The gaps
 * between tokens are lognormal around a median chosen so that their mean gives that rate, as
 * output speed is measured (tokens over the time after the first).
 */
function measured(ttftMs: number, tokensPerSecond: number): LatencyModel {
  return { ttftMs: lognormal(ttftMs), interTokenMs: lognormal(1000 / tokensPerSecond / MEAN_OVER_MEDIAN) };
}

const gpt4o = measured(390, 81);

export const PROFILES: Record<string, LatencyTable> = {
  fast: {},
  realistic: {
    // Calls that generate nothing (files, models, embeddings...): a round trip to the API.
    default: { ttftMs: lognormal(150) },
    // Generating operations with a model the table does not list: as gpt-4o.
    operations: {
      createChatCompletion: gpt4o,
      createCompletion: gpt4o,
      createResponse: gpt4o,
      beta_createResponse: gpt4o,
    },
    models: {
      'gpt-4o': gpt4o,
      'gpt-4o-mini': measured(716, 59),
      'gpt-4.1': measured(930, 67.6),
      'gpt-4.1-mini': measured(930, 77.2),
      'gpt-4.1-nano': measured(930, 95.9),
      'gpt-5': measured(890, 80),
      o3: measured(22_990, 108.1),
      'o3-mini': measured(18_550, 132.1),
      'o4-mini': measured(18_550, 179.4),
    },
  },
};
