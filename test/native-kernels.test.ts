import { beforeAll, describe, expect, it } from 'vitest';
import { additiveWeights } from '../src/attention/additive-fused.js';
import { fusedMaskedSoftmax } from '../src/attention/softmax-fused.js';
import { depthwiseConv1d } from '../src/encoders/conv-module.js';
import { denseKernel } from '../src/nn/dense.js';
import { fusedLayerNorm } from '../src/nn/layer-norm.js';
import { lstmPointwise } from '../src/nn/lstm-cell.js';
import { tf } from '../src/runtime/tf.js';
import {
  nativeUnavailableReason,
  on,
  randomArray,
  relativeError,
  UNDER_TEST,
} from './helpers/backends.js';

// Exactness of a backend's kernels (native by default; ATTEND_BACKEND=webgpu etc. for another) against
// the pure-JS cpu backend, gradients included.
const TESTED = UNDER_TEST.tfName;
let reason: string | undefined;
beforeAll(async () => {
  reason = await nativeUnavailableReason();
  if (reason && process.env.ATTEND_REQUIRE_NATIVE === '1') throw new Error(reason);
});

// GPU kernels sum in other orders (and some in half-precision intermediates): a looser bound there.
const TOLERANCE = TESTED === 'native' ? 1e-4 : 1e-3;

/** Evaluates f on `native` and on `cpu` from the same inputs; returns every output as arrays. */
async function compare(
  shapes: number[][],
  f: (...inputs: tf.Tensor[]) => tf.Tensor[],
  seed = 1,
): Promise<void> {
  const data = shapes.map((shape, i) =>
    randomArray(
      shape.reduce((a, b) => a * b, 1),
      seed + i,
    ),
  );
  const run = () =>
    tf.tidy(() =>
      f(...data.map((values, i) => tf.tensor(values, shapes[i]))).map((t) => t.dataSync().slice()),
    );
  const expected = await on('cpu', run);
  const actual = await on(TESTED, run);
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) => {
    expect(relativeError(values, expected[i]!), `output ${i}`).toBeLessThan(TOLERANCE);
  });
}

/** -1 … 1 in `n` even steps, made on the CPU: WebGPU's linspace gives NaN for n = 1. */
const ramp = (n: number): tf.Tensor =>
  tf.tensor1d(Array.from({ length: n }, (_, i) => (n === 1 ? -1 : -1 + (2 * i) / (n - 1))));

/** Forward value and the gradient of sum(output * weights) with respect to every input. */
const withGrads =
  (f: (...inputs: tf.Tensor[]) => tf.Tensor) =>
  (...inputs: tf.Tensor[]): tf.Tensor[] => {
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
      const y = f(...xs);
      return y.mul(ramp(y.size).reshape(y.shape)).sum();
    })(inputs);
    return [value, ...grads, f(...inputs)];
  };

