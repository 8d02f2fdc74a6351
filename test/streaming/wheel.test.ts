/**
 * The timer wheel that paces every stream (src/streaming/wheel.ts): waits end no sooner than asked
 * and in order, a stream's abort ends its wait and leaves no timer behind, and through a real
 * server many paced streams at once arrive whole, in order, each no faster than its pacing, and
 * free the wheel when their clients hang up.
 */
import http from 'node:http';
import { TimerWheel, wheel } from '../../src/streaming/wheel';
import { sdk, startMock } from '../helpers/server';
import { CHAT_TEXT, chatBody, rewriteStep, withBody } from './support';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/**
 * `count` waits due in the same millisecond (so that one tick of the wheel finds them all due),
 * each costing `costMs` of work when released, as an event framed and written does.
 */
function busyWaits(count: number, costMs: number, released: (i: number) => void) {
  const due = Math.ceil(performance.now()) + 5;
  return Array.from({ length: count }, (_, i) => ({
    due,
    live: true,
    reject: () => undefined,
    resolve: () => {
      const until = performance.now() + costMs;
      while (performance.now() < until);
      released(i);
    },
  }));
}

async function waitFor(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the wheel', () => {
  test('releases waits in the order they are due, none before its time', async () => {
    const own = new TimerWheel();
    const released: number[] = [];
    const early: string[] = [];
    const delays = [30, 5, 20, 5, 1, 12];
    await Promise.all(
      delays.map(async (ms, i) => {
        const started = performance.now();
        await own.wait(ms);
        const waited = performance.now() - started;
        if (waited < ms) early.push(`wait ${i} of ${ms} ms ended after ${waited} ms`);
        released.push(ms);
      }),
    );
    expect(early).toEqual([]);
    expect(released).toEqual([...delays].sort((a, b) => a - b));
    expect(own.pending).toBe(0);
  });

  test('a long release is cut into slices: the event loop turns (new requests are read) before the last wait is released', async () => {
    const own = new TimerWheel();
    const count = 400;
    const released: number[] = [];
    let releasedWhenLoopTurned = -1;
    await new Promise<void>((done) => {
      // 0.1 ms each: 40 ms in all.
      const waits = busyWaits(count, 0.1, (i) => {
        if (released.length === 0) setImmediate(() => (releasedWhenLoopTurned = released.length));
        released.push(i);
        if (released.length === count) done();
      });
      for (const wait of waits) own.add(wait);
    });
    expect(released).toEqual([...Array(count).keys()]);
    expect(releasedWhenLoopTurned).toBeGreaterThan(0);
    expect(releasedWhenLoopTurned).toBeLessThan(count);
    expect(own.pending).toBe(0);
  });

  /** A wait due in `ms` whose release finds the wheel `lateBy` ms late (the loop held busy until then), calling `then`. */
  function lateWait(own: TimerWheel, ms: number, lateBy: number, then: () => void) {
    const due = Math.ceil(performance.now()) + ms;
    own.add({ due, live: true, reject: () => undefined, resolve: then });
    const until = due + lateBy;
    while (performance.now() < until);
  }
  const onTime = (own: TimerWheel, ms: number, then: () => void) =>
    own.add({ due: Math.ceil(performance.now()) + ms, live: true, reject: () => undefined, resolve: then });

  test('while the wheel releases late, a new paced stream waits to start, and starts at the next release on time', async () => {
    const own = new TimerWheel();
    const started: string[] = [];
    await new Promise<void>((done) => {
      lateWait(own, 5, 120, () => {
        // Another stream under way, whose next release will be on time.
        onTime(own, 30, () => {
          started.push('on time');
          setImmediate(done);
        });
        // Released 120 ms late: a stream asking now is held back until then.
        own.admit(() => started.push('held'));
        started.push(`late release, ${own.waitingToStart} waiting`);
      });
    });
    expect(started).toEqual(['late release, 1 waiting', 'on time', 'held']);
    expect(own.waitingToStart).toBe(0);
  });

  test('streams let in are let in oldest first; one asking while the wheel keeps time starts at once', async () => {
    const own = new TimerWheel();
    const started: number[] = [];
    await new Promise<void>((done) => {
      lateWait(own, 5, 120, () => {
        // Several releases on time let them all in, a batch at a time.
        for (let k = 1; k <= 10; k++) onTime(own, 10 * k, () => undefined);
        onTime(own, 200, () => setImmediate(done));
        for (let i = 0; i < 100; i++) own.admit(() => started.push(i));
        expect(own.waitingToStart).toBe(100);
      });
    });
    expect(started).toEqual([...Array(100).keys()]);
    let now = false;
    own.admit(() => (now = true));
    expect(now).toBe(true);
  });

  test('when the last stream under way leaves, the held ones start: none waits for a release that never comes', async () => {
    const own = new TimerWheel();
    let started = false;
    const startedInTime = await Promise.race([
      new Promise<boolean>((done) => {
        lateWait(own, 5, 120, () => {
          const other = { due: Math.ceil(performance.now()) + 60_000, live: true, reject: () => undefined, resolve: () => undefined };
          own.add(other);
          own.admit(() => {
            started = true;
            done(true);
          });
          expect(own.waitingToStart).toBe(1);
          // Later, outside any release, the only stream under way is aborted: nothing is left to release.
          setTimeout(() => own.cancel(other), 20);
        });
      }),
      new Promise<boolean>((done) => setTimeout(() => done(false), 2000)),
    ]);
    expect(startedInTime).toBe(true);
    expect(started).toBe(true);
    expect(own.waitingToStart).toBe(0);
    expect(own.pending).toBe(0);
  });

  test('a held stream is not left waiting for streams under way that are paced minutes apart', async () => {
    const own = new TimerWheel();
    const other = { due: 0, live: true, reject: () => undefined, resolve: () => undefined };
    const waited = await new Promise<number>((done) => {
      lateWait(own, 5, 120, () => {
        // The only other stream waits a minute for its next event: no release comes before then.
        other.due = Math.ceil(performance.now()) + 60_000;
        own.add(other);
        const asked = performance.now();
        own.admit(() => done(performance.now() - asked));
        expect(own.waitingToStart).toBe(1);
      });
    });
    // Let in once the late release is stale (100 ms), not at the next release a minute away.
    expect(waited).toBeLessThan(1000);
    own.cancel(other);
    expect(own.pending).toBe(0);
  });

  test('waits added and cancelled while a long release is sliced are still kept: the added ones released, none lost', async () => {
    const own = new TimerWheel();
    const count = 400;
    let released = 0;
    let addedReleased = 0;
    await new Promise<void>((done) => {
      const finish = () => released === count - 20 && addedReleased === 50 && done();
      const waits = busyWaits(count, 0.1, () => {
        released++;
        // The first release adds 50 more waits (as runs going on to their next event do) and
        // cancels the last 20 of its slot (as streams whose clients left).
        if (released === 1) {
          for (let k = 0; k < 50; k++) own.wait(1 + (k % 5)).then(() => (addedReleased++, finish()));
          for (const gone of waits.slice(-20)) own.cancel(gone);
        }
        finish();
      });
      for (const wait of waits) own.add(wait);
    });
    expect(released).toBe(count - 20);
    expect(addedReleased).toBe(50);
    expect(own.pending).toBe(0);
  });

  test('an aborted stream ends its wait at once with an AbortError and leaves no timer', async () => {
    const own = new TimerWheel();
    const before = timers();
    const abort = new AbortController();
    const pacer = own.pacer(abort.signal);
    const waiting = pacer.wait(60_000);
    expect(own.pending).toBe(1);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(own.pending).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
    // A later wait on the aborted stream fails at once too.
    await expect(pacer.wait(10)).rejects.toMatchObject({ name: 'AbortError' });
    pacer.close();
  });

  test('streams that share the wheel keep their own pacing when one of them is aborted', async () => {
    const own = new TimerWheel();
    const gone = new AbortController();
    const goneWait = own.pacer(gone.signal).wait(20);
    const kept = own.pacer(new AbortController().signal);
    const started = performance.now();
    const keptWait = kept.wait(20);
    gone.abort();
    await expect(goneWait).rejects.toMatchObject({ name: 'AbortError' });
    await keptWait;
    expect(performance.now() - started).toBeGreaterThanOrEqual(20);
    kept.close();
  });
});

