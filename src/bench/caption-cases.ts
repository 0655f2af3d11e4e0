import { readdirSync } from 'node:fs';
import { createCaptionPipeline } from '../../pipelines/caption.js';
import { CaptionModel } from '../models/caption.js';
import { CAPTION_PRESETS } from '../models/caption-presets.js';
import { projectPath } from '../paths.js';
import { tf } from '../runtime/tf.js';
import { WordTokenizer } from '../text/words.js';
import type { RgbImage } from '../vision/image.js';
import { adamStepWorkload, type Workload } from './blocks.js';
import type { BenchCase } from './cases.js';
import { needsShipped } from './fixtures.js';

const IMAGES = 32;
const SHIPPED = projectPath('checkpoints', 'caption-scenes');

/** One training step (forward, backward, Adam) of the `small` captioner on 32 images. */
function captionTrainStep(): Workload {
  const tokenizer = WordTokenizer.fromCaptions([
    'two small red circles to the left of a large blue square and three green stars above',
  ]);
  const model = new CaptionModel(CAPTION_PRESETS.small!(tokenizer.size), tokenizer);
  model.build();
  const size = model.imageSize;
  const images = tf.randomUniform([IMAGES, size, size, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const targets = Array.from({ length: IMAGES }, () =>
    tokenizer.encode('two small red circles to the left of a large blue square'),
  );
  return adamStepWorkload(() => model.losses({ images, targets }, true).loss, model.params.list(), [
    images,
    model,
  ]);
}

/** Captions per second with the shipped model and beam 4 (the CLI default), `batch` images at once. */
function captionThroughput(batch: number): Workload {
  const pipeline = createCaptionPipeline(SHIPPED);
  const files = readdirSync(projectPath('samples'))
    .filter((name) => /\.(png|jpe?g|webp)$/i.test(name))
    .map((name) => projectPath('samples', name));
  let images: { file: string; image: RgbImage }[] = [];
  const ready = Promise.all(
    files.map(async (file) => ({ file, image: await pipeline.load(file) })),
  ).then((loaded) => {
    images = Array.from({ length: batch }, (_, i) => loaded[i % loaded.length]!);
  });
  return {
    step: async () => {
      await ready;
      pipeline.captionImages(images, { beamSize: 4 });
    },
    value: (seconds) => batch / seconds,
    dispose: () => pipeline.dispose(),
  };
}

const needsShippedModel = needsShipped('caption-scenes');

export const CAPTION_CASES: BenchCase[] = [
  {
    name: 'caption/decode-batch1/img-per-s',
    unit: 'items/s',
    skip: needsShippedModel,
    create: () => captionThroughput(1),
  },
  {
    name: 'caption/decode-batch32/img-per-s',
    unit: 'items/s',
    skip: needsShippedModel,
    create: () => captionThroughput(32),
  },
  {
    name: 'caption/train-small/img-per-s',
    unit: 'items/s',
    items: IMAGES,
    skip: (backend, full) =>
      ['cpu', 'wasm'].includes(backend) && !full
        ? 'minutes on this backend; run with --full'
        : undefined,
    create: captionTrainStep,
  },
];
