import { BENCH_CASES } from './src/bench/cases.js';
import { initRuntime } from './src/runtime/select.js';

await initRuntime({ backend: 'webgpu' });
const w = BENCH_CASES.find((c) => c.name === process.argv[2])!.create();
await w.step();
const t = performance.now();
for (let i = 0; i < 3; i++) await w.step();
console.log('step ms', (performance.now() - t) / 3);
process.exit(0);
