/**
 * The Realtime API's audio: PCM16, 24 kHz, mono, little-endian. Output is a quiet tone whose
 * length follows the transcript; input is read for its energy, as a simple server VAD would.
 */

export const SAMPLE_RATE = 24_000;
const BYTES_PER_SAMPLE = 2;

/**
 * Milliseconds of output audio per word of transcript. Shorter than speech (about 350 ms) on
 * purpose: tests and benches move a tenth of the data, and the length still follows the words.
 */
export const AUDIO_MS_PER_WORD = 60;

export const bytesForMs = (ms: number) => Math.round((ms * SAMPLE_RATE) / 1000) * BYTES_PER_SAMPLE;
export const msForBytes = (bytes: number) => (bytes / BYTES_PER_SAMPLE / SAMPLE_RATE) * 1000;

/** Words as the transcript's deltas count them (splitText's pieces that hold a letter or digit). */
export const wordCount = (text: string) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

const TONE_HZ = 440;
/** A tenth of full scale: audible, never clipping. */
const AMPLITUDE = 0.1 * 32767;

/** `ms` of a 440 Hz tone, its phase continuing from `startSample` so that chunks join without clicks. */
export function tone(ms: number, startSample = 0): Buffer {
  const samples = Math.round((ms * SAMPLE_RATE) / 1000);
  const out = Buffer.alloc(samples * BYTES_PER_SAMPLE);
  const step = (2 * Math.PI * TONE_HZ) / SAMPLE_RATE;
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(AMPLITUDE * Math.sin(step * (startSample + i))), i * BYTES_PER_SAMPLE);
  return out;
}

/** The audio of one transcript piece: AUDIO_MS_PER_WORD per word in it (none for whitespace or punctuation alone). */
export function audioForText(text: string, startSample: number): Buffer {
  return tone(wordCount(text) * AUDIO_MS_PER_WORD, startSample);
}

/** Frames of this length are judged speech or silence. */
export const FRAME_MS = 20;
/**
 * RMS (0..1 of full scale) above which a frame is speech, at the API's default threshold of 0.5;
 * the session's `threshold` scales it (0.9 needs louder audio).
 */
const RMS_AT_HALF = 0.02;

export function speechLevel(threshold: number | undefined): number {
  const t = typeof threshold === 'number' && threshold > 0 && threshold <= 1 ? threshold : 0.5;
  return RMS_AT_HALF * (t / 0.5);
}

/** RMS of each whole FRAME_MS frame of `pcm` (a trailing part frame waits for more audio). */
export function frameLevels(pcm: Buffer): number[] {
  const frameBytes = bytesForMs(FRAME_MS);
  const levels: number[] = [];
  for (let at = 0; at + frameBytes <= pcm.length; at += frameBytes) {
    let sum = 0;
    for (let i = at; i < at + frameBytes; i += BYTES_PER_SAMPLE) {
      const s = pcm.readInt16LE(i) / 32768;
      sum += s * s;
    }
    levels.push(Math.sqrt(sum / (frameBytes / BYTES_PER_SAMPLE)));
  }
  return levels;
}
