import { describe, expect, it } from 'vitest';
import { Endpointer, type StreamUtterance } from '../../src/audio/endpointer.js';
import { PcmStreamDecoder } from '../../src/audio/pcm-stream.js';
import { downmix } from '../../src/audio/resample.js';
import { parseWav } from '../../src/audio/wav.js';
import { writeWav } from '../helpers/wav-writer.js';

const RATE = 16000;

/** Deterministic pseudo-noise in [-1, 1]. */
function noise(n: number, amplitude: number, seed = 1): Float32Array {
  let state = seed;
  return Float32Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return amplitude * (state / 2 ** 30 - 1);
  });
}

/** A "speech" burst: a 200 Hz tone with a syllable-rate envelope (4 Hz), so it has dips. */
const burst = (seconds: number) =>
  Float32Array.from({ length: Math.round(seconds * RATE) }, (_, i) => {
    const t = i / RATE;
    return 0.3 * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t)) * Math.sin(2 * Math.PI * 200 * t);
  });
const quiet = (seconds: number, level = 0) => noise(Math.round(seconds * RATE), level);

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds `samples` to an endpointer in chunks of `chunk` samples; every utterance, flushed. */
function endpoint(samples: Float32Array, chunk = 1600, pauseSeconds = 0.5, maxSeconds = 10) {
  const endpointer = new Endpointer({ sampleRate: RATE, pauseSeconds, maxSeconds });
  const out: StreamUtterance[] = [];
  for (let i = 0; i < samples.length; i += chunk)
    out.push(...endpointer.push(samples.subarray(i, i + chunk)));
  return { utterances: [...out, ...endpointer.flush()], endpointer };
}

const spans = (utterances: StreamUtterance[]) =>
  utterances.map((u) =>
    [u.start, u.start + u.samples.length / RATE].map((s) => Number(s.toFixed(2))),
  );

describe('PcmStreamDecoder', () => {
  const left = noise(999, 0.5, 3);
  const right = noise(999, 0.5, 4);
  const wav = writeWav([left, right], 22050, 'pcm24');
  const whole = downmix(parseWav(wav, 'x.wav'));

  it('decodes a WAV cut into chunks anywhere as the whole file decodes (downmixed)', () => {
    for (const size of [1, 7, 44, 45, 100, 4096]) {
      const decoder = new PcmStreamDecoder('x.wav');
      const parts: Float32Array[] = [];
      for (let i = 0; i < wav.length; i += size)
        parts.push(decoder.push(wav.subarray(i, i + size)));
      expect(decoder.sampleRate).toBe(22050);
      expect(decoder.endedMidway).toBe(false);
      const streamed = concat(...parts);
      expect(streamed.length).toBe(whole.length);
      for (let i = 0; i < whole.length; i++) expect(streamed[i]).toBeCloseTo(whole[i]!, 6);
    }
  });

  it('reads on past a placeholder data size, stops at a declared one, and says when cut midway', () => {
    const streaming = Uint8Array.from(wav);
    const dataSizeAt = wav.length - 999 * 6 - 4;
    new DataView(streaming.buffer).setUint32(dataSizeAt, 0xffffffff, true);
    const more = concat(whole, whole).length; // the same samples again after the "end"
    const decoder = new PcmStreamDecoder('live');
    const first = decoder.push(streaming);
    const second = decoder.push(wav.subarray(wav.length - 999 * 6));
    expect(first.length + second.length).toBe(more);
    // Declared size: bytes after the data chunk (a LIST chunk) are not samples.
    const trailer = new Uint8Array([
      ...wav,
      ...new TextEncoder().encode('LIST\x04\x00\x00\x00abcd'),
    ]);
    expect(new PcmStreamDecoder('x').push(trailer).length).toBe(whole.length);
    const cut = new PcmStreamDecoder('x');
    cut.push(wav.subarray(0, wav.length - 2));
    expect(cut.endedMidway).toBe(true);
  });

  it('takes raw 16-bit PCM, and refuses what is not a WAV stream naming it', () => {
    const pcm = new Int16Array([0, 16384, -16384, 32767, 1000, -1000]);
    const decoder = new PcmStreamDecoder('mic', { sampleRate: 8000, channels: 2 });
    const bytes = new Uint8Array(pcm.buffer);
    const samples = concat(decoder.push(bytes.subarray(0, 5)), decoder.push(bytes.subarray(5)));
    expect(Array.from(samples)).toEqual([0.25, (32767 - 16384) / 65536, 0]);
    expect(() => new PcmStreamDecoder('standard input').push(new Uint8Array(64))).toThrow(
      /^standard input: not a WAV stream .* --raw RATE/,
    );
  });
});

describe('Endpointer', () => {
  it('ends an utterance at a pause and not at a shorter one', () => {
    const { utterances } = endpoint(
      concat(quiet(0.7), burst(1), quiet(1), burst(0.5), quiet(0.3), burst(0.5), quiet(1)),
    );
    // Two utterances: the 0.3 s pause is inside the second; each keeps 0.25 s of quiet after it.
    expect(spans(utterances)).toEqual([
      [0, 1.95],
      [1.95, 4.25],
    ]);
    // The same when the whole stream comes as one chunk (a file read in large blocks).
    const whole = concat(
      quiet(0.7),
      burst(1),
      quiet(1),
      burst(0.5),
      quiet(0.3),
      burst(0.5),
      quiet(1),
    );
    expect(spans(endpoint(whole, whole.length).utterances)).toEqual(spans(utterances));
  });

  it('cuts speech that runs on at its quietest moment, no piece over the maximum', () => {
    const long = concat(burst(4), quiet(0.2), burst(5), quiet(0.2), burst(9), quiet(0.2), burst(6));
    const { utterances } = endpoint(long, 1600, 0.5, 10);
    for (const u of utterances) expect(u.samples.length / RATE).toBeLessThanOrEqual(10);
    expect(spans(endpoint(long, long.length, 0.5, 10).utterances)).toEqual(spans(utterances));
    expect(utterances.reduce((n, u) => n + u.samples.length, 0)).toBe(long.length);
    // The first cut falls in the 0.2 s dip at 9.2-9.4 s.
    expect(utterances[0]!.samples.length / RATE).toBeGreaterThan(9.2);
    expect(utterances[0]!.samples.length / RATE).toBeLessThan(9.4);
  });

  it('keeps memory bounded through silence and hiss, and hears speech above the hiss', () => {
    const hiss = (s: number) => noise(Math.round(s * RATE), 0.003, 9); // about -55 dBFS
    const endpointer = new Endpointer({ sampleRate: RATE, pauseSeconds: 0.5, maxSeconds: 10 });
    const heard: StreamUtterance[] = [];
    const feed = (samples: Float32Array) => {
      for (let i = 0; i < samples.length; i += 1600)
        heard.push(...endpointer.push(samples.subarray(i, i + 1600)));
    };
    feed(hiss(60));
    expect(heard).toEqual([]);
    expect(endpointer.bufferedSeconds).toBeLessThanOrEqual(1);
    feed(concat(burst(1), hiss(1)));
    expect(spans(heard)).toEqual([[59, 61.25]]); // a second of lead-in, then the burst and 0.25 s
  });
});
