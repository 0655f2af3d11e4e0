import { causalMask } from '../attention/masking.js';
import { MultiHeadAttention } from '../attention/multi-head.js';
import { createAttention } from '../attention/registry.js';
import type { Attention, AttentionState } from '../attention/types.js';
import { dropout } from '../nn/dropout.js';
import { dense, embed, layerNorm, positionalEncoding } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { selectBatch } from './state.js';
import type {
  Decoder,
  ForwardOptions,
  ForwardResult,
  StepResult,
  TransformerDecoderConfig,
} from './types.js';

export type TransformerState = {
  readonly memory: tf.Tensor3D;
  readonly memoryMask: tf.Tensor2D;
  /** Per layer: projected keys/values of every position decoded so far. */
  readonly self: readonly AttentionState[];
  /** Per layer: the memory's projections, computed once. */
  readonly cross: readonly AttentionState[];
  readonly position: number;
};

interface LayerOutput {
  readonly x: tf.Tensor3D;
  readonly self: AttentionState;
  readonly cross: AttentionState;
  readonly weights: tf.Tensor; // cross-attention weights of this layer
}

/**
 * Transformer decoder (pre-norm). `forward` runs all positions at once under a causal mask;
 * `step` runs one position against the cached keys of the earlier ones. Both go through `layer`,
 * so step-by-step logits equal teacher-forced logits.
 */
export class TransformerDecoder implements Decoder<TransformerState> {
  private readonly selfAttention: MultiHeadAttention[];
  private readonly crossAttention: Attention[];

  constructor(
    readonly config: TransformerDecoderConfig,
    private readonly params: ParamStore,
  ) {
    const { dim, heads, layers, memoryDim } = config;
    const cross = config.crossAttention ?? { kind: 'multi-head', heads, dim };
    this.selfAttention = Array.from(
      { length: layers },
      (_, i) =>
        new MultiHeadAttention(
          { kind: 'multi-head', heads, dim },
          { query: dim, key: dim, value: dim },
          params.scope(`layer${i}/self`),
        ),
    );
    this.crossAttention = Array.from({ length: layers }, (_, i) =>
      createAttention(
        cross,
        { query: dim, key: memoryDim, value: memoryDim },
        params.scope(`layer${i}/cross`),
      ),
    );
  }

  initState(memory: tf.Tensor3D, memoryMask: tf.Tensor2D): TransformerState {
    return {
      memory,
      memoryMask,
      self: this.selfAttention.map(() => ({ step: 0 })),
      cross: this.crossAttention.map((attention) =>
        attention.initState(memory, memory, memoryMask),
      ),
      position: 0,
    };
  }

  private dropout(x: tf.Tensor, options?: ForwardOptions): tf.Tensor {
    return options?.training && this.config.dropout > 0 ? dropout(x, this.config.dropout) : x;
  }

  private layer(
    i: number,
    x: tf.Tensor3D,
    state: TransformerState,
    selfMask: tf.Tensor3D | undefined,
    options?: ForwardOptions,
  ): LayerOutput {
    const p = this.params.scope(`layer${i}`);
    const selfAttention = this.selfAttention[i]!;
    const h = layerNorm(p, x, 'norm1') as tf.Tensor3D;
    const self = selfAttention.appendKeys(state.self[i], h, h);
    const attended = selfAttention.attend({
      query: h,
      keys: h,
      values: h,
      state: self,
      ...(selfMask ? { mask: selfMask } : {}),
    });
    let y = x.add(this.dropout(attended.context, options)) as tf.Tensor3D;
    const h2 = layerNorm(p, y, 'norm2') as tf.Tensor3D;
    const cross = this.crossAttention[i]!.attend({
      query: h2,
      keys: state.memory,
      values: state.memory,
      mask: state.memoryMask,
      state: state.cross[i]!,
      training: options?.training ?? false,
    });
    const context =
      this.crossAttention[i]!.contextDim === this.config.dim
        ? cross.context
        : dense(p, cross.context, this.config.dim, { name: 'crossOut' });
    y = y.add(this.dropout(context, options)) as tf.Tensor3D;
    const h3 = layerNorm(p, y, 'norm3');
    const ffn = dense(
      p,
      tf.relu(dense(p, h3, this.config.ffnDim, { name: 'ffn1' })),
      this.config.dim,
      { name: 'ffn2' },
    );
    y = y.add(this.dropout(ffn, options)) as tf.Tensor3D;
    return { x: y, self: attended.state, cross: cross.state, weights: cross.weights };
  }

