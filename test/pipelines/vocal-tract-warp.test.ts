import { describe, expect, it } from 'vitest';
import {
  drawWarpFactor,
  warpBands,
  warpSourceBands,
} from '../../pipelines/asr/vocal-tract-warp.js';
import { prng } from '../../src/util/random.js';

/** Centre frequency of mel band i of `bands` from 0 to 8 kHz, as meyda spaces them. */
const centre = (i: number, bands: number) => {
  const step = (1125 * Math.log(1 + 8000 / 700)) / (bands + 1);
  return 700 * (Math.exp(((i + 1) * step) / 1125) - 1);
};

describe('vocal tract length perturbation', () => {
  it('is the identity at alpha 1 and keeps the band edges', () => {
    const same = warpSourceBands(80, 8000, 1);
    for (const [i, s] of same.entries()) expect(s).toBeCloseTo(i, 4);
    for (const alpha of [0.9, 1.1]) {
      const source = warpSourceBands(80, 8000, alpha);
      // Nyquist stays put, so the top band barely moves while the middle ones move by alpha.
      expect(Math.abs(source[79]! - 79)).toBeLessThan(0.2);
      expect(Math.abs(source[30]! - 30)).toBeGreaterThan(1);
      for (let i = 1; i < 80; i++) expect(source[i]!).toBeGreaterThanOrEqual(source[i - 1]!);
    }
  });

  it('moves a formant up by alpha (a shorter vocal tract) below the breakpoint', () => {
    const bands = 80;
    // One peak at band 20 (about 1 kHz): warped by 1.1 it must sit at the band nearest 1.1 kHz.
    const frames = 3;
    const values = new Float32Array(frames * bands);
    for (let t = 0; t < frames; t++) values[t * bands + 20] = 1;
    const warped = warpBands(values, frames, bands, warpSourceBands(bands, 8000, 1.1));
    const row = Array.from(warped.subarray(bands, 2 * bands));
    const peak = row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);
    const target = 1.1 * centre(20, bands);
    const distance = row.map((_, i) => Math.abs(centre(i, bands) - target));
    const nearest = distance.reduce((best, d, i) => (d < distance[best]! ? i : best), 0);
    expect(peak).toBe(nearest);
    expect(peak).toBeGreaterThan(20);
    // Interpolation moves the peak, it does not smear it over the spectrum.
    expect(row.filter((v) => v > 0).length).toBeLessThanOrEqual(3);
  });

  it('draws factors in range for the share asked, and 1 otherwise', () => {
    const random = prng(3);
    const factors = Array.from({ length: 2000 }, () => drawWarpFactor(random, [0.9, 1.1], 0.8));
    const warped = factors.filter((f) => f !== 1);
    expect(warped.every((f) => f >= 0.9 && f <= 1.1)).toBe(true);
    expect(warped.length / factors.length).toBeGreaterThan(0.75);
    expect(warped.length / factors.length).toBeLessThan(0.85);
  });
});
