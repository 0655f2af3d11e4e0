import { createAttention } from '../attention/registry.js';
import type { Attention, AttentionConfig } from '../attention/types.js';
import { dropout } from '../nn/dropout.js';
import { dense, layerNorm } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { convolutionModule } from './conv-module.js';

/** A pre-norm transformer encoder stack: the layers of any sequence encoder (audio frames, words). */
export interface SelfAttentionStackConfig {
  readonly dim: number;
  readonly layers: number;
  readonly ffnDim: number;
  /** multi-head (full), sparse (e.g. a band for long audio) or linear. */
  readonly selfAttention: Extract<AttentionConfig, { kind: 'multi-head' | 'sparse' | 'linear' }>;
  readonly dropout: number;
  /**
   * A Conformer convolution module after each layer's self-attention (convolutionModule), with
   * this depthwise kernel in positions; absent, none.
   */
  readonly convKernel?: number;
}

/**
 * Self-attention, an optional convolution module and a feed-forward block per layer, each a
 * residual around a layer norm, then a final norm; padded positions come out zero. Parameters are
 * named layer<i>/... and finalNorm in the store it is given.
 */
export class SelfAttentionStack {
  private readonly attention: Attention[];

  constructor(
    readonly config: SelfAttentionStackConfig,
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

  /** x [B, T, D] with mask [B, T] (1 = real position) -> [B, T, D]. */
  apply(x0: tf.Tensor3D, mask: tf.Tensor2D, training = false): tf.Tensor3D {
    const { dim, ffnDim, dropout: rate } = this.config;
    const drop = (x: tf.Tensor) => (training ? dropout(x, rate) : x);
    let x = x0;
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
