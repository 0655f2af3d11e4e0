import { createAttention } from '../attention/registry.js';
import type { Attention, AttentionConfig } from '../attention/types.js';
import { conv2d } from '../nn/conv.js';
import { dropout } from '../nn/dropout.js';
import { dense, layerNorm, positionalEncoding } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { convolutionModule } from './conv-module.js';

/** Conv ×4 subsampling, then a self-attention stack (any self-attention of the family). */
export interface AudioEncoderConfig {
  readonly inputDim: number;
  readonly subsampleChannels: number;
  readonly dim: number;
  readonly layers: number;
  readonly ffnDim: number;
  /** multi-head (full), sparse (e.g. a band for long audio) or linear. */
  readonly selfAttention: Extract<AttentionConfig, { kind: 'multi-head' | 'sparse' | 'linear' }>;
  readonly dropout: number;
  /**
   * A Conformer convolution module after each layer's self-attention (convolutionModule), with
   * this depthwise kernel in frames (after ×4 subsampling: 15 frames is 0.6 s); absent, none.
   */
  readonly convKernel?: number;
}

/** What every encoder returns: the decoder's memory and which positions are real. */
export interface EncoderOutput {
  readonly memory: tf.Tensor3D; // [B, T', D]
  readonly mask: tf.Tensor2D; // [B, T']
  readonly lengths: number[];
}

/** Frames left after one 3-wide, stride-2 'valid' convolution. */
const convLength = (n: number): number => Math.max(0, Math.floor((n - 3) / 2) + 1);
export const subsampledLength = (n: number): number => convLength(convLength(n));

export class AudioEncoder {
  private readonly attention: Attention[];

  constructor(
    readonly config: AudioEncoderConfig,
    private readonly params: ParamStore,
  ) {
    this.attention = Array.from({ length: config.layers }, (_, i) =>
      createAttention(
        config.selfAttention,
        { query: config.dim, key: config.dim, value: config.dim },
        params.scope(`layer${i}/attention`),
      ),
    );
  }

  private conv(x: tf.Tensor4D, name: string, inChannels: number): tf.Tensor4D {
    const c = this.config.subsampleChannels;
    const w = this.params.get(`${name}/w`, [3, 3, inChannels, c]) as tf.Tensor4D;
    const b = this.params.get(`${name}/b`, [c], 'zeros');
    return tf.relu(conv2d(x, w, 2, 'valid').add(b)) as tf.Tensor4D;
  }

  /** features [B, T, F] with per-utterance lengths -> memory [B, T/4, D] and its mask. */
  encode(features: tf.Tensor3D, lengths: readonly number[], training = false): EncoderOutput {
    const subsampled = this.subsample(features, lengths, training);
    return { ...subsampled, memory: this.selfAttend(subsampled.memory, subsampled.mask, training) };
  }

  /**
   * The conv front end: features [B, T, F] -> frames [B, T/4, D] (scaled, positions added) and
   * their mask. Split from selfAttend so that work which leaves the front end fixed (test-time
   * adaptation of the norms) computes it once.
   */
  subsample(features: tf.Tensor3D, lengths: readonly number[], training = false): EncoderOutput {
    const { dim, dropout: rate } = this.config;
    const [batch] = features.shape;
    let x4 = this.conv(features.expandDims(3) as tf.Tensor4D, 'subsample/conv1', 1);
    x4 = this.conv(x4, 'subsample/conv2', this.config.subsampleChannels); // [B, T', F', C]
    const [, frames, freq, channels] = x4.shape;
    const projected = dense(this.params, x4.reshape([batch, frames, freq * channels]), dim, {
      name: 'subsample/out',
    });
    const scaled = projected.mul(Math.sqrt(dim)).add(positionalEncoding(frames, dim));
    const outLengths = lengths.map((n) => Math.min(frames, subsampledLength(n)));
    const mask = tf.tensor2d(
      outLengths.map((n) => Array.from({ length: frames }, (_, t) => (t < n ? 1 : 0))),
      [batch, frames],
    );
    return {
      memory: (training ? dropout(scaled, rate) : scaled) as tf.Tensor3D,
      mask,
      lengths: outLengths,
    };
  }

  /** The self-attention stack over subsampled frames; padded positions are zeroed. */
  selfAttend(frames: tf.Tensor3D, mask: tf.Tensor2D, training = false): tf.Tensor3D {
    const { dim, ffnDim, dropout: rate } = this.config;
    const drop = (x: tf.Tensor) => (training ? dropout(x, rate) : x);
    let x = frames;
    this.attention.forEach((attention, i) => {
      const p = this.params.scope(`layer${i}`);
      const h = layerNorm(p, x, 'norm1') as tf.Tensor3D;
      x = x.add(
        drop(attention.attend({ query: h, keys: h, values: h, mask }).context),
      ) as tf.Tensor3D;
      if (this.config.convKernel)
        x = convolutionModule(p, x, mask, this.config.convKernel, training ? rate : 0);
      const h2 = layerNorm(p, x, 'norm2');
      const ffn = dense(p, tf.relu(dense(p, h2, ffnDim, { name: 'ffn1' })), dim, { name: 'ffn2' });
      x = x.add(drop(ffn)) as tf.Tensor3D;
    });
    return layerNorm(this.params, x, 'finalNorm').mul(mask.expandDims(2)) as tf.Tensor3D;
  }
}
