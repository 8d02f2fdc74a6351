import type { Exchange, MockResponse } from '../../pipeline/types';
import { mp3, pcm16, wav } from '../../engine/binary-bodies';

export { PNG_BASE64 } from '../../engine/binary-bodies';

/** Audio inside JSON answers (chat audio output), base64-encoded by the caller. */
export function placeholderAudio(format: string): Buffer {
  if (format === 'mp3') return mp3();
  if (format === 'pcm16') return pcm16();
  return wav();
}

// What the API labels each `response_format` of `audio/speech` with; the spec says only octet-stream.
const SPEECH_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** `audio/speech`: audio of the requested format (mp3 by default), labelled as the API labels it. */
export function speechAudio(response: MockResponse, exchange: Exchange): MockResponse {
  const body = exchange.request.body as { response_format?: unknown } | undefined;
  const format = typeof body?.response_format === 'string' && body.response_format in SPEECH_TYPES ? body.response_format : 'mp3';
  const audio = format === 'wav' ? wav() : format === 'pcm' ? pcm16() : mp3();
  return { ...response, headers: { ...response.headers, 'content-type': SPEECH_TYPES[format]! }, body: audio };
}

/**
 * `files/{file_id}/content`: the API sends the file's bytes; the spec's JSON string would reach
 * `files.content().text()` as `"string"`, quotes included. Nothing is stored, so the bytes say
 * which file was asked for.
 */
export function fileContent(response: MockResponse, exchange: Exchange): MockResponse {
  const id = exchange.request.params.file_id ?? 'file';
  return {
    ...response,
    headers: { ...response.headers, 'content-type': 'application/octet-stream' },
    body: Buffer.from(`openai-mock: the content of ${id}\n`),
  };
}

/**
 * Transcriptions and translations in `response_format` text, srt or vtt: the API answers plain
 * text, which the SDK hands back as a string; the spec lists only the JSON forms.
 */
export function transcriptFormat(response: MockResponse, exchange: Exchange): MockResponse {
  if (exchange.operationId !== 'createTranscription' && exchange.operationId !== 'createTranslation') return response;
  const format = (exchange.request.body as { response_format?: unknown } | undefined)?.response_format;
  if (format !== 'text' && format !== 'srt' && format !== 'vtt') return response;
  const text = String((response.body as { text?: unknown } | undefined)?.text ?? '');
  const duration = Math.max(1, Math.round(text.split(/\s+/).length / 2.5));
  const clock = (seconds: number, separator: string) => `00:00:${String(seconds).padStart(2, '0')}${separator}000`;
  const body =
    format === 'text'
      ? `${text}\n`
      : format === 'srt'
        ? `1\n${clock(0, ',')} --> ${clock(Math.min(duration, 59), ',')}\n${text}\n\n`
        : `WEBVTT\n\n${clock(0, '.')} --> ${clock(Math.min(duration, 59), '.')}\n${text}\n\n`;
  return { ...response, headers: { ...response.headers, 'content-type': 'text/plain; charset=utf-8' }, body };
}
