import { dense } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { additiveWeights } from './additive-fused.js';
import { scoresToWeights } from './normalise.js';
import type {
  AttendInput,
  AttendOutput,
  Attention,
  AttentionConfig,
  AttentionDims,
  AttentionState,
} from './types.js';

type SingleHeadConfig = Extract<
  AttentionConfig,
  { kind: 'dot' | 'scaled-dot' | 'general' | 'additive' | 'location-aware' }
>;

/**
 * Attention with one score per (query, key): dot and scaled-dot (Luong; Vaswani's scaling),
 * general (q·W·k), additive (Bahdanau, vᵀ tanh(Wq + Uk)) and location-aware (Chorowski: additive
 * plus a convolution over the previous step's weights). Values are returned as they are.
 */
export class SingleHeadAttention implements Attention {
  readonly kind: SingleHeadConfig['kind'];
  readonly contextDim: number;

  constructor(
    private readonly config: SingleHeadConfig,
    private readonly dims: AttentionDims,
    private readonly params: ParamStore,
  ) {
    this.kind = config.kind;
    this.contextDim = dims.value;
    if ((config.kind === 'dot' || config.kind === 'scaled-dot') && dims.query !== dims.key) {
      throw new Error(
        `${config.kind} attention needs query and key sizes equal (${dims.query} vs ${dims.key})`,
      );
    }
  }

  /** Keys projected once per memory: W-side of general, U·k of additive/location-aware. */
  private projectKeys(keys: tf.Tensor3D): tf.Tensor | undefined {
    switch (this.config.kind) {
      case 'dot':
      case 'scaled-dot':
        return undefined;
      case 'general': {
        const w = this.params.get('w', [this.dims.query, this.dims.key]);
        const [b, tk, dk] = keys.shape;
        return tf
          .matMul(keys.reshape([b * tk, dk]), w, false, true)
          .reshape([b, tk, this.dims.query]);
      }
      case 'additive':
      case 'location-aware':
        return dense(this.params, keys, this.config.units, { name: 'keys', bias: false });
    }
  }

  initState(keys: tf.Tensor3D, _values: tf.Tensor3D, mask?: tf.Tensor2D): AttentionState {
    const projectedKeys = this.projectKeys(keys);
    const base: AttentionState = { step: 0, ...(projectedKeys ? { projectedKeys } : {}) };
    if (this.config.kind !== 'location-aware') return base;
    // Before the first step, "previous weights" are uniform over the valid positions (as ESPnet).
    const [batch, tk] = keys.shape;
    const valid = mask ? mask.toFloat() : tf.ones([batch, tk]);
    return { ...base, previousWeights: valid.div(valid.sum(1, true)) as tf.Tensor2D };
  }

  private scores(input: AttendInput, projectedKeys: tf.Tensor | undefined): tf.Tensor3D {
    const { query, keys } = input;
    const config = this.config;
    switch (config.kind) {
      case 'dot':
        return tf.matMul(query, keys, false, true);
      case 'scaled-dot':
        return tf.matMul(query, keys, false, true).div(Math.sqrt(this.dims.key));
      case 'general':
        return tf.matMul(query, projectedKeys as tf.Tensor3D, false, true);
      case 'additive':
      case 'location-aware': {
        let keySide = projectedKeys as tf.Tensor3D; // [B, Tk, A]
        if (config.kind === 'location-aware') {
          const previous = input.state?.previousWeights;
          if (!previous) throw new Error('location-aware attention needs state from initState()');
          if (query.shape[1] !== 1)
            throw new Error('location-aware attention runs one decoder step at a time');
          const filter = this.params.get('location/conv', [config.kernelSize, 1, config.filters]);
          const located = tf.conv1d(
            previous.expandDims(2) as tf.Tensor3D,
            filter as tf.Tensor3D,
            1,
            'same',
          ); // [B, Tk, F]
          keySide = keySide.add(
            dense(this.params, located, config.units, { name: 'location', bias: false }),
          );
        }
        const querySide = dense(this.params, query, config.units, { name: 'query' }); // [B, Tq, A]
        const [b, tq] = query.shape;
        const tk = keys.shape[1];
        const energy = tf.tanh(querySide.expandDims(2).add(keySide.expandDims(1))); // [B, Tq, Tk, A]
        const v = this.params.get('v', [config.units, 1]);
        return tf.matMul(energy.reshape([-1, config.units]), v as tf.Tensor2D).reshape([b, tq, tk]);
      }
    }
  }

  /**
   * Plain additive attention for one decoder step (the recurrent decoder's case) as one fused
   * op (additiveWeights): the same weights as scores() + scoresToWeights(), in far fewer kernels.
   */
  private fusedAdditiveWeights(
    input: AttendInput,
    projectedKeys: tf.Tensor | undefined,
  ): tf.Tensor3D | undefined {
    const config = this.config;
    if (config.kind !== 'additive' || config.local || config.mode === 'hard') return undefined;
    const [b, tq] = input.query.shape;
    if (tq !== 1) return undefined;
    const query = dense(this.params, input.query, config.units, { name: 'query' }).reshape([
      b,
      config.units,
    ]) as tf.Tensor2D;
    const v = this.params.get('v', [config.units, 1]).reshape([config.units]) as tf.Tensor1D;
    const tk = input.keys.shape[1];
    const mask = input.mask?.reshape([b, tk]) as tf.Tensor2D | undefined; // [B, 1, Tk] too
    const weights = additiveWeights(query, projectedKeys as tf.Tensor3D, v, mask);
    return weights.expandDims(1) as tf.Tensor3D;
  }

  attend(input: AttendInput): AttendOutput {
    const state = input.state ?? {};
    const projectedKeys = state.projectedKeys ?? this.projectKeys(input.keys);
    const step = state.step ?? 0;
    const fused = this.fusedAdditiveWeights(input, projectedKeys);
    const { sampleLogProb, ...normalised } = fused
      ? { weights: fused, sampleLogProb: undefined }
      : scoresToWeights(this.params, this.config, input, this.scores(input, projectedKeys), step);
    const weights = normalised.weights as tf.Tensor3D;
    const context = tf.matMul(weights, input.values) as tf.Tensor3D; // [B, Tq, Dv]
    const next: AttentionState = {
      ...state,
      ...(projectedKeys ? { projectedKeys } : {}),
      step: step + input.query.shape[1],
      ...(this.config.kind === 'location-aware'
        ? { previousWeights: weights.squeeze([1]) as tf.Tensor2D }
        : {}),
    };
    return { context, weights, state: next, ...(sampleLogProb ? { sampleLogProb } : {}) };
  }
}
