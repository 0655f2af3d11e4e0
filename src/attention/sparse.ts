import { dense } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { checkHeads, mergeHeads, splitHeads } from './heads.js';
import { maskedSoftmax } from './masking.js';
import { buildPattern, type SparsePattern } from './sparse-patterns.js';
import type {
  AttendInput,
  AttendOutput,
  Attention,
  AttentionConfig,
  AttentionState,
} from './types.js';

type SparseConfig = Extract<AttentionConfig, { kind: 'sparse' }>;

/** A pattern laid out for one sequence length: which tokens each query block reads, and the mask. */
interface Layout {
  readonly pattern: SparsePattern;
  readonly block: number;
  readonly blocks: number;
  readonly keysPerBlock: number; // m · block
  readonly gatherIndex: Int32Array; // [blocks · keysPerBlock] positions (in permuted order)
  readonly tokenMask: Float32Array; // [blocks, block, keysPerBlock]
  readonly order?: Int32Array;
  readonly inverse?: Int32Array;
}

function layoutFor(pattern: SparsePattern): Layout {
  const { length, block, keyBlocks, order } = pattern;
  const blocks = keyBlocks.length;
  const m = Math.max(1, ...keyBlocks.map((k) => k.length));
  const keysPerBlock = m * block;
  const gatherIndex = new Int32Array(blocks * keysPerBlock);
  const tokenMask = new Float32Array(blocks * block * keysPerBlock);
  const original = (p: number): number => (order ? order[p]! : p);
  for (let qb = 0; qb < blocks; qb++) {
    const list = keyBlocks[qb]!;
    for (let slot = 0; slot < keysPerBlock; slot++) {
      const kb = list[Math.floor(slot / block)];
      const key = kb === undefined ? -1 : kb * block + (slot % block);
      const real = key >= 0 && key < length;
      gatherIndex[qb * keysPerBlock + slot] = real ? key : 0;
      if (!real) continue;
      for (let i = 0; i < block; i++) {
        const query = qb * block + i;
        if (query < length && pattern.allowed(original(query), original(key))) {
          tokenMask[(qb * block + i) * keysPerBlock + slot] = 1;
        }
      }
    }
  }
  const inverse = order ? new Int32Array(length) : undefined;
  if (order && inverse) {
    order.forEach((token, position) => {
      inverse[token] = position;
    });
  }
  return {
    pattern,
    block,
    blocks,
    keysPerBlock,
    gatherIndex,
    tokenMask,
    ...(order ? { order, inverse } : {}),
  };
}

/**
 * Multi-head self-attention restricted to a sparse pattern (band, dilated, block, random, global,
 * unions), computed block by block: memory grows with T·(keys per block), not T². Same parameter
 * names as multi-head, so the two are interchangeable on one ParamStore. Its weights come back in
 * the blocked layout [B, H, blocks, block, keysPerBlock]; `sparseWeightsToDense` expands them.
 */
export class SparseAttention implements Attention {
  readonly kind = 'sparse' as const;
  readonly contextDim: number;
  private readonly layouts = new Map<number, Layout>();

  constructor(
    private readonly config: SparseConfig,
    private readonly params: ParamStore,
  ) {
    checkHeads(config.dim, config.heads);
    this.contextDim = config.dim;
  }

  layout(length: number): Layout {
    let layout = this.layouts.get(length);
    if (!layout) {
      layout = layoutFor(buildPattern(this.config.pattern, length));
      this.layouts.set(length, layout);
    }
    return layout;
  }

  initState(): AttentionState {
    return { step: 0 };
  }

