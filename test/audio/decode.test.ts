import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.js';
import { downmix, resample, toMono16k } from '../../src/audio/resample.js';
import { AttendError } from '../../src/errors.js';
import { projectPath } from '../../src/paths.js';
import { type Encoding, sine, writeWav } from '../helpers/wav-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-audio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

const maxError = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
const rms = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('WAV decoding', () => {
  const left = sine(440, 22050, 0.2);
  const right = sine(660, 22050, 0.2, 0.25);
  const tolerance: Record<Encoding, number> = {
    pcm8: 1e-2,
    pcm16: 1e-4,
    pcm24: 1e-6,
    pcm32: 1e-8,
    float32: 0,
    float64: 1e-7,
    mulaw: 3e-2,
  };
  for (const encoding of Object.keys(tolerance) as Encoding[]) {
    for (const extensible of [false, true]) {
      it(`${encoding}${extensible ? ' (extensible)' : ''}, stereo, 22.05 kHz`, async () => {
        const path = file(
          `${encoding}-${extensible}.wav`,
          writeWav([left, right], 22050, encoding, extensible),
        );
        const audio = await decodeAudioFile(path);
        expect(audio.sampleRate).toBe(22050);
        expect(audio.channels.length).toBe(2);
        expect(maxError(audio.channels[0]!, left)).toBeLessThanOrEqual(tolerance[encoding] + 1e-9);
        expect(maxError(audio.channels[1]!, right)).toBeLessThanOrEqual(tolerance[encoding] + 1e-9);
      });
    }
  }
});

// sox (a CI package) encodes the files; audio-decode's WASM decoders read them back.
describe('FLAC, AIFF and Ogg Vorbis through audio-decode', () => {
  const left = sine(440, 22050, 0.5);
  const right = sine(660, 22050, 0.5, 0.25);
  const wav = file('tone.wav', writeWav([left, right], 22050, 'pcm16'));
  const encode = (extension: string): string => {
    const out = join(dir, `tone.${extension}`);
    const sox = spawnSync('sox', [wav, out], { encoding: 'utf8' });
    if (sox.status !== 0) throw new Error(`sox ${extension}: ${sox.stderr || sox.error}`);
    return out;
  };

  for (const format of ['flac', 'aiff']) {
    it(`${format} (16-bit) decodes losslessly`, async () => {
      const audio = await decodeAudioFile(encode(format));
      expect(audio.sampleRate).toBe(22050);
      expect(audio.channels.length).toBe(2);
      expect(audio.channels[0]!.length).toBe(left.length);
      expect(maxError(audio.channels[0]!, left)).toBeLessThanOrEqual(1e-4);
      expect(maxError(audio.channels[1]!, right)).toBeLessThanOrEqual(1e-4);
    });
  }

  it('Ogg Vorbis decodes to the same tones (lossy)', async () => {
    const audio = await decodeAudioFile(encode('ogg'));
    expect(audio.sampleRate).toBe(22050);
    expect(audio.channels.length).toBe(2);
    expect(Math.abs(audio.channels[0]!.length - left.length)).toBeLessThanOrEqual(64);
    const middle = (x: Float32Array) => x.subarray(2000, 9000);
    expect(rms(middle(audio.channels[0]!))).toBeCloseTo(rms(middle(left)), 1);
    const residual = middle(audio.channels[1]!).map((v, i) => v - middle(right)[i]!);
    expect(rms(residual)).toBeLessThan(0.05 * rms(middle(right)));
  });
});

describe('compressed formats through audio-decode (test/fixtures/audio/README)', () => {
  /** Magnitude of the frequency-f component of x (one DFT bin, any f). */
  const amplitudeAt = (x: Float32Array, f: number, rate: number): number => {
    let re = 0;
    let im = 0;
    for (let n = 0; n < x.length; n++) {
      re += x[n]! * Math.cos((2 * Math.PI * f * n) / rate);
      im -= x[n]! * Math.sin((2 * Math.PI * f * n) / rate);
    }
    return (2 * Math.hypot(re, im)) / x.length;
  };

  // [file, the rate its decoder reports, extra samples the codec may add (delay and padding)]
  const fixtures: [string, number, number][] = [
    ['tones-22k-stereo.mp3', 22050, 2304],
    ['tones-22k-stereo.m4a', 22050, 2048],
    ['tones-22k-stereo.aac', 44100, 4096],
    ['tones-22k-stereo.webm', 48000, 960],
  ];
  it.each(fixtures)(
    '%s: both channels, 440 Hz left and 660 Hz right',
    async (name, rate, extra) => {
      const audio = await decodeAudioFile(projectPath('test', 'fixtures', 'audio', name));
      expect(audio.sampleRate).toBe(rate);
      expect(audio.channels.length).toBe(2);
      const length = audio.channels[0]!.length;
      expect(length).toBeGreaterThanOrEqual(rate / 2);
      expect(length).toBeLessThanOrEqual(rate / 2 + extra);
      // The middle half, clear of the codec's onset and tail.
      const [left, right] = audio.channels.map((c) =>
        c.subarray(Math.floor(length / 4), Math.floor((3 * length) / 4)),
      );
      expect(amplitudeAt(left!, 440, rate)).toBeGreaterThan(0.4);
      expect(amplitudeAt(left!, 660, rate)).toBeLessThan(0.05);
      expect(amplitudeAt(right!, 660, rate)).toBeGreaterThan(0.4);
      expect(amplitudeAt(right!, 440, rate)).toBeLessThan(0.05);
    },
  );
});

