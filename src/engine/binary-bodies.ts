/**
 * Small, well-formed stand-ins for media, so that a client that decodes them (an audio player,
 * an image library, unzip) gets a file of the right kind rather than the text "string". Used for
 * binary answers and for the base64 data inside JSON ones.
 */

/** Silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz). */
export function mp3(): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64], 0);
  return Buffer.concat([frame, frame, frame]);
}

/** A WAV file: 16-bit mono PCM at 24 kHz, 0.1 s of silence. */
export function wav(): Buffer {
  const samples = 2400;
  const data = samples * 2;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0);
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(24000, 24);
  out.writeUInt32LE(48000, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36);
  out.writeUInt32LE(data, 40);
  return out;
}

/** Raw 16-bit PCM at 24 kHz: 0.1 s of silence. */
export const pcm16 = () => Buffer.alloc(4800);

/** A 1x1 transparent PNG, base64. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

// The smallest valid WebP: a 1x1 lossless image.
const webp = () => Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

// An empty zip archive: just the end-of-central-directory record.
const zip = () => Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

// An MP4 `ftyp` box: enough for a player to recognise the container.
const mp4 = () =>
  Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2')]);

export function placeholderBytes(mediaType: string): Buffer {
  switch (mediaType) {
    case 'audio/mpeg':
    case 'application/octet-stream':
      return mp3();
    case 'audio/wav':
      return wav();
    case 'image/png':
      return Buffer.from(PNG_BASE64, 'base64');
    case 'image/webp':
      return webp();
    case 'application/zip':
      return zip();
    case 'video/mp4':
      return mp4();
    default:
      return Buffer.from('openai-mock binary content\n');
  }
}
