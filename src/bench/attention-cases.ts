import { createAttention } from '../attention/registry.js';
import type { AttentionConfig } from '../attention/types.js';
import { ParamStore } from '../nn/params.js';
import type { BackendId } from '../runtime/candidates.js';
import { tf } from '../runtime/tf.js';
import type { Workload } from './blocks.js';
import type { BenchCase } from './cases.js';

const DIM = 256;
const HEADS = 4;

/** The self-attention kinds compared across lengths (d 256, 4 heads, batch 1). */
export const ATTENTION_KINDS: Record<string, AttentionConfig> = {
  full: { kind: 'multi-head', heads: HEADS, dim: DIM },
  band: { kind: 'sparse', heads: HEADS, dim: DIM, pattern: { type: 'band', width: 64 } },
  block: { kind: 'sparse', heads: HEADS, dim: DIM, pattern: { type: 'block', block: 64 } },
  dilated: {
    kind: 'sparse',
    heads: HEADS,
    dim: DIM,
    pattern: { type: 'dilated', width: 32, dilation: 2 },
  },
  linear: { kind: 'linear', heads: HEADS, dim: DIM },
};

export const ATTENTION_LENGTHS = [256, 1024, 4096, 16384];

/** Self-attention forward+backward over x [1, n, 256] for one kind, through src/attention. */
export function selfAttentionWorkload(config: AttentionConfig, n: number): Workload {
  const params = new ParamStore();
  const attention = createAttention(config, { query: DIM, key: DIM, value: DIM }, params);
  const x = tf.randomNormal([1, n, DIM], 0, 1, 'float32', 1) as tf.Tensor3D;
  const loss = () =>
    attention.attend({ query: x, keys: x, values: x }).context.square().mean() as tf.Scalar;
  tf.tidy(() => {
    loss(); // creates the parameters
  });
  return {
    step: () => {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, params.list());
        value.dataSync();
        for (const grad of Object.values(grads)) grad.dataSync();
      });
    },
    dispose: () => {
      x.dispose();
      params.dispose();
    },
  };
}

/** Full attention keeps about six [H, n, n] float tensors alive in its backward pass. */
const fullAttentionBytes = (n: number): number => 6 * HEADS * n * n * 4;
const MAX_BYTES = 8 * 2 ** 30;

function skipFor(kind: string, n: number) {
  return (backend: BackendId, full: boolean): string | undefined => {
    if (kind === 'full' && fullAttentionBytes(n) > MAX_BYTES) {
      return `does not fit: full attention at n=${n} needs about ${(fullAttentionBytes(n) / 2 ** 30).toFixed(0)} GiB`;
    }
    if (
      backend !== 'native' &&
      backend !== 'tensorflow' &&
      backend !== 'tensorflow-gpu' &&
      backend !== 'webgpu' &&
      n > 256 &&
      !full
    ) {
      return 'minutes on this backend; run with --full';
    }
    return undefined;
  };
}

export const ATTENTION_CASES: BenchCase[] = Object.entries(ATTENTION_KINDS).flatMap(
  ([kind, config]) =>
    ATTENTION_LENGTHS.flatMap((n): BenchCase[] => [
      {
        name: `attention/${kind}/n=${n}/ms`,
        unit: 'ms',
        skip: skipFor(kind, n),
        create: () => selfAttentionWorkload(config, n),
      },
      {
        name: `attention/${kind}/n=${n}/peak-bytes`,
        unit: 'bytes',
        measure: 'peak-bytes',
        skip: skipFor(kind, n),
        create: () => selfAttentionWorkload(config, n),
      },
    ]),
);
