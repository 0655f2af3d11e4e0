import { conv2d } from '../nn/conv.js';
import { dropout } from '../nn/dropout.js';
import { dense, layerNorm } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import type { EncoderOutput } from './audio.js';

/** A small ResNet trained from scratch; its last feature map becomes the decoder's memory. */
export interface ImageEncoderConfig {
  readonly imageSize: number;
  /** Channels of the stem and of each stage; every stage halves the resolution. */
  readonly stemChannels: number;
  /** 2 halves the resolution in the stem: the largest activations cost the most in memory traffic. */
  readonly stemStride: number;
  readonly stages: readonly number[];
  readonly blocksPerStage: number;
  /** Memory width D: the final feature map is projected to it. */
  readonly dim: number;
  readonly dropout: number;
}

/** Side of the final feature map: the memory has side² regions. */
export const gridSide = (config: ImageEncoderConfig): number =>
  config.imageSize / config.stemStride / 2 ** config.stages.length;

/**
 * stem conv 3×3 -> per stage: stride-2 conv 3×3, then pre-activation residual blocks
 * (LN -> ReLU -> conv -> LN -> ReLU -> conv, plus the input) -> LN -> projection to D, plus a
 * learned embedding per grid position (the decoder's attention alone cannot tell left from right).
 * Layer norm over channels at each position stands in for batch norm: no running statistics to
 * keep in step between training and inference, and batch-size independent.
 */
export class ImageEncoder {
  constructor(
    readonly config: ImageEncoderConfig,
    private readonly params: ParamStore,
  ) {}

  private conv(x: tf.Tensor4D, name: string, out: number, stride = 1): tf.Tensor4D {
    const inChannels = x.shape[3];
    const w = this.params.get(`${name}/w`, [3, 3, inChannels, out]) as tf.Tensor4D;
    const b = this.params.get(`${name}/b`, [out], 'zeros');
    return conv2d(x, w, stride, 'same').add(b) as tf.Tensor4D;
  }

  private norm(x: tf.Tensor4D, name: string): tf.Tensor4D {
    return tf.relu(layerNorm(this.params, x, name)) as tf.Tensor4D;
  }

  /** images [B, H, W, 3] in [0, 1] -> memory [B, side², D] (every region valid). */
  encode(images: tf.Tensor4D, training = false): EncoderOutput {
    const { config } = this;
    const [batch] = images.shape;
    let x = this.conv(
      images.sub(0.5).mul(2) as tf.Tensor4D,
      'stem',
      config.stemChannels,
      config.stemStride,
    );
    config.stages.forEach((channels, s) => {
      x = this.conv(this.norm(x, `stage${s}/downNorm`), `stage${s}/down`, channels, 2);
      for (let b = 0; b < config.blocksPerStage; b++) {
        const name = `stage${s}/block${b}`;
        const h = this.conv(this.norm(x, `${name}/norm1`), `${name}/conv1`, channels);
        x = x.add(
          this.conv(this.norm(h, `${name}/norm2`), `${name}/conv2`, channels),
        ) as tf.Tensor4D;
      }
    });
    const side = gridSide(config);
    const regions = side * side;
    const features = this.norm(x, 'finalNorm').reshape([batch, regions, x.shape[3]]);
    let memory = dense(this.params, features, config.dim, { name: 'project' }).add(
      this.params.get('position', [regions, config.dim], 'normal'),
    ) as tf.Tensor3D;
    if (training && config.dropout > 0) memory = dropout(memory, config.dropout);
    return {
      memory,
      mask: tf.ones([batch, regions]) as tf.Tensor2D,
      lengths: Array.from({ length: batch }, () => regions),
    };
  }
}
