import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readSpeechManifest, type SpeechItem } from '../../datasets/manifest.js';
import { decodeAudioFile } from '../../src/audio/decode.js';
import type { FeatureConfig } from '../../src/audio/features.js';
import { toMono16k } from '../../src/audio/resample.js';
import { Progress } from '../../src/cli/progress.js';
import { asrFeatures } from '../../src/models/asr.js';

export interface CachedUtterance {
  readonly text: string;
  readonly frames: number;
  readonly values: Float32Array; // [frames, dim], CMVN applied
}

interface CacheIndex {
  readonly config: FeatureConfig;
  readonly dim: number;
  readonly items: { audio: string; text: string; frames: number; offset: number }[];
  readonly failures: string[];
}

export interface FeatureCache {
  readonly utterances: CachedUtterance[];
  /** 'audio path: reason' for each utterance whose audio could not be read (left out). */
  readonly failures: readonly string[];
  /** Whether the cache on disk was reused as it was. */
  readonly reused: boolean;
}

/**
 * Features of every utterance of a manifest, computed once into <dir>/<name>.f32 (+ .json index)
 * so training epochs do not decode and transform audio again. Rebuilt when the settings change.
 */
export async function featureCache(
  items: readonly SpeechItem[],
  config: FeatureConfig,
  dir: string,
  name: string,
): Promise<FeatureCache> {
  const indexPath = join(dir, `${name}.json`);
  const dataPath = join(dir, `${name}.f32`);
  let index: CacheIndex | undefined;
  if (existsSync(indexPath) && existsSync(dataPath)) {
    const existing = JSON.parse(readFileSync(indexPath, 'utf8')) as CacheIndex;
    if (
      JSON.stringify(existing.config) === JSON.stringify(config) &&
      existing.items.length + existing.failures.length === items.length
    ) {
      index = existing;
    }
  }
  const reused = index !== undefined;
  if (!index) {
    const fd = openSync(dataPath, 'w');
    const built: CacheIndex = { config, dim: 0, items: [], failures: [] };
    let offset = 0;
    const progress = new Progress(items.length, `features ${name}`, 'utt');
    try {
      for (const item of items) {
        try {
          const features = asrFeatures(await toMono16k(await decodeAudioFile(item.audio)), config);
          writeSync(
            fd,
            new Uint8Array(
              features.values.buffer,
              features.values.byteOffset,
              features.values.byteLength,
            ),
          );
          (built as { dim: number }).dim = features.dim;
          built.items.push({ audio: item.audio, text: item.text, frames: features.frames, offset });
          offset += features.values.length;
          progress.tick();
        } catch (error) {
          built.failures.push(
            `${item.audio}: ${error instanceof Error ? error.message : String(error)}`,
          );
          progress.tick(true);
        }
      }
    } finally {
      closeSync(fd);
      progress.finish();
    }
    writeFileSync(indexPath, JSON.stringify(built));
    index = built;
  }
  const buffer = readFileSync(dataPath);
  const all = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
  const { dim } = index;
  const utterances = index.items.map((item) => ({
    text: item.text,
    frames: item.frames,
    values: all.subarray(item.offset, item.offset + item.frames * dim),
  }));
  return { utterances, failures: index.failures, reused };
}

/**
 * A corpus split's features (<corpus>/<split>.jsonl), cached in <corpus>/cache/<split>.* where
 * every run that uses the corpus finds them (`attend train asr`, `attend dataset features`).
 */
export function corpusFeatures(
  corpus: string,
  split: 'train' | 'dev' | 'test',
  config: FeatureConfig,
): Promise<FeatureCache> {
  const dir = join(corpus, 'cache');
  mkdirSync(dir, { recursive: true });
  return featureCache(readSpeechManifest(join(corpus, `${split}.jsonl`)), config, dir, split);
}
