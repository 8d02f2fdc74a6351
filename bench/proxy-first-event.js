// How long a streamed event takes from the upstream's write to the client's read, through the
// proxy: a loopback upstream writes one event every 100 ms; the client timestamps each arrival.
// Run: npx tsc -p tsconfig.json && node bench/proxy-first-event.js
const http = require('node:http');
const { createMockServer } = require('../dist');

async function main() {
  const sent = [];
  const upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        sent.push(performance.now());
        res.write(`data: {"i":${i}}\n\n`);
      }
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const mock = await createMockServer({ port: 0, logLevel: 'silent', cors: false, proxy: `http://127.0.0.1:${upstream.address().port}/v1` });
  const stream = async () => {
  sent.length = 0;
  const received = [];
  const answer = await fetch(mock.url + '/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: 'Bearer sk-x', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of answer.body) {
    buffered += decoder.decode(chunk, { stream: true });
    let at;
    while ((at = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, at);
      buffered = buffered.slice(at + 2);
      if (event.includes('"i"')) received.push(performance.now());
    }
  }
  return received.map((t, i) => t - sent[i]);
  };
  const cold = await stream();
  const firsts = [];
  let all = [];
  // Warm: later streams through the same server (the first one also loads code and compiles validators).
  for (let run = 0; run < 5; run++) {
    const lags = await stream();
    firsts.push(lags[0]);
    all = all.concat(lags);
  }
  const sorted = [...all].sort((a, b) => a - b);
  const r = (x) => +x.toFixed(2);
  console.log(JSON.stringify({ coldFirstEventMs: r(cold[0]), warmFirstEventMs: firsts.map(r), allEvents: { n: all.length, medianMs: r(sorted[sorted.length >> 1]), p95Ms: r(sorted[Math.floor(sorted.length * 0.95)]), maxMs: r(sorted[sorted.length - 1]) } }));
  await mock.close();
  upstream.close();
}
main();
