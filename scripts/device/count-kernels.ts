/**
 * Kernels one training step launches, by name (Reshape and Identity excluded: no dispatch), for
 * the bench workloads named on the command line, on ATTEND_BACKEND. Where a step's kernel count
 * comes from, to decide what to fuse next:
 *   npx tsx scripts/device/count-kernels.ts caption/train-small/img-per-s
 * TRACE_KERNEL=Cast adds where that kernel is called from. A kernel call is not always a GPU
 * dispatch: on webgpu a Cast to the same dtype, ExpandDims and Squeeze only relabel a buffer.
 */
import { BENCH_CASES } from '../../src/bench/cases.js';
import { initRuntime } from '../../src/runtime/select.js';
import { recordKernelCalls } from './kernel-calls.js';

await initRuntime();
for (const name of process.argv.slice(2)) {
  const bench = BENCH_CASES.find((c) => c.name === name);
  if (!bench) throw new Error(`no bench case ${name}`);
  const workload = bench.create();
  await workload.step();
  const counts = new Map<string, number>();
  const sites = new Map<string, number>();
  await recordKernelCalls(workload.step, (kernel) => {
    counts.set(kernel, (counts.get(kernel) ?? 0) + 1);
    if (kernel !== process.env.TRACE_KERNEL) return;
    const site = (new Error().stack ?? '')
      .split('\n')
      .filter(
        (l) =>
          l.includes('/src/') &&
          !l.includes('engine.ts') &&
          !l.includes('operation.ts') &&
          !l.includes('cast.ts'),
      )
      .slice(0, 3)
      .join(' <- ');
    sites.set(site, (sites.get(site) ?? 0) + 1);
  });
  workload.dispose();
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`${name}: ${total} kernels`);
  for (const [kernel, count] of [...counts].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(count).padStart(5)}  ${kernel}`);
  for (const [site, count] of [...sites].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(count).padStart(5)}  ${site}`);
}
process.exit(0);
