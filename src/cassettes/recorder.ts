import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/logger';
import { streamOf, type Exchange, type MockResponse } from '../pipeline/types';
import { CASSETTE_MARK, CASSETTE_VERSION, cassetteName, writeCassette, type Cassette, type CassetteResponse, type StreamEvent } from './format';
import { keyOf, normalRequest, sha256 } from './key';
import { compileRules, describeRules, keptHeaders, redactValue, type RedactRule } from './redact';
import type { CassetteStore } from './store';

/**
 * Writes each upstream exchange as a cassette. A stream is written when it ends (or breaks off),
 * before the client sees its end, so that a test that has read the whole answer finds the file.
 */

export interface RecorderOptions {
  dir: string;
  redact?: readonly RedactRule[];
  specSha256: string;
  logger: Logger;
  /** Told of each cassette written (the replay store, in `record-missing` and `record` modes). */
  store?: CassetteStore;
}


const isJsonType = (type: string | undefined) => /[/+]json\b/i.test(type ?? '');
const isTextType = (type: string | undefined) => /^text\/|xml|javascript|x-www-form-urlencoded|srt|vtt/i.test(type ?? '');

/** Splits SSE text into complete events (framed text without the blank line) and the unfinished rest. */
export function splitEvents(buffered: string): { events: string[]; rest: string } {
  const normalised = buffered.replace(/\r\n/g, '\n');
  const parts = normalised.split('\n\n');
  const rest = parts.pop() ?? '';
  return { events: parts.filter((p) => p.trim() !== ''), rest };
}

export class Recorder {
  /** Per key, how many times it was recorded by this server: a request made twice keeps both answers. */
  private session = new Map<string, number>();
  private rules;

  constructor(private options: RecorderOptions) {
    this.rules = compileRules(options.redact);
  }

  get dir(): string {
    return this.options.dir;
  }

  set dir(dir: string) {
    this.options.dir = dir;
    this.session.clear();
  }

  /** The response to send on: the same one, its stream tapped so that its events are recorded as they pass. */
  record(exchange: Exchange, response: MockResponse, startedAt: number): MockResponse {
    const base = this.base(exchange);
    const headers = redactValue(keptHeaders(response.headers), this.rules);
    const headersAt = Math.round(performance.now() - startedAt);
    const stream = streamOf(response);
    if (stream) {
      const source = stream;
      const write = (events: StreamEvent[], cut: boolean) =>
        this.write(base, { status: response.status, headers, headersAt, events, ...(cut ? { cut } : {}) });
      const rules = this.rules;
      async function* tapped(): AsyncGenerator<Buffer | string> {
        const events: StreamEvent[] = [];
        let buffered = '';
        const decoder = new TextDecoder();
        const take = (chunk: Buffer | string) => {
          buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
          const { events: complete, rest } = splitEvents(buffered);
          buffered = rest;
          const at = Math.round(performance.now() - startedAt);
          for (const text of complete) events.push({ at, text: redactValue(text, rules) });
        };
        try {
          for await (const chunk of source) {
            take(chunk);
            yield chunk;
          }
        } catch (error) {
          write(events, true);
          throw error;
        }
        if (buffered.trim() !== '') events.push({ at: Math.round(performance.now() - startedAt), text: redactValue(buffered.replace(/\n+$/, ''), rules) });
        write(events, false);
      }
      return { ...response, body: tapped() };
    }
    this.write(base, { status: response.status, headers, headersAt, ...this.bodyOf(response) });
    return response;
  }

  private bodyOf(response: MockResponse): Partial<CassetteResponse> {
    const { body } = response;
    const type = response.headers['content-type'];
    if (body === undefined || body === null) return {};
    if (!Buffer.isBuffer(body) && typeof body !== 'string') return { json: redactValue(body, this.rules) };
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (isJsonType(type)) {
      try {
        return { json: redactValue(JSON.parse(bytes.toString('utf8')), this.rules) };
      } catch {
        // Not JSON after all: kept as text below.
      }
    }
    if (isTextType(type) || isJsonType(type)) return { text: redactValue(bytes.toString('utf8'), this.rules) };
    // Binary answers (speech, file contents) beside the cassette, named by content: the same audio is stored once.
    const name = `${sha256(bytes)}.bin`;
    fs.mkdirSync(this.options.dir, { recursive: true });
    const file = path.join(this.options.dir, name);
    if (!fs.existsSync(file)) fs.writeFileSync(file, bytes);
    return { file: name };
  }

  private base(exchange: Exchange): Omit<Cassette, 'response' | 'order'> {
    const live = normalRequest(exchange.request);
    const stored = { ...live, query: redactValue(live.query, this.rules, false), body: redactValue(live.body, this.rules) };
    return {
      format: CASSETTE_MARK,
      version: CASSETTE_VERSION,
      spec: { sha256: this.options.specSha256 },
      recordedAt: new Date().toISOString(),
      operation: exchange.operationId,
      key: keyOf(stored),
      request: { ...stored, headers: redactValue(keptHeaders(exchange.request.headers), this.rules) },
      ...(describeRules(this.rules) ? { redacted: describeRules(this.rules) } : {}),
    };
  }

  private write(base: Omit<Cassette, 'response' | 'order'>, response: CassetteResponse): void {
    const order = (this.session.get(base.key) ?? 0) + 1;
    this.session.set(base.key, order);
    const cassette: Cassette = { ...base, order, response } as Cassette;
    try {
      const file = writeCassette(this.options.dir, cassetteName(base.operation, base.key, order), cassette);
      this.options.logger.debug(`record: wrote ${file}`);
      this.options.store?.index(cassette, file);
    } catch (error) {
      this.options.logger.error(`record: could not write a cassette in ${this.options.dir}: ${(error as Error).message}`);
    }
  }
}
