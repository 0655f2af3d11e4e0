import type { AttentionConfig } from '../attention/types.js';
import type { tf } from '../runtime/tf.js';
import type { StateTree } from './state.js';

/** The LSTM decoder of Listen-Attend-Spell and Show-Attend-and-Tell. */
export interface RecurrentDecoderConfig {
  readonly type: 'recurrent';
  readonly vocabSize: number;
  readonly memoryDim: number;
  readonly embedDim: number;
  readonly units: number;
  readonly layers: number;
  readonly attention: AttentionConfig;
  /** Feed the previous step's context back in with the token (Luong's input feeding). */
  readonly inputFeeding: boolean;
  /** Show-Attend-and-Tell's gating scalar β = σ(w·h) on the context. */
  readonly gate: boolean;
  readonly dropout: number;
}

/** N layers of masked self-attention + cross-attention + feed-forward (pre-norm). */
export interface TransformerDecoderConfig {
  readonly type: 'transformer';
  readonly vocabSize: number;
  readonly memoryDim: number;
  readonly dim: number;
  readonly heads: number;
  readonly layers: number;
  readonly ffnDim: number;
  /** Cross-attention over the memory; multi-head by default. */
  readonly crossAttention?: AttentionConfig;
  readonly dropout: number;
}

export type DecoderConfig = RecurrentDecoderConfig | TransformerDecoderConfig;

export interface StepResult<S> {
  readonly logits: tf.Tensor2D; // [B, V]
  /** Cross-attention weights of this step [B, Tk] (averaged over heads where there are several). */
  readonly weights: tf.Tensor2D;
  readonly state: S;
  /** Hard attention in training: log-probability of the sampled positions [B] (REINFORCE). */
  readonly sampleLogProb?: tf.Tensor1D;
}

export interface ForwardOptions {
  readonly training?: boolean;
  /** Scheduled sampling: chance of feeding the model's own previous prediction instead of the gold token. */
  readonly samplingProbability?: number;
  readonly seed?: number;
}

export interface ForwardResult {
  readonly logits: tf.Tensor3D; // [B, L, V]
  readonly weights: tf.Tensor3D; // [B, L, Tk]
  readonly sampleLogProb?: tf.Tensor2D; // [B, L]
}

/**
 * The shared cross-attention decoder: memory [B, T, D] + mask [B, T] in, per-step logits and
 * attention weights out. It never knows whether the memory came from audio frames or image
 * regions. Incremental (`step`) and teacher-forced (`forward`) decoding run the same code.
 */
export interface Decoder<S extends StateTree = StateTree> {
  readonly config: DecoderConfig;
  initState(memory: tf.Tensor3D, memoryMask: tf.Tensor2D): S;
  step(tokens: tf.Tensor1D, state: S, options?: ForwardOptions): StepResult<S>;
  /** Teacher forcing: inputs [B, L] (starting with the start token) -> logits for each position. */
  forward(
    memory: tf.Tensor3D,
    memoryMask: tf.Tensor2D,
    inputs: tf.Tensor2D,
    options?: ForwardOptions,
  ): ForwardResult;
  /**
   * Reorders the hypotheses of a state (beam search). `indices` must send every row to a row of the
   * same input item: tensors that depend only on the input (memory, its projections) are kept.
   */
  selectState(state: S, indices: tf.Tensor1D): S;
}
