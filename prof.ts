import { attentionBlock, encoderLayer, lstmBlock } from './src/bench/blocks.js';
import { selectBackend } from './src/runtime/select.js';
import { tf } from './src/runtime/tf.js';

await selectBackend({ backend: process.env.B ?? 'native' });
const which = process.env.W ?? 'attn';
const w = which === 'attn' ? attentionBlock() : which === 'enc' ? encoderLayer() : lstmBlock();
w.step();
const info = await tf.profile(() => {
  w.step();
});
const by = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const ms =
    typeof k.kernelTimeMs === 'number'
      ? k.kernelTimeMs
      : (k.kernelTimeMs as { error: string })
        ? 0
        : 0;
  const e = by.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += ms;
  e.n++;
  by.set(k.name, e);
}
const rows = [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
let total = 0;
for (const [, v] of by) total += v.ms;
console.log('total kernel ms', total.toFixed(0));
for (const [name, v] of rows) console.log(name.padEnd(24), v.ms.toFixed(1).padStart(8), v.n);
const t0 = performance.now();
w.step();
console.log('step ms', (performance.now() - t0).toFixed(0));
