import { describe, expect, it } from 'vitest';
import { cmvn, computeFeatures, DEFAULT_FEATURES, deltas } from '../../src/audio/features.js';
import { sine } from '../helpers/wav-writer.js';

/** Log-mel computed another way: a direct DFT and a filterbank written from the formulas. */
function referenceLogMel(samples: Float32Array, bands: number): number[][] {
  const sr = 16000;
  const win = 400;
  const hop = 160;
  const n = 512;
  const mel = (f: number) => 1125 * Math.log(1 + f / 700);
  const hz = (m: number) => 700 * (Math.exp(m / 1125) - 1);
  const edges = Array.from({ length: bands + 2 }, (_, i) =>
    Math.floor(((n + 1) * hz((i * mel(sr / 2)) / (bands + 1))) / sr),
  );
  const frames: number[][] = [];
  for (let start = 0; start + win <= samples.length; start += hop) {
    const power: number[] = [];
    for (let k = 0; k < n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < win; i++) {
        const x = samples[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win));
        re += x * Math.cos((2 * Math.PI * k * i) / n);
        im -= x * Math.sin((2 * Math.PI * k * i) / n);
      }
      power.push(re * re + im * im);
    }
    frames.push(
      Array.from({ length: bands }, (_, b) => {
        let energy = 0;
        for (let k = edges[b]!; k < edges[b + 1]!; k++)
          energy += ((k - edges[b]!) / (edges[b + 1]! - edges[b]!)) * power[k]!;
        for (let k = edges[b + 1]!; k < edges[b + 2]!; k++)
          energy += ((edges[b + 2]! - k) / (edges[b + 2]! - edges[b + 1]!)) * power[k]!;
        return Math.log(energy + 1e-10);
      }),
    );
  }
  return frames;
}

describe('features', () => {
  const chirp = Float32Array.from(
    { length: 3200 },
    (_, i) =>
      0.3 * Math.sin(2 * Math.PI * (200 + i * 0.5) * (i / 16000)) + 0.05 * Math.sin(i * 1.7),
  );

  it('80-band log-mel: 25 ms / 10 ms frames, values equal a direct DFT reference', () => {
    const features = computeFeatures(chirp);
    expect(features.dim).toBe(80);
    expect(features.frames).toBe(1 + Math.floor((3200 - 400) / 160));
    const reference = referenceLogMel(chirp, 80);
    expect(reference.length).toBe(features.frames);
    let worst = 0;
    reference.forEach((row, t) => {
      row.forEach((value, b) => {
        // bands with real energy must agree closely (empty low bands are log(1e-10) on both sides)
        if (value > -10) worst = Math.max(worst, Math.abs(value - features.values[t * 80 + b]!));
      });
    });
    expect(worst).toBeLessThan(1e-3);
  });

  it('a 1 kHz tone peaks in the mel band that holds 1 kHz', () => {
    const { values, dim } = computeFeatures(sine(1000, 16000, 0.5));
    const row = Array.from(values.subarray(10 * dim, 11 * dim));
    const peak = row.indexOf(Math.max(...row));
    const mel = (f: number) => 1125 * Math.log(1 + f / 700);
    const centre = (b: number) => ((b + 1) * mel(8000)) / 81;
    expect(Math.abs(centre(peak) - mel(1000))).toBeLessThan(mel(8000) / 81);
  });

  it('MFCC with deltas: 39 dimensions, deltas of a ramp are its slope', () => {
    const mfcc = computeFeatures(chirp, { ...DEFAULT_FEATURES, kind: 'mfcc', melBands: 40 });
    expect(mfcc.dim).toBe(39);
    const ramp = Float32Array.from({ length: 10 }, (_, t) => 3 * t);
    const d = deltas(ramp, 10, 1);
    expect(d[5]).toBeCloseTo(3, 6);
  });

  it('CMVN gives every dimension zero mean and unit variance', () => {
    const normalised = cmvn(computeFeatures(chirp));
    for (const d of [0, 40, 79]) {
      const column = Array.from(
        { length: normalised.frames },
        (_, t) => normalised.values[t * 80 + d]!,
      );
      const mean = column.reduce((a, b) => a + b, 0) / column.length;
      const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length;
      expect(mean).toBeCloseTo(0, 4);
      expect(variance).toBeCloseTo(1, 2);
    }
  });

  it('audio shorter than one frame is a clear error', () => {
    expect(() => computeFeatures(new Float32Array(100))).toThrow('shorter than one 25 ms frame');
  });
});

describe('fast log-mel', () => {
  it('equals the meyda path (and is what training caches use)', async () => {
    const { initRuntime } = await import('../../src/runtime/select.js');
    const { fastLogMel } = await import('../../src/audio/fast-logmel.js');
    await initRuntime();
    const samples = Float32Array.from(
      { length: 8000 },
      (_, i) => 0.3 * Math.sin(i * 0.05 + 0.00002 * i * i) + 0.02 * Math.sin(i * 2.3),
    );
    const slow = computeFeatures(samples);
    const fast = fastLogMel(samples, DEFAULT_FEATURES);
    expect([fast.frames, fast.dim]).toEqual([slow.frames, slow.dim]);
    let worst = 0;
    slow.values.forEach((v, i) => {
      if (v > -10) worst = Math.max(worst, Math.abs(v - fast.values[i]!));
    });
    expect(worst).toBeLessThan(2e-3);
  });
});
