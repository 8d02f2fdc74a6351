import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { Agent, WebSocket as UndiciWebSocket } from 'undici';
import type { MockServer, MockServerOptions } from '../../src';
import { startMock } from '../helpers/server';

/** A TLS server (the SDK dials `wss://` whatever the baseURL says), its local CA in a folder of its own. */
export async function startTlsMock(options: MockServerOptions = {}): Promise<{ mock: MockServer; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openai-mock-realtime-'));
  const saved = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = dir;
  const mock = await startMock({ tls: true, ...options });
  return {
    mock,
    async cleanup() {
      await mock.close();
      if (saved === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = saved;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function client(mock: MockServer, apiKey = 'sk-test-key'): OpenAI {
  return new OpenAI({ baseURL: `${mock.url}/v1`, apiKey, maxRetries: 0, timeout: 20_000, fetchOptions: { dispatcher: new Agent({ connect: { ca: mock.ca } }) } as never });
}

/** `OpenAIRealtimeWS` (the `ws` package) trusting the mock's CA. */
export function realtimeWS(mock: MockServer, apiKey?: string, model = 'gpt-realtime'): OpenAIRealtimeWS {
  return new OpenAIRealtimeWS({ model, options: { ca: mock.ca } }, client(mock, apiKey));
}

/**
 * `OpenAIRealtimeWebSocket`, the browser-style client, over undici's WHATWG WebSocket (the one
 * Node ships as its global), given the mock's CA through a dispatcher.
 */
export function realtimeWebSocket(mock: MockServer, apiKey?: string, model = 'gpt-realtime'): OpenAIRealtimeWebSocket {
  const dispatcher = new Agent({ connect: { ca: mock.ca } });
  class TrustingWebSocket extends UndiciWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, { protocols, dispatcher });
    }
  }
  const saved = globalThis.WebSocket;
  (globalThis as { WebSocket: unknown }).WebSocket = TrustingWebSocket;
  try {
    return new OpenAIRealtimeWebSocket({ model }, client(mock, apiKey));
  } finally {
    (globalThis as { WebSocket: unknown }).WebSocket = saved;
  }
}

type Realtime = OpenAIRealtimeWS | OpenAIRealtimeWebSocket;
export type ServerEvent = { type: string; [key: string]: any };

/** Every server event from now on, and a wait for the first of a type after a given position. */
export function recorder(rt: Realtime) {
  const events: ServerEvent[] = [];
  const waiters: { type: string; from: number; resolve(e: ServerEvent): void }[] = [];
  const errors: Error[] = [];
  rt.on('event', (event: ServerEvent) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (event.type === waiter.type && events.length - 1 >= waiter.from) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  // API errors arrive as `error` events too (kept in `events`); this keeps them from being unhandled.
  rt.on('error', (error: Error) => errors.push(error));
  return {
    events,
    errors,
    /** The next event of `type` at or after position `from` (default: any seen so far counts). */
    next(type: string, from = 0): Promise<ServerEvent> {
      const found = events.slice(from).find((e) => e.type === type);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ type, from, resolve }));
    },
    since(from: number, type?: string): ServerEvent[] {
      return events.slice(from).filter((e) => type === undefined || e.type === type);
    },
  };
}

export function opened(rt: Realtime): Promise<void> {
  const socket = rt.socket as { readyState: number; addEventListener?: Function; once?: Function };
  if (socket.readyState === 1) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (typeof socket.once === 'function') {
      (socket as any).once('open', resolve);
      (socket as any).once('error', reject);
    } else {
      (socket as any).addEventListener('open', () => resolve(), { once: true });
      (socket as any).addEventListener('error', (e: unknown) => reject(e), { once: true });
    }
  });
}

export function closed(rt: Realtime): Promise<number> {
  const socket = rt.socket as any;
  if (socket.readyState === 3) return Promise.resolve(-1);
  return new Promise((resolve) => {
    if (typeof socket.once === 'function') socket.once('close', (code: number) => resolve(code));
    else socket.addEventListener('close', (e: { code: number }) => resolve(e.code), { once: true });
  });
}

/** Decodes base64 PCM16 deltas into one buffer. */
export const pcm = (deltas: readonly string[]) => Buffer.concat(deltas.map((d) => Buffer.from(d, 'base64')));

/** `ms` of PCM16 24 kHz: a loud tone, or silence. */
export function pcmAudio(ms: number, loud: boolean): Buffer {
  const samples = Math.round((ms * 24000) / 1000);
  const out = Buffer.alloc(samples * 2);
  if (loud) for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / 24000)), i * 2);
  return out;
}
