import { samplesStream } from '../../src/bench/fixtures.js';

/**
 * The two sample recordings with 1.5 s of silence between them and 1 s after, as one 16 kHz
 * 16-bit WAV (a 44-byte header, then the samples): a stream with two utterances.
 */
export const conversation = (): Promise<Uint8Array> =>
  samplesStream(['speech-16k-mono.wav', 'speech-44k-stereo-24bit.wav'], 1.5, 1);
