import { describe, expect, it } from 'vitest';
import { splitAtPauses, splitIntoUtterances, trimSilence } from '../../src/audio/segment.js';

/** `tone` seconds of a 300 Hz tone, then `pause` seconds of silence, repeated. */
function speechWithPauses(tone: number, pause: number, repeats: number, rate = 16000) {
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < tone * rate; i++) out.push(0.5 * Math.sin((2 * Math.PI * 300 * i) / rate));
    for (let i = 0; i < pause * rate; i++) out.push(0);
  }
  return Float32Array.from(out);
}

describe('splitting long audio at pauses', () => {
  it('leaves short audio whole', () => {
    expect(splitAtPauses(new Float32Array(16000 * 5), 10)).toEqual([{ start: 0, end: 80000 }]);
  });

  it('cuts inside the silences, every piece at most maxSeconds, covering every sample once', () => {
    // 3 s of tone + 1 s of silence, 8 times: 32 s.
    const audio = speechWithPauses(3, 1, 8);
    const ranges = splitAtPauses(audio, 10);
    expect(ranges.length).toBeGreaterThanOrEqual(4);
    expect(ranges[0]!.start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(audio.length);
    ranges.forEach((r, i) => {
      expect(r.end - r.start).toBeLessThanOrEqual(10 * 16000);
      if (i > 0) expect(r.start).toBe(ranges[i - 1]!.end);
      if (i < ranges.length - 1) {
        // The cut is in a silent second: (t mod 4) in [3, 4).
        const seconds = r.end / 16000;
        expect(seconds % 4).toBeGreaterThanOrEqual(3);
        expect(audio[r.end]).toBe(0);
      }
    });
  });

  it('trims silence around sound down to a margin, and finds nothing in silence', () => {
    // 1 s silence, 0.5 s tone, 1 s silence.
    const audio = new Float32Array(40000);
    audio.set(speechWithPauses(0.5, 0, 1), 16000);
    expect(trimSilence(audio, { start: 0, end: 40000 })).toEqual({ start: 8000, end: 32000 });
    expect(trimSilence(audio, { start: 0, end: 40000 }, 0)).toEqual({ start: 16000, end: 24000 });
    expect(
      trimSilence(new Float32Array(16000).fill(1e-4), { start: 0, end: 16000 }),
    ).toBeUndefined();
  });

  it('cuts utterance-sized pieces at pauses and joins short ones up to the target length', () => {
    // 1.5 s of tone + 0.5 s of silence, 10 times: 20 s; pauses every 2 s.
    const audio = speechWithPauses(1.5, 0.5, 10);
    const ranges = splitIntoUtterances(audio, { targetSeconds: 4.5, maxSeconds: 10 });
    expect(ranges[0]!.start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(audio.length);
    ranges.forEach((r, i) => {
      expect(r.end - r.start).toBeLessThanOrEqual(4.5 * 16000);
      if (i > 0) expect(r.start).toBe(ranges[i - 1]!.end);
      if (i < ranges.length - 1) expect(audio[r.end]).toBe(0); // inside a pause
    });
    // Two 2 s stretches fit in 4.5 s: five pieces, not ten.
    expect(ranges.length).toBe(5);
    // Short audio stays whole; a pause-free stretch longer than maxSeconds is still cut.
    expect(splitIntoUtterances(audio.subarray(0, 16000 * 5), { maxSeconds: 10 })).toHaveLength(1);
    const tone = speechWithPauses(25, 0, 1);
    const cut = splitIntoUtterances(tone, { maxSeconds: 10 });
    expect(cut.every((r) => r.end - r.start <= 160000)).toBe(true);
  });

  it('still cuts audio without pauses, at maxSeconds at the latest', () => {
    const audio = speechWithPauses(25, 0, 1);
    const ranges = splitAtPauses(audio, 10);
    expect(ranges.map((r) => r.end - r.start).every((n) => n <= 160000)).toBe(true);
    expect(ranges.at(-1)!.end).toBe(audio.length);
  });
});