  attend(input: AttendInput): AttendOutput {
    const { heads, dim } = this.config;
    const [batch, length] = input.query.shape;
    if (input.keys.shape[1] !== length)
      throw new Error('sparse attention is self-attention: Tq must equal Tk');
    const layout = this.layout(length);
    const { block, blocks, keysPerBlock } = layout;
    const padded = blocks * block;
    const d = dim / heads;
    const reorder = (x: tf.Tensor): tf.Tensor => (layout.order ? tf.gather(x, layout.order, 2) : x);
    const pad = (x: tf.Tensor): tf.Tensor =>
      padded > length
        ? tf.pad(x, [
            [0, 0],
            [0, 0],
            [0, padded - length],
            [0, 0],
          ])
        : x;
    const project = (x: tf.Tensor3D, name: string) =>
      pad(reorder(splitHeads(dense(this.params, x, dim, { name }), heads)));
    const q = project(input.query, 'wq').reshape([batch, heads, blocks, block, d]);
    const gathered = (x: tf.Tensor) =>
      tf.gather(x, layout.gatherIndex, 2).reshape([batch, heads, blocks, keysPerBlock, d]);
    const k = gathered(project(input.keys, 'wk'));
    const v = gathered(project(input.values, 'wv'));
    const scores = tf.matMul(q, k, false, true); // [B, H, nb, b, m·b]
    // The keep-mask as [1 | B, nb·b, m·b]: the pattern's, times each item's padding of the keys.
    let keep: tf.Tensor = tf.tensor(layout.tokenMask, [1, padded, keysPerBlock]);
    if (input.mask) {
      if (input.mask.rank !== 2) throw new Error('sparse attention takes a [B, T] padding mask');
      const keyMask = input.mask.toFloat().expandDims(1).expandDims(1) as tf.Tensor4D; // [B,1,1,T]
      const reordered = layout.order ? tf.gather(keyMask, layout.order, 3) : keyMask;
      const padMask = tf.pad(reordered, [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, padded - length],
      ]);
      const perBlock = tf
        .gather(padMask, layout.gatherIndex, 3)
        .reshape([batch, blocks, 1, keysPerBlock]);
      keep = keep
        .reshape([1, blocks, block, keysPerBlock])
        .mul(perBlock)
        .reshape([batch, padded, keysPerBlock]);
    }
    // Blocks' rows as one query axis: the fused masked softmax (1/√d folded in, rows with no key
    // kept all zero) in place of five tfjs ops forward and as many backward.
    const weights = maskedSoftmax(
      scores.reshape([batch, heads, padded, keysPerBlock]),
      keep,
      1 / Math.sqrt(d),
    ).reshape([batch, heads, blocks, block, keysPerBlock]);
    let context: tf.Tensor = tf.matMul(weights, v).reshape([batch, heads, padded, d]);
    if (padded > length) context = context.slice([0, 0, 0, 0], [batch, heads, length, d]);
    if (layout.inverse) context = tf.gather(context, layout.inverse, 2);
    const output = dense(this.params, mergeHeads(context), dim, { name: 'wo' }) as tf.Tensor3D;
    return {
      context: output,
      weights: weights as tf.Tensor4D,
      state: { step: (input.state?.step ?? 0) + length },
    };
  }
}

/** Blocked sparse weights [B, H, nb, b, m·b] -> dense [B, H, T, T] (for pictures and tests). */
export function sparseWeightsToDense(
  attention: SparseAttention,
  weights: tf.Tensor,
  length: number,
): tf.Tensor4D {
  const layout = attention.layout(length);
  const [batch, heads] = weights.shape as [number, number];
  const values = weights.dataSync();
  const out = new Float32Array(batch * heads * length * length);
  const { block, blocks, keysPerBlock, gatherIndex, order } = layout;
  const original = (p: number): number => (order ? order[p]! : p);
  for (let bh = 0; bh < batch * heads; bh++) {
    for (let qb = 0; qb < blocks; qb++) {
      for (let i = 0; i < block; i++) {
        const query = qb * block + i;
        if (query >= length) continue;
        for (let slot = 0; slot < keysPerBlock; slot++) {
          const w = values[((bh * blocks + qb) * block + i) * keysPerBlock + slot]!;
          if (w === 0) continue;
          const key = gatherIndex[qb * keysPerBlock + slot]!;
          const index = (bh * length + original(query)) * length + original(key);
          out[index] = out[index]! + w;
        }
      }
    }
  }
  return tf.tensor4d(out, [batch, heads, length, length]);
}
