import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PITCH_SHIFTED_VOICES, synthesize, VOICES } from '../../datasets/speech/voices.js';

const has = (cmd: string) => spawnSync('which', [cmd]).status === 0;
// CI installs festival and sox; elsewhere these tests say so instead of passing vacuously.
const required = process.env.CI === 'true' || process.env.ATTEND_REQUIRE_NATIVE === '1';

/** Median pitch (Hz) of the loud 40 ms frames, by autocorrelation over 70-400 Hz. */
function medianPitch(samples: Float32Array, rate: number): number {
  const window = Math.round(0.04 * rate);
  const loudest = samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const pitches: number[] = [];
  for (let start = 0; start + window < samples.length; start += window) {
    const frame = samples.subarray(start, start + window);
    const peak = frame.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (peak < 0.3 * loudest) continue;
    let best = 0;
    let bestLag = 0;
    for (let lag = Math.floor(rate / 400); lag < rate / 70; lag++) {
      let sum = 0;
      for (let i = 0; i + lag < window; i++) sum += frame[i]! * frame[i + lag]!;
      if (sum > best) [best, bestLag] = [sum, lag];
    }
    if (bestLag) pitches.push(rate / bestLag);
  }
  pitches.sort((a, b) => a - b);
  return pitches[Math.floor(pitches.length / 2)]!;
}

const text = 'the quick brown fox jumps over the lazy dog';
const prosody = { rate: 1, pitch: 50 };

describe.runIf(has('festival') || required)('festival voices', () => {
  it('speaks with ked, a speaker no other engine has', async () => {
    const ked = VOICES.find((v) => v.name === 'ked_diphone')!;
    const audio = await synthesize(ked, text, prosody);
    expect(audio.sampleRate).toBe(16000);
    expect(audio.channels[0]!.length / 16000).toBeGreaterThan(1.5);
  });

  it('one running festival speaks in turn with both voices, slower when the rate is lower', async () => {
    const [kal, ked] = ['kal_diphone', 'ked_diphone'].map((n) => VOICES.find((v) => v.name === n)!);
    const quoted = 'he said "stop" \\ twice';
    const normal = await synthesize(kal!, quoted, prosody);
    const other = await synthesize(ked!, quoted, prosody);
    const slow = await synthesize(kal!, quoted, { rate: 0.5, pitch: 50 });
    expect(other.channels[0]!.length).not.toBe(normal.channels[0]!.length);
    expect(slow.channels[0]!.length / normal.channels[0]!.length).toBeGreaterThan(1.6);
  });

  it('names the Debian package when a voice is missing', async () => {
    const missing = { engine: 'festival', name: 'nope_diphone', heldOut: false } as const;
    await expect(synthesize(missing, text, prosody)).rejects.toThrow(
      /nope_diphone is not installed/,
    );
  });
});

describe.runIf((has('sox') && has('flite')) || required)('pitch-shifted training voices', () => {
  it('raise the pitch by about seven semitones and keep the duration', async () => {
    const shifted = PITCH_SHIFTED_VOICES.find((v) => v.name === 'rms')!;
    const plain = VOICES.find((v) => v.name === 'rms')!;
    const [a, b] = await Promise.all([
      synthesize(plain, text, prosody),
      synthesize(shifted, text, prosody),
    ]);
    const ratio =
      medianPitch(b.channels[0]!, b.sampleRate) / medianPitch(a.channels[0]!, a.sampleRate);
    expect(ratio).toBeGreaterThan(1.3); // 700 cents = ×1.50
    expect(ratio).toBeLessThan(1.7);
    expect(b.channels[0]!.length / a.channels[0]!.length).toBeCloseTo(1, 1);
  });
});
