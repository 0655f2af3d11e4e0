import { AttendError } from '../errors.js';
import { Meyda } from './meyda.js';
import { TARGET_RATE } from './resample.js';

/** Front-end settings, saved with every model so features are computed the same way at inference. */
export interface FeatureConfig {
  readonly kind: 'logmel' | 'mfcc';
  readonly sampleRate: number;
  readonly windowMs: number;
  readonly hopMs: number;
  readonly melBands: number;
  /** MFCC only: coefficients before deltas. */
  readonly mfccCoefficients: number;
  /** MFCC only: append Δ and ΔΔ. */
  readonly deltas: boolean;
}

export const DEFAULT_FEATURES: FeatureConfig = {
  kind: 'logmel',
  sampleRate: TARGET_RATE,
  windowMs: 25,
  hopMs: 10,
  melBands: 80,
  mfccCoefficients: 13,
  deltas: true,
};

export interface Features {
  readonly frames: number;
  readonly dim: number;
  readonly values: Float32Array; // [frames, dim] row-major
}

const nextPowerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(n));

export function featureDim(config: FeatureConfig): number {
  if (config.kind === 'logmel') return config.melBands;
  return config.mfccCoefficients * (config.deltas ? 3 : 1);
}

/** Periodic Hann window of `length` (meyda only windows whole power-of-two buffers). */
function hann(length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length));
}

/** Regression deltas over ±2 frames (the HTK formula), for [frames, dim] features. */
export function deltas(values: Float32Array, frames: number, dim: number): Float32Array {
  const out = new Float32Array(values.length);
  const at = (t: number, d: number) => values[Math.min(frames - 1, Math.max(0, t)) * dim + d]!;
  for (let t = 0; t < frames; t++) {
    for (let d = 0; d < dim; d++) {
      out[t * dim + d] = (at(t + 1, d) - at(t - 1, d) + 2 * (at(t + 2, d) - at(t - 2, d))) / 10;
    }
  }
  return out;
}

/**
 * Log-mel (or MFCC) features of 16 kHz mono audio with meyda: each 25 ms frame (hop 10 ms) is
 * Hann-windowed here, zero-padded to a power of two, and handed to meyda for the power spectrum,
 * its mel filterbank and (for MFCC) its DCT. Log-mel is log(mel energy + 1e-10).
 */
export function computeFeatures(
  samples: Float32Array,
  config: FeatureConfig = DEFAULT_FEATURES,
): Features {
  const windowLength = Math.round((config.sampleRate * config.windowMs) / 1000);
  const hop = Math.round((config.sampleRate * config.hopMs) / 1000);
  if (samples.length < windowLength) {
    throw new AttendError(
      `audio is ${samples.length} samples long, shorter than one ${config.windowMs} ms frame`,
    );
  }
  const frames = 1 + Math.floor((samples.length - windowLength) / hop);
  const fftSize = nextPowerOfTwo(windowLength);
  const window = hann(windowLength);
  Meyda.bufferSize = fftSize;
  Meyda.sampleRate = config.sampleRate;
  Meyda.melBands = config.melBands;
  Meyda.numberOfMFCCCoefficients = config.mfccCoefficients;
  Meyda.windowingFunction = 'rect'; // the window is applied above, over the real 25 ms only
  const base = config.kind === 'logmel' ? config.melBands : config.mfccCoefficients;
  const values = new Float32Array(frames * base);
  const buffer = new Float32Array(fftSize);
  for (let t = 0; t < frames; t++) {
    const start = t * hop;
    for (let i = 0; i < windowLength; i++) buffer[i] = samples[start + i]! * window[i]!;
    if (config.kind === 'mfcc') {
      const mfcc = Meyda.extract('mfcc', buffer) as number[];
      values.set(mfcc, t * base);
      continue;
    }
    const power = Meyda.extract('powerSpectrum', buffer) as Float32Array;
    const bank = Meyda.melFilterBank!;
    for (let m = 0; m < base; m++) {
      const filter = bank[m]!;
      let energy = 0;
      for (let k = 0; k < power.length; k++) energy += filter[k]! * power[k]!;
      values[t * base + m] = Math.log(energy + 1e-10);
    }
  }
  if (config.kind === 'mfcc' && config.deltas) {
    const d1 = deltas(values, frames, base);
    const d2 = deltas(d1, frames, base);
    const all = new Float32Array(frames * base * 3);
    for (let t = 0; t < frames; t++) {
      all.set(values.subarray(t * base, (t + 1) * base), t * base * 3);
      all.set(d1.subarray(t * base, (t + 1) * base), t * base * 3 + base);
      all.set(d2.subarray(t * base, (t + 1) * base), t * base * 3 + 2 * base);
    }
    return { frames, dim: base * 3, values: all };
  }
  return { frames, dim: base, values };
}

/** Per-utterance mean and variance normalisation of each feature dimension. */
export function cmvn(features: Features): Features {
  const { frames, dim, values } = features;
  const out = new Float32Array(values.length);
  for (let d = 0; d < dim; d++) {
    let mean = 0;
    for (let t = 0; t < frames; t++) mean += values[t * dim + d]!;
    mean /= frames;
    let variance = 0;
    for (let t = 0; t < frames; t++) variance += (values[t * dim + d]! - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / frames + 1e-8);
    for (let t = 0; t < frames; t++) out[t * dim + d] = (values[t * dim + d]! - mean) * scale;
  }
  return { frames, dim, values: out };
}
