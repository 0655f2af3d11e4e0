import type { ParamStore } from '../nn/params.js';
import type { tf } from '../runtime/tf.js';
import { hardAttention } from './hard.js';
import { localRestriction } from './local.js';
import { combineMasks, maskedSoftmax } from './masking.js';
import type { AttendInput, AttentionMode, LocalWindow } from './types.js';

/**
 * Scores -> weights, shared by every scorer: the local window (and local-p's Gaussian), the
 * masked softmax, then hard attention if asked for. Scores are [B, Tq, Tk] or [B, H, Tq, Tk];
 * with heads, each samples on its own and the REINFORCE term uses their summed log-probability.
 * `scale` multiplies the scores inside the softmax kernel (dot-product attention's 1/√d).
 */
export function scoresToWeights(
  params: ParamStore,
  options: { local?: LocalWindow | undefined; mode?: AttentionMode | undefined },
  input: AttendInput,
  scores: tf.Tensor,
  step: number,
  scale = 1,
): { weights: tf.Tensor; sampleLogProb?: tf.Tensor2D } {
  const headed = scores.rank === 4;
  const local = options.local
    ? localRestriction(params, options.local, input.query, input.keys.shape[1], step, input.mask)
    : undefined;
  let weights = maskedSoftmax(scores, combineMasks(input.mask, local?.mask), scale);
  if (local?.gaussian)
    weights = weights.mul(headed ? local.gaussian.expandDims(1) : local.gaussian);
  if (options.mode !== 'hard') return { weights };
  const hard = hardAttention(weights, input.training ?? false);
  if (!hard.logProb) return { weights: hard.onehot };
  const logProb = (headed ? hard.logProb.sum(1) : hard.logProb) as tf.Tensor2D;
  return { weights: hard.onehot, sampleLogProb: logProb };
}
