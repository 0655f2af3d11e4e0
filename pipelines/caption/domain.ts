import { join } from 'node:path';
import { readCaptionManifest } from '../../datasets/captions/manifest.js';
import { CaptionModel } from '../../src/models/caption.js';
import {
  domainPath,
  fitImageDomain,
  type ImageDomain,
  novelty,
  writeImageDomain,
} from '../../src/vision/image-domain.js';
import { imageBatch } from './evaluate.js';
import { type CachedImage, decodeImages } from './image-cache.js';

export interface DomainFitOptions {
  /** The captioner's checkpoint folder; domain.json is written into it. */
  readonly model: string;
  /** Corpus folder: train.jsonl fits the domain, dev.jsonl sets novelty 1. */
  readonly data: string;
  /** Training images used (the first ones of train.jsonl). */
  readonly images: number;
  /** Held-out images used (the first ones of dev.jsonl). */
  readonly heldOutImages: number;
}

export interface DomainFitResult {
  readonly out: string;
  readonly domain: ImageDomain;
  /** The largest novelty among the held-out images (1 / NOVELTY_MARGIN by construction). */
  readonly heldOutMax: number;
}

/** Each image's region statistics, 64 images an encoder pass. */
export function regionStatisticsOf(
  model: CaptionModel,
  items: readonly CachedImage[],
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let start = 0; start < items.length; start += 64) {
    const batch = imageBatch(items.slice(start, start + 64), model.imageSize);
    try {
      out.push(...model.regionStatistics(batch));
    } finally {
      batch.dispose();
    }
  }
  return out;
}

/** Fits a captioner's image domain (see ImageDomain) on its corpus and writes domain.json. */
export async function fitCaptionDomain(options: DomainFitOptions): Promise<DomainFitResult> {
  const model = CaptionModel.load(options.model);
  try {
    const split = async (name: string, limit: number) => {
      const items = readCaptionManifest(join(options.data, `${name}.jsonl`)).slice(0, limit);
      return regionStatisticsOf(
        model,
        await decodeImages(items, model.imageSize, `${name} images`),
      );
    };
    const train = await split('train', options.images);
    const heldOut = await split('dev', options.heldOutImages);
    const domain = fitImageDomain(train, heldOut, options.data);
    writeImageDomain(options.model, domain);
    const heldOutMax = Math.max(...heldOut.map((x) => novelty(domain, x)));
    return { out: domainPath(options.model), domain, heldOutMax };
  } finally {
    model.dispose();
  }
}
