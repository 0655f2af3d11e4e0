import { loadAddon, type NativeAddon } from '../runtime/native/addon.js';

/**
 * Polyphase FIR resampling for rates with a small rational ratio (44.1 kHz -> 16 kHz is 160/441):
 * a Kaiser-windowed sinc low-pass evaluated only at the output samples, zero-phase, so the output
 * lines up with the input with no delay to trim. libsamplerate's arbitrary-ratio sinc (medium
 * quality) took ~150 ms for 2.6 s of 44.1 kHz audio, a quarter of `attend transcribe`'s time on
 * the samples; this takes a few ms (native kernel; ~30 ms in JS without the addon) for the same
 * pass band and a 90 dB stop band.
 */

/** Pass band up to this fraction of the lower Nyquist frequency; stop band from Nyquist on. */
const PASS_FRACTION = 0.9;
const STOP_DB = 90;
/**
 * Filter banks above this many taps (1 MB) are not built: odd rates (44057 -> 16000 needs 16000
 * phases; speed perturbation's 14999 Hz as many) go to libsamplerate.
 */
const MAX_BANK_TAPS = 1 << 18;

export interface PolyphaseFilter {
  /** Output samples advance `down` input units of 1/`up` samples each. */
  up: number;
  down: number;
  /** Taps per phase; phase p's taps are bank[p * width ... (p + 1) * width). */
  width: number;
  /** Tap j of a phase multiplies input sample (base - reach + j), base = floor(position / up). */
  reach: number;
  bank: Float32Array;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Zeroth-order modified Bessel function (the Kaiser window), by its power series. */
function besselI0(x: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; term > 1e-12 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** The filter for from -> to, or undefined when the ratio needs too large a bank. */
export function designPolyphase(from: number, to: number): PolyphaseFilter | undefined {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from <= 0 || to <= 0) return undefined;
  const divisor = gcd(from, to);
  const up = to / divisor;
  const down = from / divisor;
  // Design at the upsampled rate up * from; frequencies below as fractions of it.
  const nyquist = Math.min(from, to) / 2;
  const rate = up * from;
  const cutoff = ((1 + PASS_FRACTION) / 2) * nyquist; // -6 dB point, mid transition
  const transition = (1 - PASS_FRACTION) * nyquist;
  // Kaiser's estimates of the length and the shape parameter for a STOP_DB stop band.
  const length = Math.ceil((STOP_DB - 8) / (2.285 * 2 * Math.PI * (transition / rate)));
  const beta = 0.1102 * (STOP_DB - 8.7);
  const half = Math.ceil(length / 2); // in upsampled samples
  const reach = Math.ceil(half / up);
  const width = 2 * reach + 1;
  if (up * width > MAX_BANK_TAPS) return undefined;

  const bank = new Float32Array(up * width);
  const scale = (2 * cutoff) / rate;
  const window0 = besselI0(beta);
  for (let phase = 0; phase < up; phase++) {
    let sum = 0;
    for (let k = 0; k < width; k++) {
      // Tap k meets input sample base - reach + k, (reach - k) * up + phase upsampled units back.
      const offset = (reach - k) * up + phase;
      if (Math.abs(offset) > half) continue;
      const x = scale * offset;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = offset / half;
      const tap = scale * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / window0);
      bank[phase * width + k] = tap;
      sum += tap;
    }
    // Each phase passes DC at exactly gain 1 (zero stuffing's factor `up` is in the normalising).
    for (let k = 0; k < width; k++) bank[phase * width + k]! /= sum;
  }
  return { up, down, width, reach, bank };
}

let addon: NativeAddon | null | undefined;
function nativeAddon(): NativeAddon | undefined {
  if (addon === undefined) {
    try {
      addon = loadAddon();
    } catch {
      addon = null; // not built here: the JS loop below does the same
    }
  }
  return addon ?? undefined;
}

/** Resamples with a designed filter; the output has round(length * up / down) samples. */
export function applyPolyphase(
  samples: Float32Array,
  filter: PolyphaseFilter,
  useNative = true,
): Float32Array {
  const { up, down, width, reach, bank } = filter;
  const out = new Float32Array(Math.round((samples.length * up) / down));
  const native = useNative ? nativeAddon() : undefined;
  if (native) {
    native.polyphase(samples, bank, out, up, down, width, reach);
    return out;
  }
  for (let n = 0; n < out.length; n++) {
    const position = n * down;
    const base = Math.floor(position / up);
    const taps = (position - base * up) * width;
    // Input samples start + k for k = 0..width-1, skipping those outside the signal.
    const start = base - reach;
    const first = Math.max(0, -start);
    const end = Math.min(width, samples.length - start);
    let acc = 0;
    for (let k = first; k < end; k++) acc += bank[taps + k]! * samples[start + k]!;
    out[n] = acc;
  }
  return out;
}
