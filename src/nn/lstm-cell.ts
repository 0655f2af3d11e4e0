import { LSTM_KERNELS } from '../runtime/kernel-names.js';
import { tf } from '../runtime/tf.js';
import {
  ElementwiseProgram,
  hasKernel,
  registerWebGpuKernel,
  runKernel,
  runProgram,
} from '../runtime/webgpu-kernels.js';

/**
 * The LSTM cell's pointwise part: from the gate pre-activations z = [i | f | g | o] ([B, 4H], the
 * forget gate's bias offset +1 added here) and the previous cell c₋ ([B, H]):
 *   c = σ(f + 1)·c₋ + σ(i)·tanh(g),   h = σ(o)·tanh(c).
 * As tfjs ops that is ~12 kernels forward and ~25 backward per step; a recurrent caption decoder
 * runs it once per token, and on a GPU each kernel costs a dispatch (~44 µs of host time on an
 * H100 whatever its size). On webgpu and native it is two kernels forward and four backward (the
 * WGSL below; native/src/lstm.c); elsewhere the tfjs ops, which compute the same values.
 */
export function lstmPointwise(
  z: tf.Tensor2D,
  cPrev: tf.Tensor2D,
): { c: tf.Tensor2D; h: tf.Tensor2D } {
  if (!hasKernel(CELL)) return composite(z, cPrev);
  const c = cellState(z, cPrev) as tf.Tensor2D;
  return { c, h: cellOutput(z, c) as tf.Tensor2D };
}

function composite(z: tf.Tensor2D, cPrev: tf.Tensor2D): { c: tf.Tensor2D; h: tf.Tensor2D } {
  const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const c = tf
    .sigmoid(f.add(1))
    .mul(cPrev)
    .add(tf.sigmoid(i).mul(tf.tanh(g))) as tf.Tensor2D;
  return { c, h: tf.sigmoid(o).mul(tf.tanh(c)) as tf.Tensor2D };
}

const {
  cell: CELL,
  cellGradZ: CELL_GRAD_Z,
  cellGradPrev: CELL_GRAD_PREV,
  output: OUT,
  outputGradZ: OUT_GRAD_Z,
  outputGradC: OUT_GRAD_C,
} = LSTM_KERNELS;

/**
 * A pointwise op of z and one other [B, H] input (`other`): our forward kernel, and a kernel for
 * each input's gradient given the output's (`dy`).
 */
function pointwiseOp(forward: string, gradZ: string, gradOther: string, other: string, dy: string) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [z, second, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([z, second]);
    return {
      value: runKernel(forward, { z, [other]: second }),
      gradFunc: (d, saved) => {
        const [zs, seconds] = saved as [tf.Tensor, tf.Tensor];
        const inputs = { z: zs, [other]: seconds, [dy]: d as tf.Tensor };
        return [runKernel(gradZ, inputs), runKernel(gradOther, inputs)];
      },
    };
  });
}

const cellState = pointwiseOp(CELL, CELL_GRAD_Z, CELL_GRAD_PREV, 'cPrev', 'dc');
const cellOutput = pointwiseOp(OUT, OUT_GRAD_Z, OUT_GRAD_C, 'c', 'dh');

// WGSL bodies. `H` is the cell width; for [B, H] outputs `e` is the element and `base` the start
// of its row of z; for [B, 4H] outputs `gate` (0..3 for i, f, g, o) and `e` the matching [B, H]
// element.
const perCell = `
  let H = uniforms.zShape[1] / 4;
  let base = (index / H) * 4 * H + index % H;
  let e = index;`;
const perGate = `
  let H = uniforms.zShape[1] / 4;
  let gate = (index % (4 * H)) / H;
  let e = (index / (4 * H)) * H + index % H;
  let base = (index / (4 * H)) * 4 * H + index % H;`;
const gates = `
  let si = attendSigmoid(z[base]);
  let sf = attendSigmoid(z[base + H] + 1.0);
  let tg = attendTanh(z[base + 2 * H]);
  let so = attendSigmoid(z[base + 3 * H]);`;

const KERNELS: [name: string, inputs: string[], outputWidth: 'cell' | 'gates', body: string][] = [
  [CELL, ['z', 'cPrev'], 'cell', `${perCell}${gates} result[index] = sf * cPrev[e] + si * tg;`],
  [OUT, ['z', 'c'], 'cell', `${perCell}${gates} result[index] = so * attendTanh(c[e]);`],
  [
    CELL_GRAD_Z,
    ['z', 'cPrev', 'dc'],
    'gates',
    `${perGate}${gates}
     let d = dc[e];
     var grad = 0.0;
     if (gate == 0) { grad = d * tg * si * (1.0 - si); }
     else if (gate == 1) { grad = d * cPrev[e] * sf * (1.0 - sf); }
     else if (gate == 2) { grad = d * si * (1.0 - tg * tg); }
     result[index] = grad;`,
  ],
  [CELL_GRAD_PREV, ['z', 'dc'], 'cell', `${perCell}${gates} result[index] = dc[e] * sf;`],
  [
    OUT_GRAD_Z,
    ['z', 'c', 'dh'],
    'gates',
    `${perGate}${gates}
     result[index] = select(0.0, dh[e] * attendTanh(c[e]) * so * (1.0 - so), gate == 3);`,
  ],
  [
    OUT_GRAD_C,
    ['z', 'c', 'dh'],
    'cell',
    `${perCell}${gates}
     let tc = attendTanh(c[e]);
     result[index] = dh[e] * so * (1.0 - tc * tc);`,
  ],
];

for (const [name, inputNames, outputWidth, body] of KERNELS) {
  registerWebGpuKernel(name, ({ backend, inputs }) => {
    const tensors = inputNames.map((input) => inputs[input]!);
    const [batch, width] = tensors[0]!.shape as [number, number];
    const outputShape = [batch, outputWidth === 'gates' ? width : width / 4];
    const program = new ElementwiseProgram(name, inputNames, outputShape, body);
    return runProgram(backend, program, tensors);
  });
}