describe('native BatchMatMul', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[37, 53], [53, 29], false, false],
    [[53, 37], [53, 29], true, false],
    [[37, 53], [29, 53], false, true],
    [[53, 37], [29, 53], true, true],
    [[3, 17, 5], [3, 5, 11], false, false],
    [[3, 17, 5], [5, 11], false, false], // batch broadcast: rank 3 x rank 2
    [[4, 2, 9, 6], [2, 4, 9], true, true],
    [[1, 1], [1, 1], false, false],
  ];
  for (const [shapeA, shapeB, ta, tb] of cases) {
    it(`${shapeA} x ${shapeB} transposeA=${ta} transposeB=${tb}, with gradients`, async () => {
      if (reason) return;
      await compare(
        [shapeA, shapeB],
        withGrads((a, b) => tf.matMul(a!, b!, ta, tb)),
        shapeA.length,
      );
    });
  }

  it('broadcasts batch dims on both sides like numpy (the cpu kernel gets this wrong)', async () => {
    // tfjs's cpu and webgpu kernels both get this wrong (the reference, and a GPU limitation that
    // no model path meets: they broadcast one side only); native and libtensorflow get it right.
    if (reason || TESTED === 'cpu' || TESTED === 'webgpu') return;
    const a = randomArray(2 * 7 * 5, 11);
    const b = randomArray(3 * 5 * 4, 12);
    const tiled = await on('cpu', () =>
      tf.tidy(() => {
        const ta = tf.tensor(a, [2, 1, 7, 5]).tile([1, 3, 1, 1]);
        const tb = tf.tensor(b, [1, 3, 5, 4]).tile([2, 1, 1, 1]);
        return tf.matMul(ta, tb).dataSync().slice();
      }),
    );
    const broadcast = await on(TESTED, () =>
      tf.tidy(() =>
        tf
          .matMul(tf.tensor(a, [2, 1, 7, 5]), tf.tensor(b, [1, 3, 5, 4]))
          .dataSync()
          .slice(),
      ),
    );
    expect(relativeError(broadcast, tiled)).toBeLessThan(TOLERANCE);
  });

  it('fused matMul with bias and each activation', async () => {
    if (reason) return;
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      await compare([[13, 21], [21, 8], [8]], (a, b, bias) => [
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: bias!, activation }),
      ]);
    }
  });

  it('dense as one kernel (x of rank 2-4) equals tfjs ops, gradients included', async () => {
    if (reason) return;
    // Where the backend has no dense kernel (cpu, the reference) this is tfjs's fused matMul.
    const dense = (x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor) =>
      denseKernel(x, w, bias) ??
      tf.fused
        .matMul({ a: x.reshape([-1, w.shape[0]!]) as tf.Tensor2D, b: w as tf.Tensor2D, bias })
        .reshape([...x.shape.slice(0, -1), w.shape[1]!]);
    if (TESTED === 'native' || TESTED === 'webgpu')
      expect(
        await on(TESTED, () => denseKernel(tf.ones([2, 3]), tf.ones([3, 4]), tf.ones([4]))),
      ).toBeDefined();
    for (const x of [
      [7, 5],
      [2, 3, 5],
      [2, 1, 3, 5],
    ])
      await compare(
        [x, [5, 4], [4]],
        withGrads((x, w, b) => dense(x!, w!, b!)),
      );
  });
});

describe('native Conv2D and its gradients', () => {
  const cases: {
    x: number[];
    filter: number[];
    strides: number | [number, number];
    pad: 'same' | 'valid' | number;
    dilations?: number | [number, number];
  }[] = [
    { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
    { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'valid' },
    { x: [3, 12, 10, 4], filter: [3, 5, 4, 6], strides: [2, 3], pad: 'same' },
    { x: [1, 13, 13, 2], filter: [3, 3, 2, 4], strides: 2, pad: 'valid' },
    { x: [2, 10, 9, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same', dilations: 2 },
    { x: [2, 7, 6, 5], filter: [1, 1, 5, 7], strides: 1, pad: 'valid' }, // pointwise fast path
    { x: [1, 8, 8, 3], filter: [4, 4, 3, 2], strides: 2, pad: 1 },
  ];
  for (const { x, filter, strides, pad, dilations } of cases) {
    it(`x ${x} filter ${filter} strides ${strides} pad ${pad} dilations ${dilations ?? 1}`, async () => {
      if (reason) return;
      const conv = (input: tf.Tensor, kernel: tf.Tensor) =>
        tf.conv2d(
          input as tf.Tensor4D,
          kernel as tf.Tensor4D,
          strides,
          pad,
          'NHWC',
          dilations ?? 1,
        );
      // tfjs-core has no gradient for dilated convolutions, so those check the forward pass only.
      await compare(
        [x, filter],
        dilations ? (a, b) => [conv(a!, b!)] : withGrads((a, b) => conv(a!, b!)),
      );
    });
  }

  it('fused conv2d with bias and relu (what tf.layers.conv2d runs)', async () => {
    if (reason) return;
    await compare([[2, 8, 8, 3], [3, 3, 3, 4], [4]], (x, filter, bias) => [
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: filter as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: bias!,
        activation: 'relu',
      }),
    ]);
  });
});

describe('training on the native backend', () => {
  const lossFalls = async (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, epochs: number) => {
    const history = await model.fit(x, y, { epochs, batchSize: 16, verbose: 0, shuffle: false });
    const losses = history.history.loss as number[];
    return { first: losses[0]!, last: losses.at(-1)! };
  };

  it('a small CNN fits a toy image task', async () => {
    if (reason) return;
    await tf.setBackend(TESTED);
    // Class 1 images are brighter on the left half: learnable only through the convolutions.
    const x = tf.tidy(() => {
      const noise = tf.randomUniform([64, 12, 12, 1], 0, 0.5, 'float32', 7);
      const left = tf.concat([tf.ones([64, 12, 6, 1]), tf.zeros([64, 12, 6, 1])], 2);
      const label = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 2)).reshape([64, 1, 1, 1]);
      return noise.add(left.mul(label).mul(0.5));
    });
    const y = tf.tensor2d(Array.from({ length: 64 }, (_, i) => [i % 2]));
    // Seeded initial weights: with unseeded ones, now and then every ReLU of these 4-filter
    // layers starts dead and the loss never leaves ln 2 (a CI run hit that).
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: init(1),
        }),
        tf.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          kernelInitializer: init(2),
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
    const { first, last } = await lossFalls(model, x, y, 30);
    expect(last).toBeLessThan(first * 0.5);
    expect(last).toBeLessThan(0.3);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('an embedding + LSTM learns to count a token', async () => {
    if (reason) return;
    await tf.setBackend(TESTED);
    // Target: does token 3 occur in the sequence? (needs the embedding and recurrent gradients)
    const sequences = Array.from({ length: 64 }, (_, i) =>
      Array.from({ length: 8 }, (_, j) => (i * 7 + j * 5 + (i >> 2)) % 5),
    );
    const labels = sequences.map((s) => [s.includes(3) ? 1 : 0]);
    const x = tf.tensor2d(sequences, [64, 8], 'int32');
    const y = tf.tensor2d(labels);
    // Seeded initial weights, as the CNN's above: a run-to-run lottery is no test of the kernels.
    const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({
          inputDim: 5,
          outputDim: 8,
          inputLength: 8,
          embeddingsInitializer: tf.initializers.randomUniform({
            minval: -0.05,
            maxval: 0.05,
            seed: 4,
          }),
        }),
        tf.layers.lstm({
          units: 16,
          kernelInitializer: glorot(5),
          recurrentInitializer: glorot(6),
        }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: glorot(7) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'binaryCrossentropy' });
    const { first, last } = await lossFalls(model, x, y, 40);
    expect(last).toBeLessThan(first * 0.5);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a transformer layer regresses a target', async () => {
    if (reason) return;
    await tf.setBackend(TESTED);
    const { encoderLayerLoss } = await import('./helpers/transformer.js');
    const { loss, variables, dispose } = encoderLayerLoss();
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      const value = optimizer.minimize(loss, true, variables)!;
      losses.push(value.dataSync()[0]!);
      value.dispose();
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.2);
    optimizer.dispose();
    dispose();
  });
});

