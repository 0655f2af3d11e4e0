import type { tf } from '../runtime/tf.js';

/** Soft attention averages the values; hard attention picks one position (sampled in training). */
export type AttentionMode = 'soft' | 'hard';

/**
 * Luong's local attention: scores only inside a window of ±width around a centre that is either
 * the decoding step (monotonic, local-m) or predicted from the query (predictive, local-p, which
 * also weights the window with a Gaussian of σ = width / 2).
 */
export interface LocalWindow {
  readonly type: 'monotonic' | 'predictive';
  readonly width: number;
}

/** Static sparse patterns for self-attention (BigBird-style when several are united). */
export type SparsePatternConfig =
  | { readonly type: 'band'; readonly width: number }
  | { readonly type: 'dilated'; readonly width: number; readonly dilation: number }
  | { readonly type: 'block'; readonly block: number }
  | { readonly type: 'random'; readonly perRow: number; readonly seed: number }
  | { readonly type: 'global'; readonly tokens: readonly number[] }
  | { readonly type: 'union'; readonly parts: readonly SparsePatternConfig[] };

interface Common {
  readonly local?: LocalWindow;
  readonly mode?: AttentionMode;
}

/** Every attention in the family, selectable by name in a model config. */
export type AttentionConfig =
  | (Common & { readonly kind: 'dot' })
  | (Common & { readonly kind: 'scaled-dot' })
  | (Common & { readonly kind: 'general' })
  | (Common & { readonly kind: 'additive'; readonly units: number })
  | (Common & {
      readonly kind: 'location-aware';
      readonly units: number;
      readonly filters: number;
      readonly kernelSize: number;
    })
  | (Common & { readonly kind: 'multi-head'; readonly heads: number; readonly dim: number })
  | {
      readonly kind: 'sparse';
      readonly heads: number;
      readonly dim: number;
      readonly pattern: SparsePatternConfig;
    }
  | {
      readonly kind: 'linear';
      readonly heads: number;
      readonly dim: number;
      readonly causal?: boolean;
    };

export type AttentionKind = AttentionConfig['kind'];

/** Feature sizes of the three inputs. */
export interface AttentionDims {
  readonly query: number;
  readonly key: number;
  readonly value: number;
}

/**
 * What an attention carries between calls, inside the decoder's state (never in the attention
 * object): per-memory projections computed once, the previous weights (location-aware), the
 * decoding step (local-m). Every tensor has the batch first, so beam search can reorder it.
 */
export type AttentionState = {
  readonly projectedKeys?: tf.Tensor;
  readonly projectedValues?: tf.Tensor;
  readonly previousWeights?: tf.Tensor2D; // [B, Tk]
  readonly step?: number;
};

export interface AttendInput {
  readonly query: tf.Tensor3D; // [B, Tq, Dq]
  readonly keys: tf.Tensor3D; // [B, Tk, Dk]
  readonly values: tf.Tensor3D; // [B, Tk, Dv]
  /** 1 keep / 0 drop: [B, Tk] (padding) or [B, Tq, Tk] (e.g. causal). */
  readonly mask?: tf.Tensor2D | tf.Tensor3D;
  readonly state?: AttentionState;
  /** Hard attention samples in training and takes the argmax otherwise. */
  readonly training?: boolean;
}

export interface AttendOutput {
  readonly context: tf.Tensor3D; // [B, Tq, contextDim]
  /**
   * [B, Tq, Tk] for single-head kinds, [B, H, Tq, Tk] for multi-head; sparse returns its blocked
   * layout and linear its normaliser (see their files for the expansion to T×T pictures).
   */
  readonly weights: tf.Tensor;
  readonly state: AttentionState;
  /** Hard attention in training: log-probability of each sampled position [B, Tq] (REINFORCE). */
  readonly sampleLogProb?: tf.Tensor2D;
}

/** One interface for the whole family. */
export interface Attention {
  readonly kind: AttentionKind;
  /** Feature size of the context this attention returns. */
  readonly contextDim: number;
  /** Work that depends only on the memory (key/value projections), done once per utterance/image. */
  initState(keys: tf.Tensor3D, values: tf.Tensor3D, mask?: tf.Tensor2D): AttentionState;
  attend(input: AttendInput): AttendOutput;
}
