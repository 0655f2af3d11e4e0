import { fastLogMel } from '../audio/fast-logmel.js';
import {
  cmvn,
  computeFeatures,
  type FeatureConfig,
  type Features,
  featureDim,
} from '../audio/features.js';
import type { Decoder, DecoderConfig } from '../decoder/types.js';
import {
  AudioEncoder,
  type AudioEncoderConfig,
  type EncoderOutput,
  subsampledLength,
} from '../encoders/audio.js';
import { AttendError } from '../errors.js';
import { loadModel, saveModel } from '../io/model-checkpoint.js';
import { dense } from '../nn/layers.js';
import { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { ctcForcedAlign } from '../search/ctc-align.js';
import { CtcPrefixScorer } from '../search/ctc-prefix.js';
import {
  DEFAULT_DECODING,
  type DecodingOptions,
  decode,
  type Hypothesis,
} from '../search/index.js';
import type { WeightedScorer } from '../search/scorer.js';
import { BOS, EOS, SPECIALS } from '../text/characters.js';
import {
  type SpeechTokenizer,
  speechTokenizerFromJson,
  wordSpaceToken,
} from '../text/tokenizer.js';
import { ctcLoss } from '../train/ctc.js';
import { sequenceCrossEntropy } from '../train/losses.js';
import { teacherForcing } from '../train/teacher-forcing.js';
import { sharedDecoder } from './shared-decoder.js';

/** Everything needed to rebuild an ASR model; saved as model.json's config. */
export interface AsrConfig {
  readonly task: 'asr';
  readonly features: FeatureConfig;
  readonly encoder: AudioEncoderConfig;
  readonly decoder: DecoderConfig;
  /** Joint CTC-attention training (Kim et al. 2017, ESPnet): loss = λ·CTC + (1-λ)·attention. */
  readonly ctcWeight: number;
  readonly labelSmoothing: number;
}

/** Scores fused into beam search (see transcribeFeatures). */
export interface AsrFusionOptions {
  readonly ctcWeight?: number;
  /** Scorers that serve every input (language model, lexicon), with their weights. */
  readonly scorers?: readonly WeightedScorer[];
}

/** A batch of utterances: padded features and their token targets. */
export interface AsrBatch {
  readonly features: tf.Tensor3D; // [B, T, F]
  readonly lengths: number[];
  readonly targets: number[][]; // token ids without BOS/EOS
}

export interface AsrLosses {
  readonly loss: tf.Scalar;
  readonly ctc: tf.Scalar;
  readonly attention: tf.Scalar;
}

/** Normalised features of 16 kHz mono samples, the way this model was trained. */
export function asrFeatures(samples: Float32Array, config: FeatureConfig): Features {
  return cmvn(
    config.kind === 'logmel' ? fastLogMel(samples, config) : computeFeatures(samples, config),
  );
}

/** Pads per-utterance features to one [B, T, F] tensor. */
export function padFeatures(items: readonly Features[]): {
  features: tf.Tensor3D;
  lengths: number[];
} {
  const frames = Math.max(...items.map((f) => f.frames));
  const dim = items[0]!.dim;
  const values = new Float32Array(items.length * frames * dim);
  items.forEach((f, b) => {
    values.set(f.values, b * frames * dim);
  });
  return {
    features: tf.tensor3d(values, [items.length, frames, dim]),
    lengths: items.map((f) => f.frames),
  };
}

/** The transcript of an input too short to hold speech. */
const EMPTY_HYPOTHESIS: Hypothesis = {
  tokens: [],
  logProb: 0,
  score: 0,
  weights: [],
  finished: true,
};

/** Encoder (conv ×4 + self-attention) + CTC head + the shared decoder. */
export class AsrModel {
  readonly encoder: AudioEncoder;
  readonly decoder: Decoder;

  constructor(
    readonly config: AsrConfig,
    readonly tokenizer: SpeechTokenizer,
    readonly params = new ParamStore(),
  ) {
    this.encoder = new AudioEncoder(config.encoder, params.scope('encoder'));
    this.decoder = sharedDecoder(config.decoder, tokenizer.size, params);
  }

  encode(features: tf.Tensor3D, lengths: readonly number[], training = false): EncoderOutput {
    return this.encoder.encode(features, lengths, training);
  }

  /** CTC head: per-frame scores over the vocabulary (id 0 is the blank), before the softmax. */
  ctcLogits(memory: tf.Tensor3D): tf.Tensor3D {
    return dense(this.params.scope('ctc'), memory, this.tokenizer.size, {
      name: 'out',
    }) as tf.Tensor3D;
  }

  /** CTC head: per-frame log-probabilities over the vocabulary (id 0 is the blank). */
  ctcLogProbs(memory: tf.Tensor3D): tf.Tensor3D {
    return tf.logSoftmax(this.ctcLogits(memory)) as tf.Tensor3D;
  }

  /** Each utterance's CTC log-probabilities, [its encoder frames × vocab] row-major. */
  ctcLogProbsOf(features: tf.Tensor3D, lengths: readonly number[]): Float32Array[] {
    const { values, frames, valid } = tf.tidy(() => {
      const encoded = this.encode(features, lengths, false);
      return {
        values: this.ctcLogProbs(encoded.memory).dataSync() as Float32Array,
        frames: encoded.memory.shape[1],
        valid: encoded.lengths,
      };
    });
    const vocab = this.tokenizer.size;
    return valid.map((n, b) => values.slice(b * frames * vocab, (b * frames + n) * vocab));
  }

  /** The joint loss of a batch (call inside tf.variableGrads / optimizer.minimize). */
  losses(batch: AsrBatch, training = true): AsrLosses {
    const encoded = this.encode(batch.features, batch.lengths, training);
    const { inputs, outputs, mask: targetMask } = teacherForcing(batch.targets);
    const { logits } = this.decoder.forward(encoded.memory, encoded.mask, inputs, { training });
    const attention = sequenceCrossEntropy(logits, outputs, targetMask, this.config.labelSmoothing);
    const ctc = ctcLoss(this.ctcLogProbs(encoded.memory), encoded.lengths, batch.targets);
    const λ = this.config.ctcWeight;
    return { loss: ctc.mul(λ).add(attention.mul(1 - λ)) as tf.Scalar, ctc, attention };
  }

  /**
   * Decodes a padded batch of features; hypotheses carry per-step attention weights. With a beam,
   * `ctcWeight` λ > 0 decodes jointly: (1-λ)·log p_att + λ·CTC prefix score at every step (the
   * CTC head knows where speech is and when it has all been said, which curbs the attention
   * decoder's loops and early stops); `scorers` add weight·score each (LM shallow fusion).
   */
  transcribeFeatures(
    features: tf.Tensor3D,
    lengths: readonly number[],
    options: Partial<DecodingOptions> & AsrFusionOptions = {},
  ): Hypothesis[][] {
    // Under 7 feature frames (about 0.09 s) the conv front end leaves no frame to attend to:
    // nothing can have been said, so such inputs get the empty transcript and are not decoded.
    const short = lengths.map((n) => subsampledLength(n) === 0);
    if (short.some(Boolean)) {
      const kept = lengths.flatMap((_, i) => (short[i] ? [] : [i]));
      const decoded = kept.length
        ? this.transcribeFeatures(
            tf.tidy(() => tf.gather(features, kept) as tf.Tensor3D),
            kept.map((i) => lengths[i]!),
            options,
          )
        : [];
      return lengths.map((_, i) => (short[i] ? [EMPTY_HYPOTHESIS] : decoded[kept.indexOf(i)]!));
    }
    const { ctcWeight = 0, scorers: shared = [], ...decoding } = options;
    const beamSize = decoding.beamSize ?? DEFAULT_DECODING.beamSize;
    const beam = beamSize > 1;
    const joint = beam && ctcWeight > 0;
    // The CTC output always comes: besides joint scoring, it times the words (withTokenSpans).
    const encoded = tf.tidy(() => {
      const out = this.encode(features, lengths, false);
      const ctc = this.ctcLogProbs(out.memory);
      return { memory: out.memory, mask: out.mask, ctc, lengths: out.lengths };
    });
    try {
      // CTC emits at most one token per encoder frame: no longer output is possible.
      const settings = {
        startToken: BOS,
        endToken: EOS,
        ...decoding,
        maxLength: Math.min(
          decoding.maxLength ?? Number.POSITIVE_INFINITY,
          encoded.memory.shape[1],
        ),
      };
      const [batch, frames] = encoded.memory.shape;
      const vocab = this.tokenizer.size;
      const logProbs = encoded.ctc.dataSync() as Float32Array;
      const utteranceLogProbs = (b: number) =>
        logProbs.subarray(b * frames * vocab, (b * frames + encoded.lengths[b]!) * vocab);
      const scorers = Array.from({ length: batch }, (_, b) => {
        const list: WeightedScorer[] = [];
        if (joint) {
          const ctc = new CtcPrefixScorer(utteranceLogProbs(b), encoded.lengths[b]!, vocab, {
            blank: 0,
            start: BOS,
            end: EOS,
          });
          list.push({ scorer: ctc, weight: ctcWeight });
        }
        if (beam) list.push(...shared.filter((s) => s.weight > 0));
        return list;
      });
      const lists = decode(this.decoder, encoded.memory, encoded.mask, settings, {
        decoderWeight: joint ? 1 - ctcWeight : 1,
        scorers,
        preBeam: Math.ceil(1.5 * beamSize), // ESPnet's pre_beam_ratio
      });
      const space = wordSpaceToken(this.tokenizer);
      return lists.map((list, b) =>
        list.map((h, rank) =>
          rank === 0 ? withTokenSpans(h, utteranceLogProbs(b), vocab, space) : h,
        ),
      );
    } finally {
      tf.dispose([encoded.memory, encoded.mask, encoded.ctc]);
    }
  }

  save(dir: string, card?: unknown): Promise<void> {
    return saveModel(this, dir, card);
  }

  static load(dir: string): AsrModel {
    return loadModel<AsrConfig, AsrModel>(
      dir,
      'asr',
      'speech recognition',
      (config, tokenizer) => new AsrModel(config, speechTokenizerFromJson(tokenizer)),
    );
  }

  /** Creates every parameter by running a tiny batch through both losses. */
  build(): void {
    tf.tidy(() => {
      const dim = featureDim(this.config.features);
      this.losses(
        { features: tf.zeros([1, 16, dim]) as tf.Tensor3D, lengths: [16], targets: [[4]] },
        false,
      );
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * The best hypothesis with where CTC emits each of its tokens (word times); unchanged when the
 * CTC path cannot spell it (a hypothesis the attention decoder ran past the frames with).
 */
function withTokenSpans(
  h: Hypothesis,
  logProbs: Float32Array,
  vocab: number,
  space: number | undefined,
): Hypothesis {
  const tokens = h.tokens.filter((t) => t >= SPECIALS.length);
  if (tokens.length === 0) return h;
  try {
    const spans = ctcForcedAlign(logProbs, vocab, tokens, { optionalToken: space }).tokens;
    return { ...h, tokenSpans: spans };
  } catch (error) {
    // Too many tokens for the frames, or no path: attention times instead.
    if (error instanceof AttendError) return h;
    throw error;
  }
}
