import { attentionBlock, encoderLayer, lstmBlock } from './src/bench/blocks.js';
import { selectBackend } from './src/runtime/select.js';
import { tf } from './src/runtime/tf.js';

await selectBackend({ backend: process.env.B ?? 'native' });
const which = process.env.W ?? 'attn';
const w = which === 'attn' ? attentionBlock() : which === 'enc' ? encoderLayer() : lstmBlock();
w.step();
w.step();
const info = await tf.profile(() => {
  w.step();
});
const by = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  if (k.name !== (process.env.K ?? 'BatchMatMul')) continue;
  const key = `${k.inputShapes.map((s) => `[${s}]`).join('x')} ${JSON.stringify(k.extraInfo ?? '')}`;
  const e = by.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number;
  e.n++;
  by.set(key, e);
}
for (const [name, v] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms))
  console.log(name.padEnd(50), v.ms.toFixed(1).padStart(8), v.n);
