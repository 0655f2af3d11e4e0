import { join } from 'node:path';
import { readCaptionManifest } from '../../datasets/captions/manifest.js';
import { AttendError } from '../../src/errors.js';
import { CaptionModel } from '../../src/models/caption.js';
import { CAPTION_PRESETS } from '../../src/models/caption-presets.js';
import type { tf } from '../../src/runtime/tf.js';
import { WordTokenizer } from '../../src/text/words.js';
import {
  type LoopSettings,
  runOrigin,
  runTraining,
  type TrainState,
} from '../../src/train/loop.js';
import { presetNamed, startingModel } from '../../src/train/start.js';
import { shuffleInPlace } from '../../src/util/random.js';
import { augmentImage } from './augment.js';
import { evaluateCaptions, imageBatch } from './evaluate.js';
import { type CachedImage, decodeImages } from './image-cache.js';

export interface TrainCaptionOptions extends LoopSettings {
  readonly data: string; // folder with train.jsonl and dev.jsonl (caption manifests)
  readonly preset: string;
  readonly batchSize: number;
  readonly devImages: number;
  /** Words seen fewer times in the training captions become <unk>. */
  readonly minWordCount: number;
}

interface Batch {
  readonly images: tf.Tensor4D;
  readonly targets: number[][];
}

async function loadSplit(
  data: string,
  split: string,
  size: number,
  limit = Infinity,
): Promise<CachedImage[]> {
  const items = readCaptionManifest(join(data, `${split}.jsonl`)).slice(0, limit);
  return decodeImages(items, size, `${split} images`);
}

/**
 * Trains (or resumes from <out>/latest, or fine-tunes from options.init) a captioning model with
 * the shared loop: each epoch visits every image once with one of its captions drawn at random,
 * augmented; dev CIDEr-D picks the best.
 */
export async function trainCaption(options: TrainCaptionOptions): Promise<TrainState> {
  const preset = presetNamed(CAPTION_PRESETS, options.preset);
  // A fine-tuned model keeps its --init vocabulary: new words are <unk>.
  const { model, resumeState } = startingModel(
    options.out,
    options.init,
    (dir) => CaptionModel.load(dir),
    () => {
      const captions = readCaptionManifest(join(options.data, 'train.jsonl')).flatMap(
        (i) => i.captions,
      );
      const tokenizer = WordTokenizer.fromCaptions(captions, options.minWordCount);
      const built = new CaptionModel(preset(tokenizer.size), tokenizer);
      built.build();
      return built;
    },
  );
  const size = model.imageSize;
  const train = await loadSplit(options.data, 'train', size);
  const dev = await loadSplit(options.data, 'dev', size, options.devImages);
  if (train.length === 0) throw new AttendError(`${options.data}: no readable training images`);
  const origin = runOrigin(options);
  try {
    return await runTraining<Batch>(
      options,
      {
        label: 'train caption',
        model,
        *epoch(random) {
          const order = shuffleInPlace(
            train.map((_, i) => i),
            random,
          );
          for (let start = 0; start < order.length; start += options.batchSize) {
            const chunk = order.slice(start, start + options.batchSize).map((i) => train[i]!);
            yield () => {
              const captions = chunk.map(
                (item) => item.captions[Math.floor(random() * item.captions.length)]!,
              );
              return {
                images: imageBatch(chunk, size, (pixels) =>
                  augmentImage(pixels, size, captions, random),
                ),
                targets: captions.map((c) => model.tokenizer.encode(c)),
              };
            };
          }
        },
        loss(batch) {
          const { loss, crossEntropy, penalty } = model.losses(batch, true);
          return { total: loss, parts: { crossEntropy, penalty } };
        },
        disposeBatch: (batch) => batch.images.dispose(),
        async evaluate() {
          const { bleu, cider } = evaluateCaptions(model, dev);
          return { score: -cider, metrics: { devBleu4: bleu[3]!, devCider: cider } };
        },
        card: (state) => ({
          task: 'caption',
          data: options.data,
          parameters: model.params.size(),
          vocabulary: model.tokenizer.size,
          steps: state.step,
          secondsTrained: Math.round(state.secondsTrained),
          bestDevCider: -state.best,
          ...origin.card,
          retrain: `attend train caption --data ${options.data} --out ${options.out} ${origin.flag}`,
        }),
      },
      resumeState,
    );
  } finally {
    model.dispose();
  }
}
