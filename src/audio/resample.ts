import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { applyPolyphase, designPolyphase, type PolyphaseFilter } from './polyphase.js';
import type { AudioData } from './wav.js';

// CommonJS package: its named exports exist only on the default (module.exports) object.
const { ConverterType, create } = libsamplerate;
export const TARGET_RATE = 16000;

/** Average of the channels. */
export function downmix(audio: AudioData): Float32Array {
  const [first, ...rest] = audio.channels;
  if (!first) return new Float32Array(0);
  if (rest.length === 0) return first;
  const out = Float32Array.from(first);
  for (const channel of rest) for (let i = 0; i < out.length; i++) out[i]! += channel[i]!;
  const scale = 1 / audio.channels.length;
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return out;
}

/** Designed filters by "from:to" (a batch job resamples every file of a corpus at one rate). */
const filters = new Map<string, PolyphaseFilter | undefined>();

/**
 * Band-limited sinc resampling: an anti-aliasing filter, not the linear interpolation that folds
 * everything above 8 kHz back into speech. Our polyphase filter where the rates have a small
 * ratio (every common rate), libsamplerate (compiled to WASM) for any other.
 */
export async function resample(
  samples: Float32Array,
  from: number,
  to = TARGET_RATE,
): Promise<Float32Array> {
  if (from === to) return samples;
  const key = `${from}:${to}`;
  if (!filters.has(key)) {
    if (filters.size >= 16) filters.delete(filters.keys().next().value!);
    filters.set(key, designPolyphase(from, to));
  }
  const filter = filters.get(key);
  if (filter) return applyPolyphase(samples, filter);
  const converter = await create(1, from, to, {
    converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY,
  });
  try {
    // The sinc filter holds back its last few dozen samples: feed silence after the end so the
    // output covers the whole input, then cut it to the exact resampled length.
    const padded = new Float32Array(samples.length + 4096);
    padded.set(samples);
    const expected = Math.round((samples.length * to) / from);
    return converter.full(padded).slice(0, expected);
  } finally {
    converter.destroy();
  }
}

/** Any decoded audio -> 16 kHz mono. */
export async function toMono16k(audio: AudioData): Promise<Float32Array> {
  return resample(downmix(audio), audio.sampleRate, TARGET_RATE);
}
