import type { Decoder, DecoderConfig } from '../decoder/types.js';
import type { EncoderOutput } from '../encoders/audio.js';
import { ImageEncoder, type ImageEncoderConfig } from '../encoders/image.js';
import { loadModel, saveModel } from '../io/model-checkpoint.js';
import { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { type DecodingOptions, decode, type Hypothesis } from '../search/index.js';
import { BOS, EOS } from '../text/characters.js';
import { WordTokenizer } from '../text/words.js';
import {
  doublyStochasticPenalty,
  reinforceSurrogate,
  sequenceCrossEntropy,
  sequenceLogLikelihood,
} from '../train/losses.js';
import { teacherForcing } from '../train/teacher-forcing.js';
import { sharedDecoder } from './shared-decoder.js';

/** Everything needed to rebuild a captioning model; saved as model.json's config. */
export interface CaptionConfig {
  readonly task: 'caption';
  readonly encoder: ImageEncoderConfig;
  readonly decoder: DecoderConfig;
  readonly labelSmoothing: number;
  /**
   * Show-Attend-and-Tell's doubly-stochastic regularisation λ·mean_regions (1 - Σ_steps α)²: every
   * region should get attention at some step of the caption.
   */
  readonly attentionPenalty: number;
}

export interface CaptionBatch {
  readonly images: tf.Tensor4D; // [B, H, W, 3] in [0, 1]
  readonly targets: number[][]; // word ids without BOS/EOS
}

export interface CaptionLosses {
  readonly loss: tf.Scalar;
  readonly crossEntropy: tf.Scalar;
  readonly penalty: tf.Scalar;
}

/** CNN encoder + the shared decoder (the same modules speech uses, over image regions). */
export class CaptionModel {
  readonly encoder: ImageEncoder;
  readonly decoder: Decoder;
  /** Hard attention's REINFORCE baseline: a running mean of the reward. */
  private rewardBaseline: number | undefined;

  constructor(
    readonly config: CaptionConfig,
    readonly tokenizer: WordTokenizer,
    readonly params = new ParamStore(),
  ) {
    this.encoder = new ImageEncoder(config.encoder, params.scope('encoder'));
    this.decoder = sharedDecoder(config.decoder, tokenizer.size, params);
  }

  get imageSize(): number {
    return this.config.encoder.imageSize;
  }

  encode(images: tf.Tensor4D, training = false): EncoderOutput {
    return this.encoder.encode(images, training);
  }

  /** Cross-entropy (+ the attention penalty) of a batch; call inside tf.variableGrads. */
  losses(batch: CaptionBatch, training = true): CaptionLosses {
    const encoded = this.encode(batch.images, training);
    const { inputs, outputs, mask } = teacherForcing(batch.targets);
    const { logits, weights, sampleLogProb } = this.decoder.forward(
      encoded.memory,
      encoded.mask,
      inputs,
      {
        training,
      },
    );
    const crossEntropy = sequenceCrossEntropy(logits, outputs, mask, this.config.labelSmoothing);
    const penalty =
      this.config.attentionPenalty > 0
        ? // Averaged over regions (as common SAT implementations do): the sum grows with the grid.
          (doublyStochasticPenalty(weights, mask, encoded.mask).div(
            encoded.memory.shape[1],
          ) as tf.Scalar)
        : tf.scalar(0);
    let loss = crossEntropy.add(penalty.mul(this.config.attentionPenalty)) as tf.Scalar;
    if (sampleLogProb) {
      // Hard attention (SAT §4.1): the sampled positions get the score-function gradient with the
      // caption's log-likelihood as reward, against a running-average baseline.
      const reward = tf.tidy(() => sequenceLogLikelihood(logits, outputs, mask));
      const mean = reward.mean().dataSync()[0]!;
      this.rewardBaseline =
        this.rewardBaseline === undefined ? mean : 0.9 * this.rewardBaseline + 0.1 * mean;
      loss = loss.add(
        reinforceSurrogate(sampleLogProb, mask, reward, this.rewardBaseline),
      ) as tf.Scalar;
      reward.dispose();
    }
    return { loss, crossEntropy, penalty };
  }

  /** Captions a batch of images; hypotheses carry each word's attention over the regions. */
  captionImages(images: tf.Tensor4D, options: Partial<DecodingOptions> = {}): Hypothesis[][] {
    return this.captionEncoded(images, options, false).hypotheses;
  }

  /**
   * captionImages, plus each image's region statistics from the same encoder pass (what an
   * ImageDomain scores).
   */
  describe(
    images: tf.Tensor4D,
    options: Partial<DecodingOptions> = {},
  ): { hypotheses: Hypothesis[][]; regionStatistics: Float32Array[] } {
    const { hypotheses, regionStatistics } = this.captionEncoded(images, options, true);
    return { hypotheses, regionStatistics: regionStatistics! };
  }

  /** One encoder pass, then decoding; the region statistics only when asked for (a read-back). */
  private captionEncoded(
    images: tf.Tensor4D,
    options: Partial<DecodingOptions>,
    withStatistics: boolean,
  ): { hypotheses: Hypothesis[][]; regionStatistics?: Float32Array[] } {
    const encoded = tf.tidy(() => {
      const { memory, mask } = this.encode(images, false);
      return { memory, mask, statistics: withStatistics ? statisticsOf(memory) : undefined };
    });
    try {
      const regionStatistics = encoded.statistics ? rowsOf(encoded.statistics) : undefined;
      const hypotheses = decode(this.decoder, encoded.memory, encoded.mask, {
        startToken: BOS,
        endToken: EOS,
        maxLength: 30,
        ...options,
      });
      return { hypotheses, ...(regionStatistics ? { regionStatistics } : {}) };
    } finally {
      tf.dispose([
        encoded.memory,
        encoded.mask,
        ...(encoded.statistics ? [encoded.statistics] : []),
      ]);
    }
  }

  /** Each image's region statistics (the encoder alone). */
  regionStatistics(images: tf.Tensor4D): Float32Array[] {
    const pooled = tf.tidy(() => statisticsOf(this.encode(images, false).memory));
    try {
      return rowsOf(pooled);
    } finally {
      pooled.dispose();
    }
  }

  save(dir: string, card?: unknown): Promise<void> {
    return saveModel(this, dir, card);
  }

  static load(dir: string): CaptionModel {
    return loadModel<CaptionConfig, CaptionModel>(
      dir,
      'caption',
      'image captioning',
      (config, tokenizer) => new CaptionModel(config, WordTokenizer.fromJson(tokenizer)),
    );
  }

  /** Creates every parameter by running one blank image through the loss. */
  build(): void {
    tf.tidy(() => {
      const size = this.imageSize;
      this.losses({ images: tf.zeros([1, size, size, 3]) as tf.Tensor4D, targets: [[4]] }, false);
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Per image, the mean and the standard deviation over its regions of each feature ([B, 2D]):
 * the mean alone cannot tell a blurred texture from a scene's background.
 */
function statisticsOf(memory: tf.Tensor3D): tf.Tensor2D {
  const { mean, variance } = tf.moments(memory, 1);
  return tf.concat([mean, variance.sqrt()], 1) as tf.Tensor2D;
}

/** A [B, D] tensor's rows as arrays. */
function rowsOf(matrix: tf.Tensor2D): Float32Array[] {
  const [rows, width] = matrix.shape;
  const values = matrix.dataSync() as Float32Array;
  return Array.from({ length: rows }, (_, r) => values.slice(r * width, (r + 1) * width));
}
