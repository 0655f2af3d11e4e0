import { describe, expect, it } from 'vitest';
import { applyPolyphase, designPolyphase } from '../../src/audio/polyphase.js';
import { resample } from '../../src/audio/resample.js';
import { sine } from '../helpers/wav-writer.js';

const rms = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
/** The middle of a signal, away from the filter's edges. */
const middle = (x: Float32Array): Float32Array =>
  x.subarray(Math.floor(x.length * 0.1), Math.floor(x.length * 0.9));

describe('polyphase resampling', () => {
  it('designs small banks for the common rates and declines odd ones', () => {
    const filter = designPolyphase(44100, 16000)!;
    expect([filter.up, filter.down]).toEqual([160, 441]);
    expect(filter.bank.length).toBe(filter.up * filter.width);
    expect(designPolyphase(8000, 16000)).toMatchObject({ up: 2, down: 1 });
    expect(designPolyphase(48000, 16000)).toMatchObject({ up: 1, down: 3 });
    expect(designPolyphase(44057, 16000)).toBeUndefined(); // 16000 phases
  });

  it('keeps pass-band tones at their level and phase, up and down', () => {
    for (const [from, frequency] of [
      [44100, 1000],
      [44100, 7000],
      [22050, 3000],
      [8000, 3000],
      [48000, 5000],
    ] as const) {
      const out = applyPolyphase(sine(frequency, from, 1), designPolyphase(from, 16000)!);
      expect(out.length).toBe(16000);
      const expected = sine(frequency, 16000, 1);
      const error = middle(out).map((v, i) => v - middle(expected)[i]!);
      expect(rms(error) / rms(middle(expected)), `${from} Hz, ${frequency} Hz tone`).toBeLessThan(
        1e-3,
      );
    }
  });

  it('removes what is above the new Nyquist frequency (no aliasing) and upsampling images', () => {
    // 9 kHz and 11 kHz would fold to 7 and 5 kHz at 16 kHz; 0.5 amplitude is rms 0.35.
    for (const frequency of [9000, 11000, 15000])
      expect(
        rms(middle(applyPolyphase(sine(frequency, 44100, 1), designPolyphase(44100, 16000)!))),
      ).toBeLessThan(1e-4);
    // An 8 kHz file's 3 kHz tone has an image at 5 kHz when upsampled: only the tone may remain.
    const up = applyPolyphase(sine(3000, 8000, 1), designPolyphase(8000, 16000)!);
    const image = sine(5000, 16000, 1);
    const leak = middle(up).reduce((s, v, i) => s + v * middle(image)[i]!, 0) / middle(up).length;
    expect(Math.abs(leak)).toBeLessThan(1e-4);
  });

  it('the native kernel and the JS loop give the same samples', () => {
    const filter = designPolyphase(44100, 16000)!;
    const x = Float32Array.from(
      { length: 4410 },
      (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13,
    );
    const js = applyPolyphase(x, filter, false);
    const native = applyPolyphase(x, filter);
    expect(native.length).toBe(js.length);
    for (let i = 0; i < js.length; i++) expect(native[i]).toBeCloseTo(js[i]!, 5);
  });

  it('resample() falls back to libsamplerate for a ratio with no small bank', async () => {
    const out = await resample(sine(1000, 44057, 0.5), 44057, 16000);
    expect(out.length).toBe(8000);
    expect(rms(middle(out))).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });
});
