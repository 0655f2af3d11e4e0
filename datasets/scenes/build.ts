import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonl } from '../../src/util/jsonl.js';
import { prng } from '../../src/util/random.js';
import type { CaptionItem } from '../captions/manifest.js';
import { captionScene, heldOutReason } from './captions.js';
import { drawScene } from './layout.js';
import { renderScene } from './render.js';

export type SceneSplit = 'train' | 'dev' | 'test';

export interface SceneCorpusOptions {
  readonly out: string;
  /** Training scenes; dev and test get `evalScenes` each. */
  readonly trainScenes: number;
  readonly evalScenes: number;
  readonly imageSize?: number;
  readonly seed?: number;
  readonly onItem?: () => void;
}

export interface PlannedScene {
  readonly index: number;
  readonly split: SceneSplit;
  readonly heldOut?: string;
}

/**
 * Which scene goes where: scenes with a held-out colour–shape pair or relation only in test (half
 * of test), the rest split by a hash of the index. Deterministic for a seed.
 */
export function planScenes(options: SceneCorpusOptions): PlannedScene[] {
  const size = options.imageSize ?? 64;
  const seed = options.seed ?? 1;
  const want = { train: options.trainScenes, dev: options.evalScenes, test: options.evalScenes };
  const have = { train: 0, dev: 0, test: 0, composition: 0 };
  const plan: PlannedScene[] = [];
  for (
    let index = 0;
    have.train + have.dev + have.test < want.train + want.dev + want.test;
    index++
  ) {
    const scene = drawScene(prng(seed * 1_000_003 + index), size);
    const heldOut = heldOutReason(scene);
    if (heldOut) {
      if (have.composition < Math.ceil(want.test / 2) && have.test < want.test) {
        have.composition++;
        have.test++;
        plan.push({ index, split: 'test', heldOut });
      }
      continue;
    }
    const roll = prng(seed * 7919 + index)();
    const split: SceneSplit =
      roll < 0.1 && have.dev < want.dev
        ? 'dev'
        : roll < 0.2 && have.test - have.composition < Math.floor(want.test / 2)
          ? 'test'
          : 'train';
    if (have[split] >= want[split]) continue;
    have[split]++;
    plan.push({ index, split });
  }
  return plan;
}

/**
 * Renders the scene corpus: images/<index>.png and train/dev/test.jsonl manifests
 * (`image`, `captions`, and `heldOut` naming the held-out combination). Images already on disk are
 * kept, so an interrupted build resumes where it stopped.
 */
export async function buildSceneCorpus(
  options: SceneCorpusOptions,
): Promise<Record<SceneSplit, number>> {
  const size = options.imageSize ?? 64;
  const seed = options.seed ?? 1;
  mkdirSync(join(options.out, 'images'), { recursive: true });
  const manifests: Record<SceneSplit, CaptionItem[]> = { train: [], dev: [], test: [] };
  for (const planned of planScenes(options)) {
    const random = prng(seed * 1_000_003 + planned.index);
    const scene = drawScene(random, size);
    const image = join('images', `${String(planned.index).padStart(6, '0')}.png`);
    const file = join(options.out, image);
    if (!existsSync(file)) writeFileSync(file, await renderScene(scene, size, random));
    const item: CaptionItem = {
      id: String(planned.index),
      image,
      captions: captionScene(scene),
      ...(planned.heldOut ? { heldOut: planned.heldOut } : {}),
    };
    manifests[planned.split].push(item);
    options.onItem?.();
  }
  for (const split of ['train', 'dev', 'test'] as const)
    writeJsonl(join(options.out, `${split}.jsonl`), manifests[split]);
  writeFileSync(
    join(options.out, 'corpus.json'),
    `${JSON.stringify({ kind: 'scenes', imageSize: size, seed, ...options, onItem: undefined }, null, 2)}\n`,
  );
  return { train: manifests.train.length, dev: manifests.dev.length, test: manifests.test.length };
}
