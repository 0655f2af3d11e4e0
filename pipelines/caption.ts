import { existsSync } from 'node:fs';
import { gridSide } from '../src/encoders/image.js';
import { AttendError } from '../src/errors.js';
import { CaptionModel } from '../src/models/caption.js';
import { projectPath } from '../src/paths.js';
import type { DecodingOptions } from '../src/search/index.js';
import {
  type AttendedWord,
  DEFAULT_LAYOUT,
  renderAttentionMap,
} from '../src/vision/attention-map.js';
import { loadImage, type RgbImage, stackImages } from '../src/vision/image.js';
import { type ImageDomain, novelty, readImageDomain } from '../src/vision/image-domain.js';

/** One image's caption, with each word's attention over the image regions. */
export interface CaptionResult {
  readonly file: string;
  readonly caption: string;
  readonly words: AttendedWord[];
  readonly score: number;
  /**
   * How unlike the model's training images this one is (see ImageDomain): above 1 its caption
   * is likely wrong. Absent when the checkpoint has no domain.json.
   */
  readonly novelty?: number;
}

export interface CaptionPipeline {
  readonly model: CaptionModel;
  /** What the model's training images look like (its domain.json), if it says. */
  readonly domain: ImageDomain | undefined;
  /** Decodes the files (errors name the file); images already decoded can be passed instead. */
  load(file: string): Promise<RgbImage>;
  /** Decodes an image already in memory (an upload); errors name it `name`. */
  loadBytes(bytes: Buffer, name: string): Promise<RgbImage>;
  captionImages(
    images: readonly { file: string; image: RgbImage }[],
    options?: Partial<DecodingOptions>,
  ): CaptionResult[];
  caption(files: readonly string[], options?: Partial<DecodingOptions>): Promise<CaptionResult[]>;
  /**
   * The Show-Attend-and-Tell figure for one result, as PNG bytes; `source` is the image again
   * (its file by default; an upload's bytes).
   */
  attentionMap(result: CaptionResult, source?: string | Buffer): Promise<Buffer>;
  dispose(): void;
}

/** One caption as `attend caption --format json` prints it (and `attend serve` answers). */
export function captionRecord(result: CaptionResult, model: string, backend: string) {
  return {
    file: result.file,
    caption: result.caption,
    words: result.words.map((w) => w.word),
    confidences: result.words.map((w) => w.confidence ?? null),
    ...(result.novelty === undefined ? {} : { novelty: result.novelty }),
    model,
    backend,
  };
}

/** The shipped captioner, used when no checkpoint is named. */
export const DEFAULT_CAPTION_MODEL = projectPath('checkpoints', 'caption-scenes');

/** Loads a checkpoint once; captions images in batches. */
export function createCaptionPipeline(checkpoint: string = DEFAULT_CAPTION_MODEL): CaptionPipeline {
  if (!existsSync(checkpoint)) throw new AttendError(`${checkpoint}: no such model folder`);
  const model = CaptionModel.load(checkpoint);
  const domain = readImageDomain(checkpoint);
  const size = model.imageSize;
  const pipeline: CaptionPipeline = {
    model,
    domain,
    load: (file) => loadImage(file, size),
    loadBytes: (bytes, name) => loadImage(bytes, size, name),
    captionImages(images, options = {}) {
      if (images.length === 0) return [];
      const batch = stackImages(
        images.map(({ image }) => image.pixels),
        size,
      );
      try {
        const settings = { beamSize: 4, lengthPenalty: 0.6, ...options };
        // Region statistics only for a model with a domain to score them against.
        const { hypotheses, regionStatistics } = domain
          ? model.describe(batch, settings)
          : { hypotheses: model.captionImages(batch, settings), regionStatistics: [] };
        return images.map(({ file }, b) => {
          const best = hypotheses[b]![0]!;
          const words = best.tokens.map((id, t) => {
            const logProb = best.tokenLogProbs?.[t];
            return {
              word: model.tokenizer.decode([id]),
              weights: Array.from(best.weights[t] ?? []),
              ...(logProb === undefined
                ? {}
                : { confidence: Number(Math.exp(logProb).toFixed(3)) }),
            };
          });
          return {
            file,
            caption: model.tokenizer.decode(best.tokens),
            words,
            score: best.score,
            ...(domain
              ? { novelty: Number(novelty(domain, regionStatistics[b]!).toFixed(2)) }
              : {}),
          };
        });
      } finally {
        batch.dispose();
      }
    },
    async caption(files, options = {}) {
      const images = await Promise.all(
        files.map(async (file) => ({ file, image: await loadImage(file, size) })),
      );
      return pipeline.captionImages(images, options);
    },
    async attentionMap(result, source = result.file) {
      const display = await loadImage(source, DEFAULT_LAYOUT.tile, result.file);
      return renderAttentionMap(display, result.words, gridSide(model.config.encoder));
    },
    dispose: () => model.dispose(),
  };
  return pipeline;
}
