/**
 * HTTPS and HTTP/2 through the real command: one port that speaks HTTP/1.1, h2c and TLS (h2 or
 * http/1.1), a local CA made on first use and reused, the official SDK trusting it, curl, Node's
 * HTTP/2 client, and the errors a user can make.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { ROOT, spawnCli, type CliRun } from '../helpers/cli';
import { generateCa, generateServerCert } from '../../src/transport/generate-cert';
import { SOCKETS_PER_PORT } from '../helpers/server';
import { BOTH, CHAT, CONNECTION_SPECIFIC, NODE, h2Request, run } from './support';

const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
let dir: string;
let data: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-tls-'));
  data = path.join(dir, 'data');
  env = { XDG_DATA_HOME: data };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sends `text` on a fresh TCP connection and returns all that comes back until the server closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('one port, every protocol', () => {
  let cli: CliRun;
  let httpUrl: string;
  let httpsUrl: string;
  let port: number;
  let caFile: string;
  let ca: string;

  beforeAll(async () => {
    // Paced streams: what HTTP/2 must carry event by event, and what a cancel must stop.
    const config = path.join(dir, 'paced.config.json');
    await writeFile(config, JSON.stringify({ stream: { intervalMs: 5 } }));
    cli = spawnCli(['--port', '0', '--config', config, '--log-level', 'info'], { env });
    const ready = await cli.waitFor(BOTH, 0, 60_000);
    [, httpUrl, , httpsUrl] = ready;
    port = Number(ready[2]);
    caFile = path.join(data, 'openai-mock', 'tls', 'ca.pem');
    ca = await readFile(caFile, 'utf8');
  });

  afterAll(async () => {
    await cli?.stop();
  });

  test('the port is held by 8 listening sockets sharing it (Linux, Node 22.12+; else one), each queueing up to 4,096 connections; a second start on it is refused as taken', async () => {
    const listed = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
    if (listed.error) return void console.warn(`ss is not available (${listed.error.message}): the sockets are not checked`);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    // State, Recv-Q, Send-Q (the backlog), local address, peer.
    const sockets = listed.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/));
    expect(sockets).toHaveLength(SOCKETS_PER_PORT);
    for (const socket of sockets) expect(Number(socket[2])).toBe(Math.min(4096, somaxconn));
    const second = spawnCli(['--port', String(port)], { env });
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.output()).toContain(`cannot listen on 127.0.0.1:${port}: the port is taken (EADDRINUSE)`);
  });

  test('the ready line names http and https on the same port; the new CA is printed with how to trust it; its keys are the user\'s alone', async () => {
    expect(new URL(httpsUrl).port).toBe(String(port));
    expect(cli.output()).toContain(`made a local certificate authority, ${caFile}`);
    expect(cli.output()).toContain(`NODE_EXTRA_CA_CERTS=${caFile}`);
    expect(cli.output()).toContain(`REQUESTS_CA_BUNDLE=${caFile}`);
    expect(cli.output()).toContain(`curl --cacert ${caFile}`);
    for (const file of ['ca-key.pem', 'server.pem']) expect((await stat(path.join(data, 'openai-mock', 'tls', file))).mode & 0o777).toBe(0o600);
    const printed = await run(NODE, [MAIN, 'tls', 'path'], env);
    expect(printed).toMatchObject({ code: 0, stdout: `${caFile}\n` });
  });

  test('the official SDK over HTTPS, trusting the CA through NODE_EXTRA_CA_CERTS: plain and streamed', async () => {
    const script = path.join(dir, 'sdk.js');
    await writeFile(
      script,
      `const OpenAI = require(${JSON.stringify(require.resolve('openai'))});
      (async () => {
        const client = new OpenAI({ baseURL: process.argv[2] + '/v1', apiKey: 'sk-test', maxRetries: 0 });
        const completion = await client.chat.completions.create(${JSON.stringify(CHAT)});
        const stream = await client.chat.completions.create({ ...${JSON.stringify(CHAT)}, stream: true });
        const deltas = [];
        for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta?.content ?? '');
        console.log(JSON.stringify({ object: completion.object, content: completion.choices[0].message.content, chunks: deltas.length, streamed: deltas.join('') }));
      })().catch((e) => { let c = e; while (c.cause) c = c.cause; console.error(c.code ?? c.message); process.exit(1); });`,
    );
    const result = await run(NODE, [script, httpsUrl], { NODE_EXTRA_CA_CERTS: caFile });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout);
    expect(out.object).toBe('chat.completion');
    expect(out.chunks).toBeGreaterThan(2);
    expect(out.streamed.length).toBeGreaterThan(0);
    // Without the CA the same client refuses the certificate: the trust is what made it work.
    const untrusted = await run(NODE, [script, httpsUrl]);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  test('curl: --http2 over TLS and --http2-prior-knowledge in clear answer HTTP/2 200, with no connection-specific headers; HTTP/1.1 both ways', async () => {
    const auth = ['-H', 'authorization: Bearer sk-test'];
    const overTls = await run('curl', ['-sS', '-i', '--http2', '--cacert', caFile, ...auth, `${httpsUrl}/v1/models`]);
    const clear = await run('curl', ['-sS', '-i', '--http2-prior-knowledge', ...auth, `${httpUrl}/v1/models`]);
    for (const answer of [overTls, clear]) {
      expect(answer.stderr).toBe('');
      expect(answer.stdout).toMatch(/^HTTP\/2 200 \r\n/);
      const headerNames = answer.stdout.split('\r\n\r\n')[0]!.split('\r\n').slice(1).map((line) => line.split(':')[0]!.toLowerCase());
      for (const name of CONNECTION_SPECIFIC) expect(headerNames).not.toContain(name);
      expect(JSON.parse(answer.stdout.split('\r\n\r\n')[1]!).object).toBe('list');
    }
    const h1Tls = await run('curl', ['-sS', '-i', '--http1.1', '--cacert', caFile, ...auth, `https://localhost:${port}/v1/models`]);
    const h1Clear = await run('curl', ['-sS', '-i', ...auth, `${httpUrl}/v1/models`]);
    expect(h1Tls.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(h1Clear.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  test('a client that does not trust the CA and says so in the handshake (curl) gets one line naming the CA and how to trust it', async () => {
    const from = cli.output().length;
    const refused = await run('curl', ['-sS', '-o', '/dev/null', `${httpsUrl}/v1/models`], { SSL_CERT_FILE: undefined, CURL_CA_BUNDLE: undefined });
    expect(refused.code).toBe(60);
    const escaped = caFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    await cli.waitFor(new RegExp(`a TLS client \\(127\\.0\\.0\\.1\\) refused the certificate \\(\\S+\\): it does not trust the local CA ${escaped}: trust it with NODE_EXTRA_CA_CERTS=`), from);
  });

  test('http2.connect: 100 concurrent chat completions multiplexed on one TLS session', async () => {
    const session = http2.connect(httpsUrl, { ca });
    try {
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => h2Request(session, '/v1/chat/completions', { ...CHAT, user: `u${i}` })));
      expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
      for (const answer of answers) expect(JSON.parse(answer.text).object).toBe('chat.completion');
      expect(session.alpnProtocol).toBe('h2');
    } finally {
      session.close();
    }
  });

  test('20 concurrent streams on one h2c session, one cancelled mid-stream: the other 19 finish, the server goes on', async () => {
    const session = http2.connect(httpUrl);
    try {
      const body = JSON.stringify({ ...CHAT, stream: true });
      const streams = Array.from({ length: 20 }, (_, i) => {
        const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', authorization: 'Bearer sk-test', 'content-type': 'application/json' });
        stream.end(body);
        let text = '';
        stream.setEncoding('utf8');
        return new Promise<{ text: string; code: number }>((resolve) => {
          stream.on('data', (chunk: string) => {
            text += chunk;
            // The cancelled one goes after its first event, while the server is still pacing the rest.
            if (i === 7 && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
          });
          stream.on('close', () => resolve({ text, code: stream.rstCode ?? 0 }));
          stream.on('error', () => undefined);
        });
      });
      const results = await Promise.all(streams);
      const finished = results.filter((r) => r.text.includes('data: [DONE]'));
      expect(finished).toHaveLength(19);
      expect(results[7]!.text).not.toContain('data: [DONE]');
      expect(results[7]!.code).toBe(http2.constants.NGHTTP2_CANCEL);
      const after = await h2Request(session, '/v1/models');
      expect(after.status).toBe(200);
    } finally {
      session.close();
    }
  });

  test('a TLS client asking (by SNI) for a name the certificate lacks gets one clear line; the server goes on', async () => {
    const from = cli.output().length;
    const failure = await new Promise<Error>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.invalid', ca }, () => resolve(new Error('connected')));
      socket.on('error', resolve);
    });
    expect((failure as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    await cli.waitFor(/TLS: a client asked for "api\.example\.invalid", which the certificate does not name \(DNS:localhost/, from);
    const again = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', caFile, '-H', 'authorization: Bearer sk-test', `${httpsUrl}/v1/models`]);
    expect(again.stdout).toBe('200');
  });
});

describe('HTTP/2, TLS and WebSockets are loaded by the first client that needs them', () => {
  test('plain HTTP/1.1 answers without node:http2, node:tls or ws in the process; an h2c and then a TLS client get theirs at once', async () => {
    // A preload that tells, when asked, which of these the command's process has loaded.
    const probe = path.join(dir, 'modules-probe.js');
    await writeFile(
      probe,
      `process.on('SIGUSR2', () => process.stderr.write('MODULES ' + process.moduleLoadList.filter((m) => /^NativeModule (http2|tls|https|zlib)$/.test(m)).map((m) => m.slice(13)).concat(Object.keys(require.cache).some((k) => /node_modules\\/ws\\//.test(k)) ? ['ws'] : []).join(',') + ' END\\n'));`,
    );
    const cli = spawnCli(['--port', '0', '--log-level', 'warn'], { env: { ...env, NODE_OPTIONS: `--require ${probe}` } });
    try {
      const ready = await cli.waitFor(BOTH, 0, 60_000);
      const loaded = async () => {
        const from = cli.output().length;
        cli.child.kill('SIGUSR2');
        return (await cli.waitFor(/MODULES (\S*) END/, from))[1]!.split(',').filter(Boolean);
      };
      const plain = await fetch(`${ready[1]}/v1/models`, { headers: { authorization: 'Bearer sk-test' } });
      expect(plain.status).toBe(200);
      expect(await loaded()).toEqual([]);

      const session = http2.connect(ready[1]!);
      try {
        expect((await h2Request(session, '/v1/models')).status).toBe(200);
      } finally {
        session.close();
      }
      expect(await loaded()).toEqual(expect.arrayContaining(['http2', 'tls']));

      const secure = http2.connect(ready[3]!, { ca: await readFile(path.join(data, 'openai-mock', 'tls', 'ca.pem'), 'utf8') });
      try {
        expect((await h2Request(secure, '/v1/models')).status).toBe(200);
      } finally {
        secure.close();
      }
    } finally {
      await cli.stop();
    }
  });
});

describe('--https-only and --https-port, with the certificate of the first start', () => {
  let cli: CliRun;
  let port: number;
  let second: number;
  let caFile: string;
  let serverBefore: string;

  beforeAll(async () => {
    // The first start (or the describe above) made them; this one must take them as they are.
    caFile = path.join(data, 'openai-mock', 'tls', 'ca.pem');
    const first = await run(NODE, [MAIN, 'tls', 'path'], env);
    expect(first.stdout).toBe(`${caFile}\n`);
    serverBefore = await readFile(path.join(data, 'openai-mock', 'tls', 'server.pem'), 'utf8');
    cli = spawnCli(['--port', '0', '--https-only', '--https-port', '0', '--log-level', 'info'], { env });
    const ready = await cli.waitFor(/listening on https:\/\/127\.0\.0\.1:(\d+) and https:\/\/127\.0\.0\.1:(\d+) \(h2, http\/1\.1\)/, 0, 60_000);
    port = Number(ready[1]);
    second = Number(ready[2]);
  });

  afterAll(async () => {
    await cli?.stop();
  });

  test('the certificate is reused on the second start', async () => {
    expect(cli.output()).toContain(`from the local CA ${caFile}`);
    expect(cli.output()).not.toContain('made a');
    expect(await readFile(path.join(data, 'openai-mock', 'tls', 'server.pem'), 'utf8')).toBe(serverBefore);
  });

  test('both ports answer over TLS', async () => {
    for (const p of [port, second]) {
      const answer = await run('curl', ['-sS', '-i', '--http2', '--cacert', caFile, '-H', 'authorization: Bearer sk-test', `https://localhost:${p}/v1/models`]);
      expect(answer.stdout).toMatch(/^HTTP\/2 200 /);
    }
  });

  test('plain HTTP on an HTTPS-only port: a 400 that says to use https://, one line in the log, and the server goes on', async () => {
    for (const p of [port, second]) {
      const from = cli.output().length;
      const answer = await rawExchange(p, 'GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk-test\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      const body = JSON.parse(answer.split('\r\n\r\n')[1]!);
      expect(body.error.message).toBe(`This port speaks HTTPS only: use https:// (https://127.0.0.1:${p}).`);
      await cli.waitFor(new RegExp(`a plain HTTP client \\(127\\.0\\.0\\.1\\) connected to the HTTPS-only port ${p}: answered 400; use https://`), from);
    }
    const again = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', caFile, '-H', 'authorization: Bearer sk-test', `https://127.0.0.1:${port}/v1/models`]);
    expect(again.stdout).toBe('200');
  });
});

describe('--http-only', () => {
  test('a TLS client is closed with one line; plain HTTP/1.1 and h2c answer', async () => {
    const cli = spawnCli(['--port', '0', '--http-only', '--log-level', 'info'], { env });
    try {
      const ready = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+) \(\d+ operations/, 0, 60_000);
      const port = Number(ready[1]);
      expect(cli.output()).not.toMatch(/TLS:/);
      const failure = await new Promise<Error>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(new Error('connected')));
        socket.on('error', resolve);
      });
      expect(failure.message).not.toBe('connected');
      await cli.waitFor(new RegExp(`a TLS client \\(127\\.0\\.0\\.1\\) connected to the HTTP-only port ${port}: closed`));
      const clear = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_version} %{http_code}', '--http2-prior-knowledge', '-H', 'authorization: Bearer sk-test', `http://127.0.0.1:${port}/v1/models`]);
      expect(clear.stdout).toBe('2 200');
    } finally {
      await cli.stop();
    }
  });
});

describe('your own certificate: bad files stop the start with one line naming them', () => {
  let files: Record<string, string>;

  beforeAll(async () => {
    const userCa = await generateCa('test CA');
    const day = 86_400_000;
    const expired = await generateServerCert(['localhost'], userCa, { notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day) });
    const good = await generateServerCert(['localhost', '127.0.0.1'], userCa);
    const other = await generateServerCert(['localhost'], userCa);
    files = {};
    for (const [name, text] of Object.entries({ 'expired.pem': expired.cert, 'expired-key.pem': expired.key, 'good.pem': good.cert, 'good-key.pem': good.key, 'other-key.pem': other.key, 'ca.pem': userCa.cert, 'garbage.pem': 'not a certificate\n' })) {
      files[name] = path.join(dir, name);
      await writeFile(files[name]!, text);
    }
  });

  test.each([
    ['an expired certificate', () => ['--tls-cert', files['expired.pem']!, '--tls-key', files['expired-key.pem']!], () => `the certificate in ${files['expired.pem']} (--tls-cert) expired on `],
    ['a key that does not match', () => ['--tls-cert', files['good.pem']!, '--tls-key', files['other-key.pem']!], () => `the key in ${files['other-key.pem']} (--tls-key) does not match the certificate in ${files['good.pem']} (--tls-cert)`],
    ['a file with no certificate', () => ['--tls-cert', files['garbage.pem']!, '--tls-key', files['good-key.pem']!], () => `${files['garbage.pem']} (--tls-cert) holds no certificate in PEM form`],
    ['a missing file', () => ['--tls-cert', path.join(dir, 'nope.pem'), '--tls-key', files['good-key.pem']!], () => `cannot read ${path.join(dir, 'nope.pem')} (--tls-cert): no such file`],
    ['a certificate without its key', () => ['--tls-cert', files['good.pem']!], () => '--tls-cert needs --tls-key'],
  ])('%s', async (_name, args, message) => {
    const result = await run(NODE, [MAIN, '--port', '0', ...args()], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toContain(`openai-mock: ${message()}`);
  });

  test('a good one is served, and the CA that issued it is what the client trusts', async () => {
    const cli = spawnCli(['--port', '0', '--https-only', '--tls-cert', files['good.pem']!, '--tls-key', files['good-key.pem']!], { env });
    try {
      const ready = await cli.waitFor(/listening on (https:\/\/127\.0\.0\.1:\d+) \(h2, http\/1\.1\)/, 0, 60_000);
      expect(cli.output()).toContain(`TLS certificate ${files['good.pem']}`);
      const answer = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_version} %{http_code}', '--cacert', files['ca.pem']!, '-H', 'authorization: Bearer sk-test', `${ready[1]}/v1/models`]);
      expect(answer.stdout).toBe('2 200');
    } finally {
      await cli.stop();
    }
  });
});
