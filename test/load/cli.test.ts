/**
 * The load-testing flags on the command: --rate-limit-rpm limits, --latency paces,
 * --stats-interval prints its summary line, /__admin/metrics answers.
 */
import { spawnCli } from '../helpers/cli';

test('openai-mock --rate-limit-rpm 2 --latency realistic --stats-interval 1', async () => {
  const run = spawnCli(['--port', '0', '--rate-limit-rpm', '2', '--latency', 'realistic', '--stats-interval', '1']);
  try {
    const [, url] = await run.waitFor(/listening on (http:\/\/\S+)/);
    const post = () =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-cli', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5 }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await post();
      statuses.push(response.status);
      if (response.status === 200) expect(Number(response.headers.get('openai-processing-ms'))).toBeGreaterThan(0);
      else expect(response.headers.get('retry-after-ms')).toMatch(/^\d+$/);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    const metrics = await (await fetch(`${url}/__admin/metrics`)).text();
    expect(metrics).toMatch(/^openai_mock_rate_limit_rejections_total\{type="requests"\} 1$/m);
    // Each line tells of its own interval: the three requests and the refusal are in their sum.
    const summaries = () => [...run.output().matchAll(/^requests (\d+) \([\d.]+\/s\), p50 [\d.]+ms p99 [\d.]+ms, streams 0 active, 429s (\d+)$/gm)];
    const deadline = Date.now() + 15_000;
    const total = (group: 1 | 2) => summaries().reduce((sum, match) => sum + Number(match[group]), 0);
    while (total(1) < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(total(1)).toBe(3);
    expect(total(2)).toBe(1);
  } finally {
    await run.stop();
  }
});
