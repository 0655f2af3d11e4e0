import { readFileSync } from 'node:fs';
import { toMono16k } from '../../src/audio/resample.js';
import { encodeWav16, parseWav } from '../../src/audio/wav.js';
import { projectPath } from '../../src/paths.js';

const sample = (name: string) =>
  toMono16k(parseWav(readFileSync(projectPath('samples', name)), name));

/**
 * The two sample recordings with 1.5 s of silence between them and 1 s after, as one 16 kHz
 * 16-bit WAV (a 44-byte header, then the samples): a stream with two utterances.
 */
export async function conversation(): Promise<Uint8Array> {
  const first = await sample('speech-16k-mono.wav');
  const second = await sample('speech-44k-stereo-24bit.wav');
  const gap = 1.5 * 16000;
  const all = new Float32Array(first.length + gap + second.length + 16000);
  all.set(first);
  all.set(second, first.length + gap);
  return encodeWav16({ sampleRate: 16000, channels: [all] });
}
