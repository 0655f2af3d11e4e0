/** Names of kernels attend registers itself (backends implement them; src/nn uses them). */

/** x [..., in] · w [in, out] + bias [out] in one kernel, for any rank of x (see src/nn/dense.ts). */
export const DENSE_KERNEL = 'AttendDense';

/**
 * softmax(scale · scores) over the last axis with a keep-mask (src/attention/softmax-fused.ts);
 * attrs { heads, queries, maskBatch, maskQueries, scale }.
 */
export const MASKED_SOFTMAX_KERNEL = 'AttendMaskedSoftmax';

/** Backward of any softmax(scale · x) (masked entries have weight 0); attrs { scale }. */
export const SOFTMAX_GRAD_KERNEL = 'AttendSoftmaxGrad';
