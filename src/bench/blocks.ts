// Training-shaped workloads for `attend bench`, built from plain tfjs ops so that every backend can
// run them. Each returns a closure that does one forward+backward pass inside tf.tidy.
import { tf } from '../runtime/tf.js';
import { FlatAdam } from '../train/flat-adam.js';

export type Step = () => void | Promise<void>;
export interface Workload {
  readonly step: Step;
  /** Turns a step's seconds into the row's value when the unit is not time, GFLOP/s or items/s. */
  readonly value?: (seconds: number) => number;
  readonly dispose: () => void;
}

const glorot = (shape: number[]): tf.Variable =>
  tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / (shape[0]! + shape.at(-1)!))));

/** Runs loss() under variableGrads and reads one number, so lazy backends really finish. */
function trainStep(loss: () => tf.Scalar): Step {
  return () => {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss);
      value.dataSync();
      for (const grad of Object.values(grads)) grad.dataSync();
    });
  };
}

interface AttentionWeights {
  wq: tf.Variable;
  wk: tf.Variable;
  wv: tf.Variable;
  wo: tf.Variable;
}

const attentionWeights = (d: number): AttentionWeights => ({
  wq: glorot([d, d]),
  wk: glorot([d, d]),
  wv: glorot([d, d]),
  wo: glorot([d, d]),
});

/** Multi-head self-attention over x [B, T, D]. */
function selfAttention(x: tf.Tensor3D, w: AttentionWeights, heads: number): tf.Tensor3D {
  const [b, t, d] = x.shape;
  const dk = d / heads;
  const split = (m: tf.Tensor2D): tf.Tensor4D =>
    m.reshape([b, t, heads, dk]).transpose([0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, dk]
  const flat = x.reshape([b * t, d]) as tf.Tensor2D;
  const q = split(tf.matMul(flat, w.wq));
  const k = split(tf.matMul(flat, w.wk));
  const v = split(tf.matMul(flat, w.wv));
  const scores = tf.matMul(q, k, false, true).div(Math.sqrt(dk)); // [B, H, T, T]
  const context = tf.matMul(tf.softmax(scores), v); // [B, H, T, dk]
  const merged = context.transpose([0, 2, 1, 3]).reshape([b * t, d]) as tf.Tensor2D;
  return tf.matMul(merged, w.wo).reshape([b, t, d]);
}

function layerNorm(x: tf.Tensor3D): tf.Tensor3D {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(1e-5).sqrt());
}

/** `pairs` add+relu pairs on [64, 256], one read at the end; the row is microseconds per kernel. */
export function dispatchChain(pairs = 200): Workload {
  const x = tf.randomNormal([64, 256]);
  const bias = tf.randomNormal([64, 256], 0, 0.01);
  return {
    step: () => {
      tf.tidy(() => {
        let h = x;
        for (let i = 0; i < pairs; i++) h = tf.relu(h.add(bias));
        h.dataSync();
      });
    },
    value: (seconds) => (seconds * 1e6) / (2 * pairs),
    dispose: () => tf.dispose([x, bias]),
  };
}

export function attentionBlock(b = 8, t = 200, d = 256, heads = 4): Workload {
  const x = tf.randomNormal([b, t, d]) as tf.Tensor3D;
  const w = attentionWeights(d);
  const vars = Object.values(w);
  return {
    step: trainStep(() => selfAttention(x, w, heads).square().mean() as tf.Scalar),
    dispose: () => tf.dispose([x, ...vars]),
  };
}

export function encoderLayer(b = 8, t = 200, d = 256, heads = 4, ffn = 1024): Workload {
  const x = tf.randomNormal([b, t, d]) as tf.Tensor3D;
  const w = attentionWeights(d);
  const w1 = glorot([d, ffn]);
  const w2 = glorot([ffn, d]);
  const vars = [...Object.values(w), w1, w2];
  const forward = (): tf.Scalar => {
    const h = layerNorm(x.add(selfAttention(x, w, heads)));
    const flat = h.reshape([b * t, d]) as tf.Tensor2D;
    const ff = tf.matMul(tf.relu(tf.matMul(flat, w1)), w2).reshape([b, t, d]) as tf.Tensor3D;
    return layerNorm(h.add(ff)).square().mean() as tf.Scalar;
  };
  return { step: trainStep(forward), dispose: () => tf.dispose([x, ...vars]) };
}

export function convBlock(b = 8, size = 64, inC = 32, outC = 64): Workload {
  const x = tf.randomNormal([b, size, size, inC]) as tf.Tensor4D;
  const filter = glorot([3, 3, inC, outC]) as tf.Variable<tf.Rank.R4>;
  return {
    step: trainStep(() => tf.conv2d(x, filter, 1, 'same').square().mean() as tf.Scalar),
    dispose: () => tf.dispose([x, filter]),
  };
}

export function lstmBlock(b = 16, t = 100, inputDim = 80, units = 256): Workload {
  const x = tf.randomNormal([b, t, inputDim]);
  const layer = tf.layers.lstm({
    units,
    returnSequences: true,
    recurrentInitializer: 'glorotUniform', // the default orthogonal one takes minutes to build
  });
  tf.tidy(() => {
    layer.apply(x); // builds the weights (and marks the layer built, unlike layer.build)
  });
  return {
    step: trainStep(() => (layer.apply(x) as tf.Tensor).square().mean() as tf.Scalar),
    dispose: () => {
      x.dispose();
      layer.dispose();
    },
  };
}

export function matMulBlock(n: number, transposeB: boolean): Workload {
  const a = tf.randomNormal([n, n]) as tf.Tensor2D;
  const b = tf.randomNormal([n, n]) as tf.Tensor2D;
  return {
    // The tidy returns nothing on purpose: returning the data array would make tidy walk all n²
    // numbers looking for tensors, which costs more than the matMul itself.
    step: () => {
      tf.tidy(() => {
        tf.matMul(a, b, false, transposeB).dataSync();
      });
    },
    dispose: () => tf.dispose([a, b]),
  };
}

/** One Adam step of a model's loss per call (the training-throughput rows); disposes `owned` after. */
export function adamStepWorkload(
  loss: () => tf.Scalar,
  variables: tf.Variable[],
  owned: { dispose(): void }[],
): Workload {
  // The training loop's optimizer: clipping and Adam over one flat vector.
  const optimizer = new FlatAdam(variables, 1e-4);
  return {
    step: () => {
      const { value, grads } = tf.variableGrads(loss, variables);
      optimizer.step(grads, 5);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => {
      optimizer.dispose();
      for (const o of owned) o.dispose();
    },
  };
}
