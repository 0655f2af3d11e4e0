// Small building blocks on plain tensors: the models own their variables through ParamStore.
import { tf } from '../runtime/tf.js';
import { denseKernel } from './dense.js';
import { fusedLayerNorm } from './layer-norm.js';
import { lstmPointwise } from './lstm-cell.js';
import type { ParamStore } from './params.js';

/** x [..., inDim] · W [inDim, outDim] (+ b), for any rank (flattened to one matMul). */
export function dense(
  params: ParamStore,
  x: tf.Tensor,
  outDim: number,
  options: { bias?: boolean; name?: string } = {},
): tf.Tensor {
  const inDim = x.shape.at(-1)!;
  const name = options.name ?? 'dense';
  const w = params.get(`${name}/w`, [inDim, outDim]);
  if (options.bias !== false) {
    const one = denseKernel(x, w, params.get(`${name}/b`, [outDim], 'zeros'));
    if (one) return one;
  }
  const flat = (x.rank === 2 ? x : x.reshape([-1, inDim])) as tf.Tensor2D;
  // One fused kernel for matMul + bias (a decoder step runs dozens of these).
  const y =
    options.bias === false
      ? tf.matMul(flat, w as tf.Tensor2D)
      : tf.fused.matMul({
          a: flat,
          b: w as tf.Tensor2D,
          bias: params.get(`${name}/b`, [outDim], 'zeros'),
        });
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), outDim]);
}

/** Layer normalisation over the last axis with learned gain and bias. */
export function layerNorm(
  params: ParamStore,
  x: tf.Tensor,
  name = 'norm',
  epsilon = 1e-5,
): tf.Tensor {
  const dim = x.shape.at(-1)!;
  const gain = params.get(`${name}/gain`, [dim], 'ones');
  const bias = params.get(`${name}/bias`, [dim], 'zeros');
  return fusedLayerNorm(x, gain, bias, epsilon);
}

/** Token ids [...] -> vectors [..., dim]. */
export function embed(
  params: ParamStore,
  ids: tf.Tensor,
  vocabSize: number,
  dim: number,
  name = 'embedding',
): tf.Tensor {
  const table = params.get(name, [vocabSize, dim], 'normal');
  const flat = ids.reshape([-1]).toInt();
  return tf.gather(table, flat).reshape([...ids.shape, dim]);
}

export type LstmState = {
  readonly h: tf.Tensor2D; // [B, H]
  readonly c: tf.Tensor2D; // [B, H]
};

/**
 * One LSTM step: all four gates from a single matMul of [x; h]. Forget-gate bias starts at 1.
 * `x` may be given in parts ([embedding, context]), concatenated once with h.
 */
export function lstmCell(
  params: ParamStore,
  x: tf.Tensor2D | readonly tf.Tensor2D[],
  state: LstmState,
  units: number,
  name = 'lstm',
): LstmState {
  const parts = Array.isArray(x) ? x : [x as tf.Tensor2D];
  const inDim = parts.reduce((sum, part) => sum + part.shape[1], units);
  const w = params.get(`${name}/w`, [inDim, 4 * units]);
  const b = params.get(`${name}/b`, [4 * units], 'zeros');
  // One fused matMul + bias for all four gates; the pointwise rest is lstmPointwise.
  const z = tf.fused.matMul({
    a: tf.concat([...parts, state.h], 1) as tf.Tensor2D,
    b: w as tf.Tensor2D,
    bias: b,
  }) as tf.Tensor2D; // [B, 4H]
  return lstmPointwise(z, state.c);
}

export function zeroLstmState(batch: number, units: number): LstmState {
  return { h: tf.zeros([batch, units]), c: tf.zeros([batch, units]) };
}

/** Rows computed so far, by dim: a decoder step asks for one position at a time. */
const encodingRows = new Map<number, Float32Array>();
/** Positions kept per dim (a few MB); longer requests are computed and not kept. */
const MAX_CACHED_POSITIONS = 8192;

function encodingRow(values: Float32Array, p: number, dim: number): void {
  for (let i = 0; i < dim; i++) {
    const angle = p / 10000 ** ((2 * Math.floor(i / 2)) / dim);
    values[i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
  }
}

/** Sinusoidal position encodings [length, dim] starting at `offset` (Vaswani et al.). */
export function positionalEncoding(length: number, dim: number, offset = 0): tf.Tensor2D {
  const end = offset + length;
  if (end > MAX_CACHED_POSITIONS) {
    const values = new Float32Array(length * dim);
    for (let p = 0; p < length; p++)
      encodingRow(values.subarray(p * dim, (p + 1) * dim), p + offset, dim);
    return tf.tensor2d(values, [length, dim]);
  }
  let table = encodingRows.get(dim);
  if (!table || table.length < end * dim) {
    const known = table ? table.length / dim : 0;
    const positions = Math.min(MAX_CACHED_POSITIONS, Math.max(end, 2 * known, 256));
    const grown = new Float32Array(positions * dim);
    if (table) grown.set(table);
    for (let p = known; p < grown.length / dim; p++)
      encodingRow(grown.subarray(p * dim, (p + 1) * dim), p, dim);
    table = grown;
    encodingRows.set(dim, table);
  }
  // A copy: tfjs keeps the array it is given.
  return tf.tensor2d(table.slice(offset * dim, end * dim), [length, dim]);
}
