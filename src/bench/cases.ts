import type { BackendId } from '../runtime/candidates.js';
import { ASR_CASES } from './asr-cases.js';
import { ATTENTION_CASES } from './attention-cases.js';
import { BATCH_CASES } from './batch-cases.js';
import {
  attentionBlock,
  convBlock,
  dispatchChain,
  encoderLayer,
  lstmBlock,
  matMulBlock,
  type Workload,
} from './blocks.js';
import { CAPTION_CASES } from './caption-cases.js';
import { QUEUE_CASES } from './queue-cases.js';
import { SERVE_CASES } from './serve-cases.js';

export type Unit = 'GFLOP/s' | 'ms' | 'µs' | 'bytes' | 'utt/s' | 'items/s' | 'RTF';

/** One micro-benchmark. Names are stable: they are how regressions are seen across runs. */
export interface BenchCase {
  readonly name: string;
  readonly unit: Unit;
  /** Floating-point operations of one step (for GFLOP/s rows). */
  readonly flops?: number;
  /** Items one step processes (for utt/s rows). */
  readonly items?: number;
  /** Why this case is not run on a backend by default, if it is not. */
  readonly skip?: (backend: BackendId, full: boolean) => string | undefined;
  /** 'time' (default): median time of a step; 'peak-bytes': peak tf.memory().numBytes during one. */
  readonly measure?: 'time' | 'peak-bytes';
  readonly create: () => Workload;
}

const matmulFlops = (n: number): number => 2 * n ** 3;

/** Cases that take minutes on the pure-JS backend run there only with --full. */
const slowOnCpu =
  (estimate: string) =>
  (backend: BackendId, full: boolean): string | undefined =>
    backend === 'cpu' && !full ? `about ${estimate} on cpu; run with --full` : undefined;

export const BENCH_CASES: readonly BenchCase[] = [
  ...[256, 512, 1024].map(
    (n): BenchCase => ({
      name: `matmul/${n}`,
      unit: 'GFLOP/s',
      flops: matmulFlops(n),
      create: () => matMulBlock(n, false),
    }),
  ),
  {
    name: 'matmul-bt/1024',
    unit: 'GFLOP/s',
    flops: matmulFlops(1024),
    create: () => matMulBlock(1024, true),
  },
  {
    // What one kernel launch costs where the work is tiny: on a GPU, a dispatch. Training steps
    // are thousands of kernels, so this bounds a GPU step from below.
    name: 'dispatch/add-relu/per-kernel',
    unit: 'µs',
    create: () => dispatchChain(),
  },
  {
    name: 'attention-block/fwd+bwd',
    unit: 'ms',
    skip: slowOnCpu('4 s a step'),
    create: () => attentionBlock(),
  },
  {
    name: 'encoder-layer/fwd+bwd',
    unit: 'ms',
    skip: slowOnCpu('10 s a step'),
    create: () => encoderLayer(),
  },
  {
    name: 'conv2d/fwd+bwd',
    unit: 'ms',
    skip: slowOnCpu('2 min a step'),
    create: () => convBlock(),
  },
  {
    name: 'lstm/fwd+bwd',
    unit: 'ms',
    skip: slowOnCpu('7 s a step'),
    create: () => lstmBlock(),
  },
  ...ATTENTION_CASES,
  ...ASR_CASES,
  ...CAPTION_CASES,
  ...BATCH_CASES,
  ...QUEUE_CASES,
  ...SERVE_CASES,
];
