/**
 * Where a training step's time goes on the current backend (run on the GPU machine, bundled by
 * build.sh as .gpu/profile.mjs): for each bench workload named on the command line, the wall time
 * of a step, its kernel count (Reshape and Identity excluded: no dispatch), and from tf.time the time the
 * device spent in kernels. Wall minus kernel time is what launching the kernels costs the host.
 * With WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE in PROFILE_SUBMIT_BATCHES (e.g. "15,64"), each workload
 * is timed once per value (tfjs submits its queued dispatches every that many).
 *   node .gpu/profile.mjs 'asr/train-small-b32/utt-per-s' 'caption/train-small/img-per-s'
 */
import { BENCH_CASES } from '../../src/bench/cases.js';
import { initRuntime } from '../../src/runtime/select.js';
import { tf } from '../../src/runtime/tf.js';
import { bindGroupCacheStats } from '../../src/runtime/webgpu-bind-groups.js';
import { recordKernelCalls } from './kernel-calls.js';

const report = await initRuntime();
const submitBatches = (process.env.PROFILE_SUBMIT_BATCHES ?? '')
  .split(',')
  .filter(Boolean)
  .map(Number);

/** Kernels one call of `step` launches. */
async function countKernels(step: () => void | Promise<void>): Promise<number> {
  let kernels = 0;
  await recordKernelCalls(step, () => {
    kernels++;
  });
  return kernels;
}

/** The kernels that take the most device time in one step, summed by kernel name. */
async function topKernels(name: string, step: () => void | Promise<void>, count: number) {
  const profile = await tf.profile(async () => {
    await step();
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const kernel of profile.kernels) {
    const ms = await kernel.kernelTimeMs;
    const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof ms === 'number' ? ms : 0;
    entry.calls++;
    byKernel.set(kernel.name, entry);
  }
  const top = [...byKernel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, count)
    .map(([kernel, { ms, calls }]) => ({ kernel, ms: +ms.toFixed(2), calls }));
  console.log(JSON.stringify({ name, top }));
}

async function wallSeconds(step: () => void | Promise<void>, reps: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await step();
    times.push((performance.now() - start) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

for (const name of process.argv.slice(2)) {
  const bench = BENCH_CASES.find((c) => c.name === name);
  if (!bench) {
    console.log(JSON.stringify({ name, error: 'no such bench case' }));
    continue;
  }
  const workload = bench.create();
  try {
    await workload.step(); // compiles the shaders
    const kernels = await countKernels(workload.step);
    for (const batch of submitBatches.length ? submitBatches : [undefined]) {
      if (batch !== undefined) tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', batch);
      await workload.step();
      const before = bindGroupCacheStats();
      const wall = await wallSeconds(workload.step, 5);
      const after = bindGroupCacheStats();
      // tf.time takes a synchronous function: every bench step of a training workload is one.
      const timing = await tf.time(() => {
        void workload.step();
      });
      console.log(
        JSON.stringify({
          name,
          backend: report.backend,
          submitBatch: batch ?? null,
          wallMs: +(wall * 1000).toFixed(1),
          kernels,
          usPerKernel: +((wall * 1e6) / kernels).toFixed(1),
          kernelMs:
            typeof timing.kernelMs === 'number'
              ? +timing.kernelMs.toFixed(1)
              : timing.kernelMs.error,
          timedWallMs: +timing.wallMs.toFixed(1),
          bindGroupHits: after.hits - before.hits,
          bindGroupMisses: after.misses - before.misses,
          items: bench.items ?? null,
          itemsPerS: bench.items ? +(bench.items / wall).toFixed(1) : null,
        }),
      );
    }
    if (process.env.PROFILE_TOP)
      await topKernels(name, workload.step, Number(process.env.PROFILE_TOP));
  } finally {
    workload.dispose();
  }
}
process.exit(0);
