/** Names of kernels attend registers itself (backends implement them; src/nn uses them). */

/** x [..., in] · w [in, out] + bias [out] in one kernel, for any rank of x (see src/nn/dense.ts). */
export const DENSE_KERNEL = 'AttendDense';

/**
 * softmax(scale · scores) over the last axis with a keep-mask (src/attention/softmax-fused.ts);
 * attrs { heads, queries, maskBatch, maskQueries, scale }.
 */
export const MASKED_SOFTMAX_KERNEL = 'AttendMaskedSoftmax';

/** MASKED_SOFTMAX_KERNEL's attributes: scores [B, H, Q, Tk] read mask rows of [Bm, Qm, Tk]. */
export interface MaskedSoftmaxAttrs {
  heads: number;
  queries: number;
  maskBatch: number;
  maskQueries: number;
  /** Multiplies the scores before the softmax (> 0); 1 where absent. */
  scale: number;
}

/** Backward of any softmax(scale · x) (masked entries have weight 0); attrs { scale }. */
export const SOFTMAX_GRAD_KERNEL = 'AttendSoftmaxGrad';

/** Layer norm over the last axis then gain and bias (src/nn/layer-norm.ts); attrs { epsilon }. */
export const LAYER_NORM_KERNEL = 'AttendLayerNorm';
/** Layer norm's gradient for x, from x, gain and dy; attrs { epsilon }. */
export const LAYER_NORM_GRAD_X_KERNEL = 'AttendLayerNormGradX';
/** The normalised rows alone (no gain or bias), for the gain's gradient; attrs { epsilon }. */
export const LAYER_NORM_NORMALISED_KERNEL = 'AttendLayerNormNormalised';

/**
 * Multi-head attention of one query position, no gradient (decoding): q [B, H, 1, d], k and v
 * [B, H, Tk, d], optional keep [B|1, Tk] -> [context [B, 1, H·d], weights [B, H, 1, Tk]];
 * attrs { scale }. src/attention/step-attention.ts.
 */
export const STEP_ATTENTION_KERNEL = 'AttendStepAttention';

/**
 * Additive attention of one query per item (src/attention/additive-fused.ts): q [B, A], k
 * [B, Tk, A], v [A], optional keep [B, Tk] -> weights [B, Tk]; its gradients for the keys
 * ([B, Tk, A]; the query's is their sum over Tk) and for v ([A]) from the scores' gradient ds.
 */
export const ADDITIVE_WEIGHTS_KERNEL = 'AttendAdditiveWeights';
export const ADDITIVE_KEY_GRAD_KERNEL = 'AttendAdditiveKeyGrad';
export const ADDITIVE_V_GRAD_KERNEL = 'AttendAdditiveVGrad';

/**
 * The LSTM cell's pointwise part (src/nn/lstm-cell.ts), z [B, 4H] the gate pre-activations:
 * c from {z, cPrev}, h from {z, c}, and their gradients for z ([B, 4H]) and for the other input
 * from the output's gradient (dc, dh).
 */
/**
 * The depthwise convolution over time (src/encoders/conv-module.ts): x [B, T, C], w [K, C] ->
 * y [B, T, C]; its gradients for x (from dy and w) and for w (from x and dy).
 */
export const DEPTHWISE_KERNELS = {
  forward: 'AttendDepthwiseConv1d',
  gradX: 'AttendDepthwiseConv1dGradX',
  gradW: 'AttendDepthwiseConv1dGradW',
} as const;

export const LSTM_KERNELS = {
  cell: 'AttendLstmCell',
  cellGradZ: 'AttendLstmCellGradZ',
  cellGradPrev: 'AttendLstmCellGradPrev',
  output: 'AttendLstmOutput',
  outputGradZ: 'AttendLstmOutputGradZ',
  outputGradC: 'AttendLstmOutputGradC',
} as const;
