import { conv2d } from '../nn/conv.js';
import { dropout } from '../nn/dropout.js';
import { dense, positionalEncoding } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { SelfAttentionStack, type SelfAttentionStackConfig } from './self-attention-stack.js';

/**
 * Conv ×4 subsampling, then a self-attention stack (any self-attention of the family; its
 * convKernel counts frames after subsampling: 15 frames is 0.6 s).
 */
export interface AudioEncoderConfig extends SelfAttentionStackConfig {
  readonly inputDim: number;
  readonly subsampleChannels: number;
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
  private readonly stack: SelfAttentionStack;

  constructor(
    readonly config: AudioEncoderConfig,
    private readonly params: ParamStore,
  ) {
    this.stack = new SelfAttentionStack(config, params);
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
    return this.stack.apply(frames, mask, training);
  }
}
