import { dense } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { checkHeads, mergeHeads, splitHeads } from './heads.js';
import type {
  AttendInput,
  AttendOutput,
  Attention,
  AttentionConfig,
  AttentionState,
} from './types.js';

type LinearConfig = Extract<AttentionConfig, { kind: 'linear' }>;

/** φ(x) = elu(x) + 1: the positive feature map of Katharopoulos et al. (2020). */
export const featureMap = (x: tf.Tensor): tf.Tensor => tf.elu(x).add(1);

/**
 * Linear attention: softmax(QKᵀ)V is replaced by φ(Q)(φ(K)ᵀV) / φ(Q)(φ(K)ᵀ1), so memory and time
 * grow linearly with length. The causal form uses running sums (memory T·d² per head).
 * Weights are not materialised (that would be the quadratic cost it avoids): `weights` is the
 * normaliser per query [B, H, Tq, 1] and `linearWeights` computes the T×T picture when wanted.
 */
export class LinearAttention implements Attention {
  readonly kind = 'linear' as const;
  readonly contextDim: number;

  constructor(
    private readonly config: LinearConfig,
    private readonly params: ParamStore,
  ) {
    checkHeads(config.dim, config.heads);
    this.contextDim = config.dim;
  }

  initState(): AttentionState {
    return { step: 0 };
  }

  features(input: AttendInput): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D } {
    const { heads, dim } = this.config;
    const split = (x: tf.Tensor3D, name: string) =>
      splitHeads(dense(this.params, x, dim, { name }), heads);
    const q = featureMap(split(input.query, 'wq')) as tf.Tensor4D;
    let k = featureMap(split(input.keys, 'wk')) as tf.Tensor4D;
    if (input.mask) {
      if (input.mask.rank !== 2) throw new Error('linear attention takes a [B, Tk] padding mask');
      k = k.mul(input.mask.toFloat().expandDims(1).expandDims(3)); // padded keys contribute nothing
    }
    return { q, k, v: split(input.values, 'wv') };
  }

  attend(input: AttendInput): AttendOutput {
    const { q, k, v } = this.features(input);
    let numerator: tf.Tensor;
    let normaliser: tf.Tensor;
    if (this.config.causal) {
      // Σ_{j≤i} φ(k_j) v_jᵀ as a cumulative sum of outer products: [B, H, T, d, d].
      const outer = k.expandDims(4).mul(v.expandDims(3));
      // Summed as rank 3 ([B·H, T, d·d]): WebGPU's cumsum stops at rank 4.
      const [b, h, t, dk, dv] = outer.shape as [number, number, number, number, number];
      const kv = tf.cumsum(outer.reshape([b * h, t, dk * dv]), 1).reshape([b, h, t, dk, dv]);
      numerator = q.expandDims(3).matMul(kv).squeeze([3]);
      normaliser = q.mul(tf.cumsum(k, 2)).sum(-1, true);
    } else {
      const kv = tf.matMul(k, v, true, false); // [B, H, d, d]
      numerator = tf.matMul(q, kv); // [B, H, Tq, d]
      normaliser = tf.matMul(q, k.sum(2, true), false, true); // [B, H, Tq, 1]
    }
    const context = mergeHeads(numerator.div(normaliser.add(1e-6)));
    const output = dense(this.params, context, this.config.dim, { name: 'wo' }) as tf.Tensor3D;
    return {
      context: output,
      weights: normaliser as tf.Tensor4D,
      state: { step: (input.state?.step ?? 0) + input.query.shape[1] },
    };
  }
}

/** The T×T weights linear attention implies (quadratic: for pictures and tests only). */
export function linearWeights(attention: LinearAttention, input: AttendInput): tf.Tensor4D {
  const { q, k } = attention.features(input);
  let scores = tf.matMul(q, k, false, true); // [B, H, Tq, Tk]
  if ((attention as unknown as { config: LinearConfig }).config.causal) {
    const [tq, tk] = scores.shape.slice(2) as [number, number];
    scores = scores.mul(tf.linalg.bandPart(tf.ones([tq, tk]), -1, 0));
  }
  return scores.div(scores.sum(-1, true).add(1e-6)) as tf.Tensor4D;
}
