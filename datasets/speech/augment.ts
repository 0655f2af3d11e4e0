import { resample } from '../../src/audio/resample.js';

export interface Condition {
  /** Signal-to-noise ratio of the added room noise, in dB. */
  readonly snrDb: number;
  readonly gainDb: number;
  /** Band-limit to 4 kHz (through 8 kHz), like the telephone speech users also have. */
  readonly telephone: boolean;
}

/** The room noise SNRs (dB) utterances are drawn at unless a corpus asks for others. */
export const DEFAULT_SNR_DB = [10, 40] as const;

export function drawCondition(
  random: () => number,
  snrDb: readonly [number, number] = DEFAULT_SNR_DB,
): Condition {
  return {
    snrDb: snrDb[0] + random() * (snrDb[1] - snrDb[0]),
    gainDb: -9 + random() * 9,
    telephone: random() < 0.2,
  };
}

const rms = (x: Float32Array): number =>
  Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));

/**
 * Room noise (brown-ish noise: integrated white noise, leaky) at the given SNR, a gain, and an
 * optional telephone band; 16 kHz in and out.
 */
export async function applyCondition(
  samples: Float32Array,
  condition: Condition,
  random: () => number,
): Promise<Float32Array> {
  let x = samples;
  if (condition.telephone) x = await resample(await resample(x, 16000, 8000), 8000, 16000);
  const noise = new Float32Array(x.length);
  let level = 0;
  for (let i = 0; i < noise.length; i++) {
    level = 0.97 * level + (random() * 2 - 1);
    noise[i] = level + 0.3 * (random() * 2 - 1);
  }
  const noiseScale = (rms(x) / Math.max(rms(noise), 1e-9)) * 10 ** (-condition.snrDb / 20);
  const gain = 10 ** (condition.gainDb / 20);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++)
    out[i] = Math.max(-1, Math.min(1, (x[i]! + noise[i]! * noiseScale) * gain));
  return out;
}
