import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  drawShift,
  FEMALE_F0_VOICES,
  PITCH_SHIFTED_VOICES,
  synthesize,
  VARIED_VOICES,
  VOICES,
} from '../../datasets/speech/voices.js';
import { Meyda } from '../../src/audio/meyda.js';

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

/** Long-term average log power spectrum (512-point frames, half overlap). */
function averageLogSpectrum(samples: Float32Array, rate: number): Float64Array {
  Meyda.bufferSize = 512;
  Meyda.sampleRate = rate;
  const sum = new Float64Array(257);
  for (let start = 0; start + 512 <= samples.length; start += 256) {
    const power = Meyda.extract('powerSpectrum', samples.slice(start, start + 512)) as Float32Array;
    power.forEach((p, i) => {
      sum[i] = sum[i]! + p;
    });
  }
  return sum.map((p) => Math.log(p + 1e-9));
}

/**
 * The frequency scale that best maps one voice's average spectrum onto another's (300-3000 Hz,
 * shapes compared after removing their means): how far the formants moved.
 */
function formantScale(from: Float32Array, to: Float32Array, rate: number): number {
  const [a, b] = [averageLogSpectrum(from, rate), averageLogSpectrum(to, rate)];
  const at = (spectrum: Float64Array, hz: number) => {
    const x = (hz / rate) * 512;
    const i = Math.floor(x);
    return spectrum[i]! + (x - i) * (spectrum[i + 1]! - spectrum[i]!);
  };
  const grid = Array.from({ length: 200 }, (_, i) => 300 + (i * 2700) / 199);
  const centred = (values: number[]) => {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    return values.map((v) => v - mean);
  };
  let best = { error: Number.POSITIVE_INFINITY, scale: 1 };
  for (let scale = 0.7; scale <= 2; scale += 0.02) {
    const x = centred(grid.map((hz) => at(a, hz)));
    const y = centred(grid.map((hz) => at(b, hz * scale)));
    const error = x.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0);
    if (error < best.error) best = { error, scale };
  }
  return best.scale;
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

describe.runIf(has('espeak-ng') || required)('varied espeak-ng training voices', () => {
  it('each variant changes the voice (espeak-ng ignores some without a word)', async () => {
    const espeak = VARIED_VOICES.filter((v) => v.engine === 'espeak-ng');
    expect(espeak.length).toBe(12);
    for (const voice of espeak) {
      const accent = { ...voice, name: voice.name.split('+')[0]! };
      const [a, b] = await Promise.all([
        synthesize(voice, text, prosody),
        synthesize(accent, text, prosody),
      ]);
      const same =
        a.channels[0]!.length === b.channels[0]!.length &&
        a.channels[0]!.every((v, i) => v === b.channels[0]![i]);
      expect(same, voice.name).toBe(false);
    }
  });

  it('none is a held-out accent or variant', () => {
    const heldOut = VOICES.filter((v) => v.heldOut && v.engine === 'espeak-ng').flatMap((v) =>
      v.name.split('+'),
    );
    for (const voice of VARIED_VOICES)
      for (const part of voice.name.split('+')) expect(heldOut).not.toContain(part);
  });
});

describe.runIf((has('sox') && has('flite') && has('rubberband')) || required)(
  'female-like shifted voices',
  () => {
    it('move the pitch by the drawn cents and the formants by the drawn scale, apart, and keep the length', async () => {
      const rms = VARIED_VOICES.find((v) => v.name === 'rms' && v.shift)!;
      const plain = await synthesize(VOICES.find((v) => v.name === 'rms')!, text, prosody);
      const shifted = (formant: number, cents: number) =>
        synthesize(rms, text, { ...prosody, shift: { formant, cents } });
      const [pitchOnly, both] = await Promise.all([shifted(1, 900), shifted(1.2, 900)]);
      const samples = (a: typeof plain) => a.channels[0]!;
      for (const audio of [pitchOnly, both]) {
        const ratio =
          medianPitch(samples(audio), audio.sampleRate) /
          medianPitch(samples(plain), plain.sampleRate);
        expect(ratio).toBeGreaterThan(1.45); // 900 cents = ×1.68
        expect(ratio).toBeLessThan(1.95);
        expect(samples(audio).length / samples(plain).length).toBeCloseTo(1, 1);
      }
      expect(formantScale(samples(plain), samples(pitchOnly), plain.sampleRate)).toBeCloseTo(1, 1);
      expect(formantScale(samples(plain), samples(both), plain.sampleRate)).toBeCloseTo(1.2, 1);
      // sox's pitch (the pitch-shifted set) moves the formants with the pitch
      const sox = await synthesize(
        PITCH_SHIFTED_VOICES.find((v) => v.name === 'rms')!,
        text,
        prosody,
      );
      expect(formantScale(samples(plain), samples(sox), plain.sampleRate)).toBeGreaterThan(1.35);
    });
  },
);

describe.runIf((has('sox') && has('flite')) || required)('female-f0 training voices', () => {
  it('speak at the drawn F0 with formants raised by the drawn scale and the length kept', async () => {
    for (const voice of FEMALE_F0_VOICES) {
      const plain = await synthesize({ ...voice, shift: undefined }, text, prosody);
      const samples = (a: typeof plain) => a.channels[0]!;
      for (const [formant, f0Hz] of [
        [1, 200],
        [1.2, 200],
      ] as const) {
        const shifted = await synthesize(voice, text, { ...prosody, shift: { formant, f0Hz } });
        const pitch = medianPitch(samples(shifted), shifted.sampleRate);
        expect(pitch, voice.name).toBeGreaterThan(0.9 * f0Hz);
        expect(pitch, voice.name).toBeLessThan(1.1 * f0Hz);
        expect(samples(shifted).length / samples(plain).length).toBeCloseTo(1, 1);
        expect(formantScale(samples(plain), samples(shifted), plain.sampleRate)).toBeCloseTo(
          formant,
          1,
        );
      }
    }
  });

  it('draw an F0, not a pitch raise, within their ranges', () => {
    const shift = FEMALE_F0_VOICES[0]!.shift!;
    let seed = 0.1;
    const amount = drawShift(() => (seed = (seed * 7.3) % 1), shift);
    expect(amount.cents).toBeUndefined();
    expect(amount.f0Hz).toBeGreaterThanOrEqual(shift.f0Hz![0]);
    expect(amount.f0Hz).toBeLessThanOrEqual(shift.f0Hz![1]);
    expect(amount.formant).toBeGreaterThanOrEqual(shift.formant[0]);
  });
});
