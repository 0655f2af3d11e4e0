import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawScene } from '../../datasets/scenes/layout.js';
import { renderScene } from '../../datasets/scenes/render.js';
import { toMono16k } from '../audio/resample.js';
import { encodeWav16, parseWav } from '../audio/wav.js';
import { CaptionModel } from '../models/caption.js';
import { CAPTION_PRESETS } from '../models/caption-presets.js';
import { projectPath } from '../paths.js';
import { WordTokenizer } from '../text/words.js';
import { prng } from '../util/random.js';

/** Why a benchmark needs a shipped checkpoint that is not there yet, if it is not. */
export const needsShipped = (name: string) => (): string | undefined =>
  existsSync(projectPath('checkpoints', name, 'model.json'))
    ? undefined
    : `no shipped model in checkpoints/${name} yet`;

/**
 * The speech model speed rows use: the shipped `asr-en`, or until it ships the work-in-progress
 * checkpoint (same architecture and size, so the same compute per second of audio).
 */
export function benchAsrModel(): string {
  const shipped = projectPath('checkpoints', 'asr-en');
  return existsSync(join(shipped, 'model.json'))
    ? shipped
    : projectPath('checkpoints', 'asr-en-wip');
}

/**
 * An untrained tiny captioner saved in `dir`: its outputs are arbitrary but deterministic, which is
 * all that batch and queue bookkeeping (and memory benchmarks) need.
 */
export async function saveTinyCaptioner(dir: string): Promise<void> {
  const tokenizer = WordTokenizer.fromCaptions(['a small red circle left of a large blue square']);
  const model = new CaptionModel(CAPTION_PRESETS.tiny!(tokenizer.size), tokenizer);
  model.build();
  await model.save(dir);
  model.dispose();
}

/** Renders scenes 0..count-1 (seeded by index) as <dir>/<prefix><i>.png; returns the paths. */
export async function writeScenes(
  dir: string,
  count: number,
  size = 32,
  prefix = 'img',
): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const random = prng(i);
    const file = join(dir, `${prefix}${i}.png`);
    writeFileSync(file, await renderScene(drawScene(random, size), size, random));
    files.push(file);
  }
  return files;
}

/**
 * Sample recordings (names under samples/) at 16 kHz, `gapSeconds` of silence between them and
 * `tailSeconds` after, as one 16-bit WAV (a 44-byte header, then the samples): a stream with one
 * utterance per recording, for live transcription's bench row and tests.
 */
export async function samplesStream(
  names: readonly string[],
  gapSeconds: number,
  tailSeconds: number,
): Promise<Uint8Array> {
  const recordings: Float32Array[] = [];
  for (const name of names) {
    const file = projectPath('samples', name);
    recordings.push(await toMono16k(parseWav(readFileSync(file), file)));
  }
  const gap = Math.round(gapSeconds * 16000);
  const total =
    recordings.reduce((n, r) => n + r.length, 0) +
    gap * (recordings.length - 1) +
    Math.round(tailSeconds * 16000);
  const all = new Float32Array(total);
  let at = 0;
  for (const r of recordings) {
    all.set(r, at);
    at += r.length + gap;
  }
  return encodeWav16({ sampleRate: 16000, channels: [all] });
}
