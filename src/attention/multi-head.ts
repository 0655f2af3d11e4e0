import { dense } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { checkHeads, mergeHeads, splitHeads } from './heads.js';
import { scoresToWeights } from './normalise.js';
import { stepAttention } from './step-attention.js';
import type {
  AttendInput,
  AttendOutput,
  Attention,
  AttentionConfig,
  AttentionDims,
  AttentionState,
} from './types.js';

type MultiHeadConfig = Extract<AttentionConfig, { kind: 'multi-head' }>;

/**
 * Multi-head scaled dot-product attention (Vaswani et al.): H heads with their own projections,
 * concatenated and projected to `dim`. Keys and values are projected once per memory (initState).
 */
export class MultiHeadAttention implements Attention {
  readonly kind = 'multi-head' as const;
  readonly contextDim: number;

  constructor(
    private readonly config: MultiHeadConfig,
    _dims: AttentionDims,
    private readonly params: ParamStore,
  ) {
    checkHeads(config.dim, config.heads);
    this.contextDim = config.dim;
  }

  /** Projected keys and values [B, H, Tk, d]. */
  initState(keys: tf.Tensor3D, values: tf.Tensor3D): AttentionState {
    return {
      step: 0,
      projectedKeys: splitHeads(
        dense(this.params, keys, this.config.dim, { name: 'wk' }),
        this.config.heads,
      ),
      projectedValues: splitHeads(
        dense(this.params, values, this.config.dim, { name: 'wv' }),
        this.config.heads,
      ),
    };
  }

  /**
   * Appends new positions' projected keys and values to a state: a decoder's self-attention cache,
   * so each step projects only its own position.
   */
  appendKeys(
    state: AttentionState | undefined,
    keys: tf.Tensor3D,
    values: tf.Tensor3D,
  ): AttentionState {
    const added = this.initState(keys, values);
    if (!state?.projectedKeys || !state.projectedValues)
      return { ...added, step: state?.step ?? 0 };
    return {
      ...state,
      projectedKeys: tf.concat([state.projectedKeys, added.projectedKeys!], 2),
      projectedValues: tf.concat([state.projectedValues, added.projectedValues!], 2),
    };
  }

  attend(input: AttendInput): AttendOutput {
    const { heads, dim } = this.config;
    const state = input.state?.projectedKeys
      ? input.state
      : { ...input.state, ...this.initState(input.keys, input.values) };
    const k = state.projectedKeys as tf.Tensor4D;
    const v = state.projectedValues as tf.Tensor4D;
    const q = splitHeads(dense(this.params, input.query, dim, { name: 'wq' }), heads); // [B, H, Tq, d]
    const scale = 1 / Math.sqrt(dim / heads);
    const step = state.step ?? 0;
    const nextState = { ...state, step: step + input.query.shape[1] };
    // A decoder step with plain softmax weights: one kernel where the backend has it.
    const plain = !this.config.local && this.config.mode !== 'hard';
    const fused = plain ? stepAttention(q, k, v, input.mask, scale) : undefined;
    if (fused) {
      const context = dense(this.params, fused.context, dim, { name: 'wo' }) as tf.Tensor3D;
      return { context, weights: fused.weights, state: nextState };
    }
    const scores = tf.matMul(q, k, false, true); // [B, H, Tq, Tk], scaled by 1/√d in the softmax
    const { sampleLogProb, ...normalised } = scoresToWeights(
      this.params,
      this.config,
      input,
      scores,
      step,
      scale,
    );
    const weights = normalised.weights as tf.Tensor4D;
    const context = mergeHeads(tf.matMul(weights, v)); // [B, Tq, dim]
    const output = dense(this.params, context, dim, { name: 'wo' }) as tf.Tensor3D;
    return {
      context: output,
      weights,
      state: nextState,
      ...(sampleLogProb ? { sampleLogProb } : {}),
    };
  }
}
