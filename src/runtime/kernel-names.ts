/** Names of kernels attend registers itself (backends implement them; src/nn uses them). */

/** x [..., in] · w [in, out] + bias [out] in one kernel, for any rank of x (see src/nn/dense.ts). */
export const DENSE_KERNEL = 'AttendDense';
