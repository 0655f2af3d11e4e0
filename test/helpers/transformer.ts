import { tf } from '../../src/runtime/tf.js';

/**
 * One self-attention + feed-forward layer (residuals, layer norm) regressing a fixed random target:
 * a training smoke test for whichever backend is current. Replaced by src/attention once it exists.
 */
export function encoderLayerLoss(b = 4, t = 12, d = 16, heads = 2) {
  const x = tf.randomNormal([b, t, d], 0, 1, 'float32', 1) as tf.Tensor3D;
  const target = tf.randomNormal([b, t, d], 0, 1, 'float32', 2);
  const init = (shape: number[], seed: number) =>
    tf.variable(tf.randomNormal(shape, 0, 1 / Math.sqrt(shape[0]!), 'float32', seed));
  const [wq, wk, wv, wo, w1, w2] = [
    init([d, d], 3),
    init([d, d], 4),
    init([d, d], 5),
    init([d, d], 6),
    init([d, 4 * d], 7),
    init([4 * d, d], 8),
  ] as tf.Variable<tf.Rank.R2>[];
  const norm = (h: tf.Tensor) => {
    const { mean, variance } = tf.moments(h, -1, true);
    return h.sub(mean).div(variance.add(1e-5).sqrt());
  };
  const split = (m: tf.Tensor) => m.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]);
  const loss = (): tf.Scalar => {
    const flat = x.reshape([b * t, d]) as tf.Tensor2D;
    const q = split(flat.matMul(wq!));
    const k = split(flat.matMul(wk!));
    const v = split(flat.matMul(wv!));
    const weights = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(d / heads)));
    const context = tf
      .matMul(weights, v)
      .transpose([0, 2, 1, 3])
      .reshape([b * t, d]) as tf.Tensor2D;
    const h = norm(flat.add(context.matMul(wo!)));
    const out = norm(h.add(tf.relu((h as tf.Tensor2D).matMul(w1!)).matMul(w2!)));
    return out.reshape([b, t, d]).sub(target).square().mean() as tf.Scalar;
  };
  return {
    loss,
    variables: [wq!, wk!, wv!, wo!, w1!, w2!],
    dispose: () => tf.dispose([x, target, wq!, wk!, wv!, wo!, w1!, w2!]),
  };
}
