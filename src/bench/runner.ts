import type { BackendId } from '../runtime/candidates.js';
import { loadAddon } from '../runtime/native/addon.js';
import { tf } from '../runtime/tf.js';
import type { BenchCase, Unit } from './cases.js';

/** One line of `attend bench --json`. value is null when the case did not run (see note). */
export interface BenchRow {
  readonly name: string;
  readonly backend: string;
  readonly value: number | null;
  readonly unit: Unit;
  readonly note?: string;
}

export interface RunOptions {
  /** Keep repeating a step until this much time was spent on it (after one warm-up). */
  readonly minSeconds?: number;
  readonly maxReps?: number;
  readonly full?: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median seconds of one call of step, after a warm-up call. */
export async function timeStep(
  step: () => void | Promise<void>,
  options: RunOptions = {},
): Promise<number> {
  const minSeconds = options.minSeconds ?? 1;
  const maxReps = options.maxReps ?? 10;
  const warmStart = performance.now();
  await step();
  const warm = (performance.now() - warmStart) / 1000;
  const times: number[] = [];
  let spent = 0;
  // A step slower than the budget is measured once more; fast ones get up to maxReps samples.
  while (times.length < 1 || (spent < minSeconds && times.length < maxReps && warm < minSeconds)) {
    const start = performance.now();
    await step();
    const seconds = (performance.now() - start) / 1000;
    times.push(seconds);
    spent += seconds;
  }
  return median(times);
}

/** Peak of tf.memory().numBytes while one step runs (after a warm-up step). */
async function peakBytes(step: () => void | Promise<void>): Promise<number> {
  await step();
  const info = await tf.profile(async () => {
    await step();
  });
  return info.peakBytes;
}

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** Runs one case on the current tfjs backend. */
export async function runCase(
  bench: BenchCase,
  backend: BackendId,
  options: RunOptions = {},
): Promise<BenchRow> {
  const base = { name: bench.name, backend, unit: bench.unit };
  const skipped = bench.skip?.(backend, options.full ?? false);
  if (skipped) return { ...base, value: null, note: `skipped: ${skipped}` };
  let workload: ReturnType<BenchCase['create']> | undefined;
  try {
    workload = bench.create();
    if (bench.measure === 'peak-bytes') return { ...base, value: await peakBytes(workload.step) };
    const seconds = await timeStep(workload.step, options);
    const value = workload.value
      ? workload.value(seconds)
      : bench.unit === 'ms'
        ? seconds * 1000
        : bench.unit === 'utt/s' || bench.unit === 'items/s'
          ? (bench.items ?? 1) / seconds
          : (bench.flops ?? 0) / seconds / 1e9;
    return { ...base, value };
  } catch (error) {
    return { ...base, value: null, note: `failed: ${firstLine(error)}` };
  } finally {
    try {
      workload?.dispose();
    } catch {
      // A half-built workload may not dispose cleanly; the row already says what failed.
    }
  }
}

/** OpenBLAS sgemm on 1024³ called directly: the ceiling the native matMul rows compare with. */
export async function sgemmCeiling(options: RunOptions = {}): Promise<BenchRow> {
  const base = { name: 'sgemm-ceiling/1024', backend: 'openblas', unit: 'GFLOP/s' as const };
  let addon: ReturnType<typeof loadAddon>;
  try {
    addon = loadAddon();
  } catch (error) {
    return { ...base, value: null, note: `skipped: ${firstLine(error)}` };
  }
  const n = 1024;
  const a = Float32Array.from({ length: n * n }, () => Math.random());
  const b = Float32Array.from({ length: n * n }, () => Math.random());
  const out = new Float32Array(n * n);
  const offsets = new Int32Array(1);
  const seconds = await timeStep(
    () => addon.batchMatMul(a, b, out, offsets, offsets, n, n, n, 0, 0),
    options,
  );
  return { ...base, value: (2 * n ** 3) / seconds / 1e9 };
}

/** What runBench reports as it goes, and how it is told to stop early. */
export interface BenchProgress {
  /** A case is about to run: its position among all (1-based) and the total. */
  readonly onStart?: (name: string, backend: BackendId, position: number, total: number) => void;
  readonly onRow?: (row: BenchRow) => void;
  /** Checked between cases: true stops the run (what finished is returned). */
  readonly stopped?: () => boolean;
}

/** Runs every case on every backend given (each made current in turn). */
export async function runBench(
  cases: readonly BenchCase[],
  backends: readonly { id: BackendId; tfName: string }[],
  options: RunOptions & BenchProgress = {},
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const total = cases.length * backends.length;
  for (const backend of backends) {
    await tf.setBackend(backend.tfName);
    for (const bench of cases) {
      // Cases are synchronous: yield to the event loop so a Ctrl-C handler can run between them.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.stopped?.()) return rows;
      options.onStart?.(bench.name, backend.id, rows.length + 1, total);
      const row = await runCase(bench, backend.id, options);
      rows.push(row);
      options.onRow?.(row);
    }
  }
  return rows;
}
