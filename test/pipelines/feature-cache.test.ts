import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFeatures } from '../../pipelines/asr/feature-cache.js';
import { decodeAudioFile } from '../../src/audio/decode.js';
import { DEFAULT_FEATURES } from '../../src/audio/features.js';
import { toMono16k } from '../../src/audio/resample.js';
import { asrFeatures } from '../../src/models/asr.js';
import { projectPath } from '../../src/paths.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';
import { writeWav } from '../helpers/wav-writer.js';

const corpus = mkdtempSync(join(tmpdir(), 'attend-features-'));
afterAll(() => rmSync(corpus, { recursive: true, force: true }));

/**
 * A chirp over white noise: distinct frames, so a mix-up between utterances shows, and energy in
 * every mel band (an empty band's log is all rounding, and differs from backend to backend).
 */
function chirp(seconds: number, rate: number, from: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  let seed = from;
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = 0.3 * Math.sin(2 * Math.PI * (from + 400 * t) * t) + 0.05 * (seed / 2147483648 - 0.5);
  }
  return out;
}

const line = (audio: string, text: string) =>
  `${JSON.stringify({ audio, text, duration: 1, speaker: 's' })}\n`;

beforeAll(async () => {
  await ready;
  // 22.05 kHz stereo and 16 kHz mono: the cache holds what transcribe would compute (16 kHz mono).
  // (Full-band audio: below 16 kHz the empty top bands' logs are rounding, normalised by CMVN.)
  const left = chirp(0.8, 22050, 300);
  writeFileSync(join(corpus, 'a.wav'), writeWav([left, left], 22050, 'pcm16'));
  writeFileSync(join(corpus, 'b.wav'), writeWav([chirp(1.3, 16000, 900)], 16000, 'pcm16'));
  writeFileSync(join(corpus, 'c.wav'), writeWav([chirp(0.5, 44100, 500)], 44100, 'float32'));
  writeFileSync(join(corpus, 'broken.wav'), 'this is not audio');
  writeFileSync(
    join(corpus, 'train.jsonl'),
    line('a.wav', 'first') + line('broken.wav', 'lost') + line('b.wav', 'second'),
  );
  writeFileSync(join(corpus, 'dev.jsonl'), line('c.wav', 'third'));
});

describe('attend dataset features', () => {
  it('caches each split once, with the features transcribe computes, and names unreadable audio', async () => {
    const first = attend(['dataset', 'features', '--data', corpus]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/train\.jsonl: 2 utterances, \d+ frames cached, 1 unreadable/);
    expect(first.stdout).toContain('broken.wav');
    expect(first.stdout).toMatch(/dev\.jsonl: 1 utterances, \d+ frames cached\n/);
    const written = statSync(join(corpus, 'cache', 'train.f32')).mtimeMs;

    // What training reads back: the readable utterances in manifest order, values as computed here.
    const cache = await corpusFeatures(corpus, 'train', DEFAULT_FEATURES);
    expect(cache.reused).toBe(true);
    expect(cache.utterances.map((u) => u.text)).toEqual(['first', 'second']);
    expect(cache.failures).toHaveLength(1);
    for (const [utterance, file] of [
      [cache.utterances[0]!, 'a.wav'],
      [cache.utterances[1]!, 'b.wav'],
    ] as const) {
      const direct = asrFeatures(
        await toMono16k(await decodeAudioFile(join(corpus, file))),
        DEFAULT_FEATURES,
      );
      expect(utterance.frames).toBe(direct.frames);
      // The CLI's backend and this process's may round differently (e.g. native vs cpu).
      const gap = utterance.values.reduce(
        (most, v, i) => Math.max(most, Math.abs(v - direct.values[i]!)),
        0,
      );
      expect(gap).toBeLessThan(2e-3);
    }

    // A second run (e.g. `attend train asr`'s) reuses the files instead of computing them again.
    // It runs on the chosen backend (the log-mel's DFT is a matrix product there), not tfjs's
    // default pure-JS one: that took 400 ms an utterance.
    const again = attend(['--backend', 'wasm', 'dataset', 'features', '--data', corpus]);
    expect(again.stdout).toMatch(/^backend: wasm$/m);
    expect(again.stdout.match(/already cached/g)).toHaveLength(2);
    expect(statSync(join(corpus, 'cache', 'train.f32')).mtimeMs).toBe(written);
  });

  it('refuses a split it does not know and a checkpoint that is not a speech model', () => {
    const split = attend(['dataset', 'features', '--data', corpus, '--splits', 'train,eval']);
    expect(split.status).not.toBe(0);
    expect(split.stderr).toMatch(/--splits: 'eval' is not train, dev or test/);
    const captioner = projectPath('checkpoints', 'caption-scenes');
    const model = attend(['dataset', 'features', '--data', corpus, '--model', captioner]);
    expect(model.status).not.toBe(0);
    expect(model.stderr).toContain(`${captioner}: not a speech checkpoint`);
    const missing = attend(['dataset', 'features', '--data', join(corpus, 'nowhere')]);
    expect(missing.stderr).toMatch(/nowhere\/train\.jsonl: no such manifest/);
  });
});
