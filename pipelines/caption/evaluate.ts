import type { CaptionPair } from '../../src/metrics/bleu.js';
import { scoreCaptions } from '../../src/metrics/cider.js';
import type { CaptionModel } from '../../src/models/caption.js';
import type { tf } from '../../src/runtime/tf.js';
import { stackImages } from '../../src/vision/image.js';
import { plainImage } from './augment.js';
import type { CachedImage } from './image-cache.js';

export interface CaptionScores {
  readonly bleu: number[]; // BLEU-1..4
  readonly cider: number;
  readonly pairs: (CaptionPair & { id: string; heldOut?: string })[];
}

/** Stacks cached images into one [B, size, size, 3] tensor. */
export function imageBatch(
  items: readonly CachedImage[],
  size: number,
  pixels = plainImage,
): tf.Tensor4D {
  return stackImages(
    items.map((item) => pixels(item.pixels)),
    size,
  );
}

/** Captions every item (in batches) and scores them against their references. */
export function evaluateCaptions(
  model: CaptionModel,
  items: readonly CachedImage[],
  beamSize = 1,
  batchSize = 32,
  onBatch?: (n: number) => void,
): CaptionScores {
  const pairs: CaptionScores['pairs'] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    const chunk = items.slice(start, start + batchSize);
    const images = imageBatch(chunk, model.imageSize);
    const hyps = model.captionImages(images, { beamSize, lengthPenalty: beamSize > 1 ? 0.6 : 0 });
    images.dispose();
    chunk.forEach((item, b) => {
      pairs.push({
        id: item.id,
        hypothesis: model.tokenizer.decode(hyps[b]![0]!.tokens),
        references: item.captions,
        ...(item.heldOut ? { heldOut: item.heldOut } : {}),
      });
    });
    onBatch?.(chunk.length);
  }
  return { ...scoreCaptions(pairs), pairs };
}
