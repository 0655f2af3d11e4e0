import { createAttention } from '../attention/registry.js';
import type { Attention, AttentionState } from '../attention/types.js';
import { dropout } from '../nn/dropout.js';
import { dense, embed, type LstmState, lstmCell, zeroLstmState } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { selectBatch } from './state.js';
import type {
  Decoder,
  ForwardOptions,
  ForwardResult,
  RecurrentDecoderConfig,
  StepResult,
} from './types.js';

export type RecurrentState = {
  readonly memory: tf.Tensor3D; // [B, T, D]
  readonly memoryMask: tf.Tensor2D; // [B, T]
  readonly lstm: readonly LstmState[];
  readonly context: tf.Tensor2D; // [B, D] previous context (input feeding)
  readonly attention: AttentionState;
};

const maybeDropout = (x: tf.Tensor, rate: number, options?: ForwardOptions): tf.Tensor =>
  options?.training && rate > 0 ? dropout(x, rate) : x;

/**
 * LSTM decoder with attention in the loop (Listen-Attend-Spell / Show-Attend-and-Tell):
 *   x_t = [embed(y_{t-1}); c_{t-1}]  ->  LSTM stack  ->  h_t
 *   c_t = attend(h_t, memory)  (× β_t = σ(w·h_t) when gated)
 *   logits_t = W_o tanh(W_h [h_t; c_t])
 * Teacher forcing calls `step` once per position: one code path for training and decoding.
 */
export class RecurrentDecoder implements Decoder<RecurrentState> {
  private readonly attention: Attention;

  constructor(
    readonly config: RecurrentDecoderConfig,
    private readonly params: ParamStore,
  ) {
    this.attention = createAttention(
      config.attention,
      { query: config.units, key: config.memoryDim, value: config.memoryDim },
      params.scope('attention'),
    );
  }

  initState(memory: tf.Tensor3D, memoryMask: tf.Tensor2D): RecurrentState {
    const batch = memory.shape[0];
    return {
      memory,
      memoryMask,
      lstm: Array.from({ length: this.config.layers }, () =>
        zeroLstmState(batch, this.config.units),
      ),
      context: tf.zeros([batch, this.attention.contextDim]),
      attention: this.attention.initState(memory, memory, memoryMask),
    };
  }

  step(
    tokens: tf.Tensor1D,
    state: RecurrentState,
    options?: ForwardOptions,
  ): StepResult<RecurrentState> {
    const { h, ...result } = this.recur(this.embed(tokens, options), state, options);
    const logits = this.head(h, result.state.context, options) as tf.Tensor2D;
    return { ...result, logits };
  }

  /** Token ids [...] → embeddings [..., E], with dropout when training. */
  private embed(tokens: tf.Tensor, options?: ForwardOptions): tf.Tensor {
    const { config, params } = this;
    return maybeDropout(
      embed(params, tokens, config.vocabSize, config.embedDim),
      config.dropout,
      options,
    );
  }

  /** The part of a step the next step depends on: LSTM stack, attention, gate. */
  private recur(embedded: tf.Tensor, state: RecurrentState, options?: ForwardOptions) {
    const { config, params } = this;
    // Input feeding: the previous context joins the embedding (one concat with h in the cell).
    let x: tf.Tensor2D | tf.Tensor2D[] = config.inputFeeding
      ? [embedded as tf.Tensor2D, state.context]
      : (embedded as tf.Tensor2D);
    const lstm = state.lstm.map((layerState, i) => {
      const next = lstmCell(params, x, layerState, config.units, `lstm${i}`);
      x = next.h;
      return next;
    });
    const h = lstm.at(-1)!.h; // [B, U]
    const attended = this.attention.attend({
      query: h.expandDims(1) as tf.Tensor3D,
      keys: state.memory,
      values: state.memory,
      mask: state.memoryMask,
      state: state.attention,
      training: options?.training ?? false,
    });
    let context = attended.context.squeeze([1]) as tf.Tensor2D; // [B, Dv]
    if (config.gate) context = context.mul(tf.sigmoid(dense(params, h, 1, { name: 'gate' })));
    const weights = attended.weights.rank === 4 ? attended.weights.mean(1) : attended.weights; // [B, 1, Tk]
    return {
      h,
      weights: weights.squeeze([1]) as tf.Tensor2D,
      state: { ...state, lstm, context, attention: attended.state },
      ...(attended.sampleLogProb
        ? { sampleLogProb: attended.sampleLogProb.squeeze([1]) as tf.Tensor1D }
        : {}),
    };
  }