describe('bad audio is a clear error naming the file', () => {
  const cases: [string, Uint8Array | string, RegExp][] = [
    ['empty.wav', new Uint8Array(0), /empty\.wav: empty file/],
    ['notes.wav', 'these are not samples', /notes\.wav: not a supported audio file/],
    [
      'header-only.wav',
      writeWav([sine(440, 8000, 0.1)], 8000, 'pcm16').subarray(0, 30),
      /header-only\.wav: truncated WAV format chunk/,
    ],
    [
      'no-data.wav',
      writeWav([sine(440, 8000, 0.1)], 8000, 'pcm16').subarray(0, 36),
      /no-data\.wav: WAV file has no data chunk/,
    ],
    [
      'zero.wav',
      writeWav([new Float32Array(0)], 8000, 'pcm16'),
      /zero\.wav: contains no audio samples/,
    ],
    [
      'nan.wav',
      writeWav([Float32Array.from([0, Number.NaN, 0.1])], 8000, 'float32'),
      /nan\.wav: audio contains NaN or infinite samples \(at sample 1\)/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    it(name, async () => {
      const path = file(name, bytes);
      await expect(decodeAudioFile(path)).rejects.toThrow(AttendError);
      await expect(decodeAudioFile(path)).rejects.toThrow(message);
    });
  }

  it('a missing file', async () => {
    await expect(decodeAudioFile(join(dir, 'nope.wav'))).rejects.toThrow(/nope\.wav: no such file/);
  });

  it('a truncated data chunk decodes what is there, with a warning naming the file', async () => {
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listen);
    try {
      const bytes = writeWav([sine(440, 8000, 0.1)], 8000, 'pcm16');
      const audio = await decodeAudioFile(file('cut.wav', bytes.subarray(0, bytes.length - 101)));
      expect(audio.channels[0]!.length).toBe(800 - 51);
      // A streaming placeholder size (0xFFFFFFFF) is no cut: no warning for it.
      const streamed = Uint8Array.from(bytes);
      new DataView(streamed.buffer).setUint32(40, 0xffffffff, true);
      await decodeAudioFile(file('streamed.wav', streamed));
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on next tick
    } finally {
      process.off('warning', listen);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /cut\.wav: the WAV header promises 0\.10 s of audio, the file holds 0\.09 s/,
    );
  });
});

describe('mono 16 kHz', () => {
  it('downmixes by averaging the channels', () => {
    const mono = downmix({
      sampleRate: 8000,
      channels: [Float32Array.of(1, 0.5), Float32Array.of(0, -0.5)],
    });
    expect(Array.from(mono)).toEqual([0.5, 0]);
  });

  it('resampling keeps a 1 kHz tone and its level', async () => {
    const out = await resample(sine(1000, 44100, 1), 44100, 16000);
    expect(Math.abs(out.length - 16000)).toBeLessThanOrEqual(2);
    expect(rms(out.subarray(1000, 15000))).toBeCloseTo(0.5 / Math.SQRT2, 2);
    const expected = sine(1000, 16000, 1);
    // same frequency and phase away from the edges (the filter's delay is compensated by libsamplerate)
    expect(maxError(out.subarray(2000, 14000), expected.subarray(2000, 14000))).toBeLessThan(0.01);
  });

  it('filters out what is above the new Nyquist frequency instead of aliasing it', async () => {
    const out = await resample(sine(11000, 44100, 1), 44100, 16000);
    expect(rms(out.subarray(1000, 15000))).toBeLessThan(0.005);
  });

  it('any file becomes 16 kHz mono', async () => {
    const path = file(
      'stereo48k.wav',
      writeWav([sine(300, 48000, 0.5), sine(300, 48000, 0.5)], 48000, 'pcm24'),
    );
    const samples = await toMono16k(await decodeAudioFile(path));
    expect(Math.abs(samples.length - 8000)).toBeLessThanOrEqual(2);
  });
});