describe('native element-wise, copy and softmax kernels', () => {
  const binaryOps: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', (a, b) => tf.div(a, b.abs().add(0.5))],
    ['maximum', tf.maximum],
    ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference],
  ];
  const shapePairs: [number[], number[]][] = [
    [
      [5, 7],
      [5, 7],
    ],
    [[4, 3, 5], [5]],
    [
      [4, 1, 5],
      [1, 3, 1],
    ],
    [
      [2, 3, 4, 5],
      [3, 1, 5],
    ],
    [[6], []],
    [[1], [3, 1, 2]],
  ];
  for (const [name, op] of binaryOps) {
    it(`${name} with broadcasting, with gradients`, async () => {
      if (reason) return;
      for (const [shapeA, shapeB] of shapePairs) {
        await compare(
          [shapeA, shapeB],
          withGrads((a, b) => op(a!, b!)),
        );
      }
    });
  }

  it('transpose, slice, split and unstack', async () => {
    if (reason) return;
    await compare(
      [[3, 4, 5, 6]],
      withGrads((x) => x!.transpose([2, 0, 3, 1])),
    );
    await compare(
      [[3, 4, 5]],
      withGrads((x) => x!.transpose([0, 2, 1])),
    );
    await compare(
      [[6, 7, 8]],
      withGrads((x) => x!.slice([1, 2, 3], [4, 3, 5])),
    );
    await compare(
      [[6, 7, 8]],
      withGrads((x) => x!.slice([2, 0, 0], [3, 7, 8])),
    ); // contiguous view
    await compare([[4, 9, 5]], (x) => tf.split(x!, [2, 3, 4], 1));
    await compare([[4, 9, 5]], (x) => tf.unstack(x!, 1));
    await compare(
      [[4, 9, 5]],
      withGrads((x) =>
        tf.stack(
          tf.unstack(x!, 2).map((t, i) => t.mul(i + 1)),
          0,
        ),
      ),
    );
  });

  it('gather along any axis, with gradients; out-of-range indices throw', async () => {
    if (reason) return;
    const pick = (axis: number, ids: number[]) =>
      withGrads((x) => tf.gather(x!, tf.tensor1d(ids, 'int32'), axis));
    await compare([[5, 4, 3]], pick(0, [4, 0, 0, 2]));
    await compare([[5, 4, 3]], pick(1, [3, 1]));
    await compare([[5, 4, 3]], pick(2, [2, 2, 0, 1, 0]));
    await compare([[6, 3]], (x) => [tf.gather(x!, tf.tensor2d([0, 5, 2, 2], [2, 2], 'int32'), 0)]);
    await compare([[6]], (x) => [tf.gather(x!.toInt(), tf.tensor1d([5, 1], 'int32')).toFloat()]);
    // The CPU backends check indices; a GPU kernel cannot throw (WebGPU reads zeros there).
    if (['native', 'cpu', 'wasm'].includes(TESTED))
      await on(TESTED, () => {
        expect(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([3], 'int32'))).toThrow();
      });
  });

  it('concat along any axis, with gradients', async () => {
    if (reason) return;
    for (const axis of [0, 1, 2, 3]) {
      const a = [2, 3, 4, 5];
      const b = [...a];
      b[axis] = 2;
      await compare(
        [a, b, a],
        withGrads((x, y, z) => tf.concat([x!, y!, z!], axis)),
      );
    }
    await compare(
      [
        [3, 0, 2],
        [3, 4, 2],
      ],
      (x, y) => [tf.concat([x!, y!], 1)],
    ); // an empty part
    await compare([[5], [2]], (x, y) => [tf.concat([x!.toInt(), y!.toInt()]).toFloat()]);
  });

  it('softmax and its gradient', async () => {
    if (reason) return;
    await compare(
      [[3, 4, 17]],
      withGrads((x) => tf.softmax(x!.mul(5))),
    );
    await compare(
      [[9]],
      withGrads((x) => tf.softmax(x!)),
    );
    await compare(
      [[2, 3, 11]],
      withGrads((x) => tf.logSoftmax(x!)),
    );
  });

  it("attention's masked, scaled softmax and its gradient", async () => {
    if (reason) return;
    // [B, H, Tq, Tk] scores, a [B, Tk] padding mask (item 1 keeps 6 of 9 keys), scale 1/√8.
    const keep = () =>
      tf.tensor2d([
        [1, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1, 0, 0, 0],
      ]);
    await compare(
      [[2, 3, 4, 9]],
      withGrads((x) => fusedMaskedSoftmax(x!.mul(4), keep(), 1 / Math.sqrt(8))!),
    );
    // a shared [1, Tq, Tk] causal mask, unscaled
    const causal = () => tf.linalg.bandPart(tf.ones([5, 5]), -1, 0).expandDims(0);
    await compare(
      [[2, 2, 5, 5]],
      withGrads((x) => fusedMaskedSoftmax(x!, causal())!),
    );
  });

  it("additive attention's fused weights and gradients (q, k, v), masked and not", async () => {
    if (reason) return;
    // 8 × 40 × 128: large enough that the kernels split the items over threads (v's gradient
    // then sums per-thread rows); item 3 keeps 25 of 40 keys, item 5 none.
    const [b, tk, a] = [8, 40, 128];
    const keep = () =>
      tf.tensor2d(
        Array.from({ length: b }, (_, item) =>
          Array.from({ length: tk }, (_, t) => (item === 5 ? 0 : Number(item !== 3 || t < 25))),
        ),
      );
    const weights = (masked: boolean) =>
      withGrads((q, k, v) =>
        additiveWeights(
          q!.mul(3) as tf.Tensor2D,
          k!.mul(3) as tf.Tensor3D,
          v as tf.Tensor1D,
          masked ? keep() : undefined,
        ),
      );
    await compare([[b, a], [b, tk, a], [a]], weights(true));
    await compare([[b, a], [b, tk, a], [a]], weights(false));
  });

  it("the LSTM cell's pointwise kernels and their gradients (z, c_prev)", async () => {
    if (reason) return;
    // 64 × 4·128 gates: enough that the kernels split the items over threads; pre-activations
    // up to ±12 (saturated gates) from the ×4.
    await compare(
      [
        [64, 512],
        [64, 128],
      ],
      (z, cPrev) => {
        const { value, grads } = tf.valueAndGrads((zz: tf.Tensor, cc: tf.Tensor) => {
          const { c, h } = lstmPointwise(zz.mul(4) as tf.Tensor2D, cc as tf.Tensor2D);
          return c.mul(ramp(c.size).reshape(c.shape)).sum().add(h.mul(h).sum());
        })([z!, cPrev!]);
        const { c, h } = lstmPointwise(z!.mul(4) as tf.Tensor2D, cPrev as tf.Tensor2D);
        return [value, ...grads, c, h];
      },
    );
  });

  it('layer norm and its gradients (x, gain, bias)', async () => {
    if (reason) return;
    await compare(
      [[3, 5, 24], [24], [24]],
      withGrads((x, gain, bias) => fusedLayerNorm(x!.mul(3).add(1), gain!, bias!, 1e-5)),
    );
  });

  it('leaves no tensors behind', async () => {
    if (reason) return;
    await on(TESTED, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal([4, 6, 8]);
        tf.unstack(x, 1);
        tf.split(x, 2, 2);
        tf.softmax(x).transpose([2, 1, 0]).add(1).slice([0, 0, 0], [2, 2, 2]);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe('native reductions and unary kernels', () => {
  it('sum, mean, max, min over every kind of axis set, with gradients', async () => {
    if (reason) return;
    const axisSets: (number | number[] | undefined)[] = [
      undefined,
      0,
      1,
      2,
      -1,
      [0, 2],
      [1, 2],
      [0, 1],
    ];
    for (const axis of axisSets) {
      for (const keepDims of [false, true]) {
        await compare(
          [[4, 5, 6]],
          withGrads((x) => x!.sum(axis, keepDims)),
        );
        await compare(
          [[4, 5, 6]],
          withGrads((x) => x!.mean(axis, keepDims)),
        );
        await compare([[4, 5, 6]], (x) => [x!.max(axis, keepDims), x!.min(axis, keepDims)]);
      }
    }
    await compare([[3, 1, 4, 1, 5]], (x) => [x!.sum([1, 3]), x!.mean([0, 2, 4]), x!.max([2, 3])]);
  });

  it('max and min propagate NaN like the cpu backend', async () => {
    if (reason) return;
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor2d([
          [1, Number.NaN, 3],
          [4, 5, 6],
        ]);
        return [x.max(1), x.min(0), x.sum(1)].map((t) => Array.from(t.dataSync()));
      });
    expect(await on(TESTED, run)).toEqual(await on('cpu', run));
  });

  it('unary ops with gradients', async () => {
    if (reason) return;
    const ops: ((x: tf.Tensor) => tf.Tensor)[] = [
      tf.relu,
      (x) => tf.step(x, 0.3),
      tf.square,
      tf.exp,
      (x) => tf.log(x.abs().add(0.1)),
      tf.tanh,
      tf.sigmoid,
      (x) => tf.sqrt(x.abs().add(0.1)),
      (x) => tf.rsqrt(x.abs().add(0.1)),
      tf.neg,
      tf.abs,
    ];
    for (const op of ops)
      await compare(
        [[7, 9]],
        withGrads((x) => op(x!)),
      );
  });
});

describe('native kernels on empty tensors', () => {
  it('give the shapes and values the cpu backend gives (a 0-length axis is not data)', async () => {
    if (reason) return;
    const run = () =>
      tf.tidy(() => {
        const x = tf.zeros([1, 0, 32]);
        return [
          x.max(-1),
          x.sum(-1),
          tf.logSoftmax(x),
          x.add(1),
          tf.relu(x),
          x.transpose(),
          tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3])),
          tf.matMul(tf.zeros([0, 4]), tf.ones([4, 3])),
        ].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
      });
    expect(await on(TESTED, run)).toEqual(await on('cpu', run));
  });
});

describe('native depthwise convolution over time', () => {
  const cases: [number[], number][] = [
    [[3, 50, 40], 7], // enough work to split over threads
    [[2, 2, 5], 5], // fewer frames than taps
    [[1, 9, 3], 1],
  ];
  for (const [shape, kernel] of cases) {
    it(`x ${shape}, ${kernel} taps: values and both gradients`, async () => {
      if (reason) return;
      await compare(
        [shape, [kernel, shape[2]!]],
        withGrads((x, w) => depthwiseConv1d(x as tf.Tensor3D, w!)),
        kernel,
      );
    });
  }
});