  /**
   * logits = W_o tanh(W_h [h; c]): nothing later depends on it, so teacher forcing runs it once
   * over every position ([..., U] and [..., Dv] of any rank).
   */
  private head(h: tf.Tensor, context: tf.Tensor, options?: ForwardOptions): tf.Tensor {
    const { config, params } = this;
    const hidden = tf.tanh(
      dense(params, tf.concat([h, context], -1), config.units, { name: 'combine' }),
    );
    return dense(params, maybeDropout(hidden, config.dropout, options), config.vocabSize, {
      name: 'output',
    });
  }

  /**
   * Teacher forcing. Only the recurrence runs token by token: the embeddings of all inputs are
   * looked up at once and the output layer runs once over all positions (on a GPU each op is a
   * dispatch, and per token these were a third of a caption training step's). Scheduled sampling
   * feeds back the model's own guesses, so it takes a whole step per token.
   */
  forward(
    memory: tf.Tensor3D,
    memoryMask: tf.Tensor2D,
    inputs: tf.Tensor2D,
    options?: ForwardOptions,
  ): ForwardResult {
    if ((options?.samplingProbability ?? 0) > 0)
      return this.forwardSampled(memory, memoryMask, inputs, options);
    let state = this.initState(memory, memoryMask);
    const embedded = tf.unstack(this.embed(inputs, options), 1) as tf.Tensor2D[]; // L × [B, E]
    const hs: tf.Tensor2D[] = [];
    const contexts: tf.Tensor2D[] = [];
    const weights: tf.Tensor2D[] = [];
    const logProbs: tf.Tensor1D[] = [];
    for (const x of embedded) {
      const result = this.recur(x, state, options);
      hs.push(result.h);
      contexts.push(result.state.context);
      weights.push(result.weights);
      if (result.sampleLogProb) logProbs.push(result.sampleLogProb);
      state = result.state;
    }
    return {
      logits: this.head(tf.stack(hs, 1), tf.stack(contexts, 1), options) as tf.Tensor3D,
      weights: tf.stack(weights, 1) as tf.Tensor3D,
      ...(logProbs.length ? { sampleLogProb: tf.stack(logProbs, 1) as tf.Tensor2D } : {}),
    };
  }

  /** Teacher forcing with scheduled sampling (Bengio et al. 2015): one full step per token. */
  private forwardSampled(
    memory: tf.Tensor3D,
    memoryMask: tf.Tensor2D,
    inputs: tf.Tensor2D,
    options?: ForwardOptions,
  ): ForwardResult {
    let state = this.initState(memory, memoryMask);
    const columns = tf.unstack(inputs, 1) as tf.Tensor1D[];
    const logits: tf.Tensor2D[] = [];
    const weights: tf.Tensor2D[] = [];
    const logProbs: tf.Tensor1D[] = [];
    const p = options?.samplingProbability ?? 0;
    columns.forEach((gold, t) => {
      let tokens = gold;
      if (t > 0) {
        // Sometimes feed the model's own last guess instead of the gold token.
        const own = logits[t - 1]!.argMax(1).toInt() as tf.Tensor1D;
        const coin = tf
          .randomUniform([gold.shape[0]], 0, 1, 'float32', (options?.seed ?? 0) + t)
          .less(p);
        tokens = tf.where(coin, own, gold.toInt()) as tf.Tensor1D;
      }
      const result = this.step(tokens, state, options);
      logits.push(result.logits as tf.Tensor2D);
      weights.push(result.weights);
      if (result.sampleLogProb) logProbs.push(result.sampleLogProb);
      state = result.state;
    });
    return {
      logits: tf.stack(logits, 1) as tf.Tensor3D,
      weights: tf.stack(weights, 1) as tf.Tensor3D,
      ...(logProbs.length ? { sampleLogProb: tf.stack(logProbs, 1) as tf.Tensor2D } : {}),
    };
  }

  selectState(state: RecurrentState, indices: tf.Tensor1D): RecurrentState {
    // The memory, its mask and its projected keys are the same for every row of an input item:
    // only what each hypothesis has built up (LSTM state, context, previous weights) moves.
    const { memory, memoryMask, attention, ...perHypothesis } = state;
    const { projectedKeys, ...attentionPerHypothesis } = attention;
    return {
      memory,
      memoryMask,
      ...selectBatch(perHypothesis, indices),
      attention: {
        ...selectBatch(attentionPerHypothesis, indices),
        ...(projectedKeys ? { projectedKeys } : {}),
      },
    };
  }
}
