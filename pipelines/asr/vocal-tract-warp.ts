import type { Features } from '../../src/audio/features.js';

/**
 * Vocal tract length perturbation (VTLP, Jaitly & Hinton 2013) on log-mel features: the frequency
 * axis is stretched by a factor α per utterance, as a shorter (α > 1) or longer (α < 1) vocal tract
 * moves the formants. The synthetic corpus has a few voices; this makes every epoch's copy of an
 * utterance sound like a slightly different speaker.
 *
 * Warping is piecewise linear in Hz, as in the paper: f → αf up to a breakpoint, then a straight
 * line to the Nyquist frequency so the band edge stays put. Each output band reads the band the
 * inverse warp points at, interpolated between its two neighbours.
 */

/** Mel scale of meyda's filterbank (HTK's 1125·ln(1 + f/700)), bands spread from 0 to Nyquist. */
const toMel = (hz: number): number => 1125 * Math.log(1 + hz / 700);
const fromMel = (mel: number): number => 700 * (Math.exp(mel / 1125) - 1);

/** Where the straight line to Nyquist starts, as in the paper (4.8 kHz of 8). */
const BREAK_FRACTION = 0.6;

/**
 * For each of `bands` mel bands, the fractional band index to read from so that the output is the
 * input warped by `alpha`.
 */
export function warpSourceBands(bands: number, nyquist: number, alpha: number): Float32Array {
  const step = toMel(nyquist) / (bands + 1);
  const knee = BREAK_FRACTION * nyquist * Math.min(alpha, 1); // warped frequency of the breakpoint
  const kneeSource = knee / alpha;
  const source = new Float32Array(bands);
  for (let i = 0; i < bands; i++) {
    const warped = fromMel((i + 1) * step); // centre of output band i
    const hz =
      warped <= knee
        ? warped / alpha
        : nyquist - ((nyquist - warped) * (nyquist - kneeSource)) / (nyquist - knee);
    source[i] = Math.min(bands - 1, Math.max(0, toMel(hz) / step - 1));
  }
  return source;
}

/** Features [frames, bands] read at the fractional source bands: a new array. */
export function warpBands(
  values: Float32Array,
  frames: number,
  bands: number,
  source: Float32Array,
): Float32Array {
  const out = new Float32Array(values.length);
  for (let b = 0; b < bands; b++) {
    const position = source[b]!;
    const low = Math.floor(position);
    const high = Math.min(bands - 1, low + 1);
    const w = position - low;
    for (let t = 0, row = 0; t < frames; t++, row += bands)
      out[row + b] = (1 - w) * values[row + low]! + w * values[row + high]!;
  }
  return out;
}

/**
 * Features [frames, bands] of log-mel bands warped by `alpha` (1 returns them as they are): what
 * training's VTLP does to an utterance, and test-time warp search to each candidate.
 */
export function warpFeatures(features: Features, alpha: number, nyquist: number): Features {
  if (alpha === 1) return features;
  const { frames, dim, values } = features;
  return {
    frames,
    dim,
    values: warpBands(values, frames, dim, warpSourceBands(dim, nyquist, alpha)),
  };
}

/** A warp factor: in [low, high] for `share` of utterances, 1 (no warp) for the rest. */
export function drawWarpFactor(
  random: () => number,
  range: readonly [number, number],
  share = 0.8,
): number {
  return random() < share ? range[0] + random() * (range[1] - range[0]) : 1;
}
