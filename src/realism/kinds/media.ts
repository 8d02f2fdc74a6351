/** Small, well-formed media for JSON answers that carry base64 data (audio, images). */

/** A WAV file: 16-bit mono PCM at 24 kHz, 0.1 s of silence. */
function wav(): Buffer {
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

/** Silent MPEG-1 Layer III frames. */
function mp3(): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64], 0);
  return Buffer.concat([frame, frame, frame]);
}

export function placeholderAudio(format: string): Buffer {
  if (format === 'mp3') return mp3();
  if (format === 'pcm16') return Buffer.alloc(4800);
  return wav();
}

/** A 1x1 transparent PNG, base64. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