  /** Runs the stack on positions [position, position + L) of `tokens` [B, L]. */
  private run(
    tokens: tf.Tensor2D,
    state: TransformerState,
    selfMask: tf.Tensor3D | undefined,
    options?: ForwardOptions,
  ) {
    const { dim, vocabSize } = this.config;
    const length = tokens.shape[1];
    const embedded = embed(this.params, tokens, vocabSize, dim).mul(Math.sqrt(dim));
    let x = this.dropout(
      embedded.add(positionalEncoding(length, dim, state.position)),
      options,
    ) as tf.Tensor3D;
    const self: AttentionState[] = [];
    const cross: AttentionState[] = [];
    let weights: tf.Tensor | undefined;
    for (let i = 0; i < this.config.layers; i++) {
      const out = this.layer(i, x, state, selfMask, options);
      x = out.x;
      self.push(out.self);
      cross.push(out.cross);
      weights = out.weights;
    }
    const logits = dense(this.params, layerNorm(this.params, x, 'finalNorm'), vocabSize, {
      name: 'output',
    }) as tf.Tensor3D;
    const averaged = (weights!.rank === 4 ? weights!.mean(1) : weights!) as tf.Tensor3D; // [B, L, Tk]
    return {
      logits,
      weights: averaged,
      state: { ...state, self, cross, position: state.position + length },
    };
  }

  step(
    tokens: tf.Tensor1D,
    state: TransformerState,
    options?: ForwardOptions,
  ): StepResult<TransformerState> {
    const out = this.run(tokens.reshape([-1, 1]) as tf.Tensor2D, state, undefined, options);
    return {
      logits: out.logits.squeeze([1]) as tf.Tensor2D,
      weights: out.weights.squeeze([1]) as tf.Tensor2D,
      state: out.state,
    };
  }

  forward(
    memory: tf.Tensor3D,
    memoryMask: tf.Tensor2D,
    inputs: tf.Tensor2D,
    options?: ForwardOptions,
  ): ForwardResult {
    const state = this.initState(memory, memoryMask);
    const length = inputs.shape[1];
    const mask = causalMask(length).expandDims(0) as tf.Tensor3D;
    const p = options?.samplingProbability ?? 0;
    let tokens = inputs;
    if (p > 0) {
      // Two-pass scheduled sampling (Mihaylova & Martins 2019): a first teacher-forced pass
      // guesses every position, then some gold inputs are replaced by those guesses.
      const guesses = tf.tidy(() =>
        this.run(inputs, state, mask, options).logits.argMax(2).toInt(),
      );
      const shifted = tf.concat(
        [inputs.slice([0, 0], [-1, 1]).toInt(), guesses.slice([0, 0], [-1, length - 1])],
        1,
      );
      const coin = tf.randomUniform(inputs.shape, 0, 1, 'float32', options?.seed).less(p);
      const keepFirst = tf.concat(
        [tf.zeros([inputs.shape[0], 1], 'bool'), coin.slice([0, 1], [-1, length - 1])],
        1,
      );
      tokens = tf.where(keepFirst, shifted, inputs.toInt()) as tf.Tensor2D;
    }
    const out = this.run(tokens, state, mask, options);
    return { logits: out.logits, weights: out.weights };
  }

  selectState(state: TransformerState, indices: tf.Tensor1D): TransformerState {
    // Memory and its cross-attention projections are per input item: only the self-attention
    // caches (what each hypothesis has decoded) move.
    return { ...state, self: selectBatch(state.self, indices) };
  }
}
