/**
 * Small, well-formed stand-ins for binary answers, so that a client that decodes them (an audio
 * player, an image library, unzip) gets a file of the right kind rather than the text "string".
 */

// An MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz) and a silent frame body.
const mp3Frame = () => {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64], 0);
  return Buffer.concat([frame, frame, frame]);
};

// The smallest valid WebP: a 1x1 lossless image.
const webp = () =>
  Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

// An empty zip archive: just the end-of-central-directory record.
const zip = () => Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

// An MP4 `ftyp` box: enough for a player to recognise the container.
const mp4 = () =>
  Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2')]);

export function placeholderBytes(mediaType: string): Buffer {
  switch (mediaType) {
    case 'audio/mpeg':
    case 'application/octet-stream':
      return mp3Frame();
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