describe('paced streams through a server', () => {
  const INTERVAL = 25;

  test('many at once: every stream whole and in order, no faster than its pacing', async () => {
    const mock = await startMock({ stream: { intervalMs: INTERVAL }, steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ content: CHAT_TEXT })) })] });
    try {
      const client = sdk(mock);
      const one = async () => {
        const started = performance.now();
        const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
        let text = '';
        let chunks = 0;
        for await (const chunk of stream) {
          chunks++;
          text += chunk.choices[0]?.delta.content ?? '';
        }
        return { text, chunks, ms: performance.now() - started };
      };
      const results = await Promise.all(Array.from({ length: 40 }, one));
      for (const result of results) {
        expect(result.text).toBe(CHAT_TEXT);
        // Every event after the first waited its interval, [DONE] included (it is not a chunk).
        expect(result.ms).toBeGreaterThanOrEqual(INTERVAL * result.chunks);
      }
      expect(wheel.pending).toBe(0);
    } finally {
      await mock.close();
    }
  });

  test('clients that hang up mid-stream free their streams: nothing left waiting on the wheel', async () => {
    const mock = await startMock({ stream: { intervalMs: 60_000 }, steps: [rewriteStep({ createChatCompletion: withBody(chatBody({ content: CHAT_TEXT })) })] });
    try {
      const before = timers();
      const opened = Array.from(
        { length: 20 },
        () =>
          new Promise<http.ClientRequest>((resolve, reject) => {
            const request = http.request(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' } });
            request.on('response', (response) => response.once('data', () => resolve(request)));
            request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
            request.end(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }));
          }),
      );
      const requests = await Promise.all(opened);
      // Each stream sent its first event and now waits its minute on the wheel.
      await waitFor(() => wheel.pending === 20, 'twenty streams waiting');
      for (const request of requests) request.destroy();
      await waitFor(() => wheel.pending === 0, 'the streams to be freed');
      await waitFor(() => timers() <= before, 'the wheel timer to be cleared');
      const entries = mock.journal.requests({ operation: 'createChatCompletion' });
      expect(entries).toHaveLength(20);
      for (const entry of entries) expect(entry.response.interrupted).toMatch(/client went away after 1 events/);
    } finally {
      await mock.close();
    }
  });
});
