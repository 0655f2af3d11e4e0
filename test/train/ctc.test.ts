import { beforeAll, describe, expect, it } from 'vitest';
import { charErrorRate, editDistance, wordErrorRate } from '../../src/metrics/edit-distance.js';
import { tf } from '../../src/runtime/tf.js';
import { ctcLoss, ctcOne, ctcOneLogSpace } from '../../src/train/ctc.js';
import { ctcPaths } from '../helpers/ctc-paths.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

/** -log p(target) by summing over every alignment path (V^T of them). */
function bruteForce(logProbs: number[][], target: number[]): number {
  const time = logProbs.length;
  const vocab = logProbs[0]!.length;
  let total = 0;
  for (const { path, collapsed } of ctcPaths(time, vocab)) {
    if (collapsed.join() !== target.join()) continue;
    total += Math.exp(path.reduce((sum, s, t) => sum + logProbs[t]![s]!, 0));
  }
  return -Math.log(total);
}

/** Log-softmax rows of logits drawn uniformly in ±spread(row), reproducibly from `seed`. */
function randomLogProbs(
  rows: number,
  vocab: number,
  spread: (row: number) => number,
  seed: number,
): Float32Array {
  let state = seed;
  const random = () => {
    state = (state * 16807) % 2147483647;
    return (state / 2147483647) * 2 - 1;
  };
  const lp = new Float32Array(rows * vocab);
  for (let row = 0; row < rows; row++) {
    const logits = Array.from({ length: vocab }, () => random() * spread(row));
    const max = Math.max(...logits);
    const norm = Math.log(logits.reduce((a, x) => a + Math.exp(x - max), 0)) + max;
    logits.forEach((x, k) => {
      lp[row * vocab + k] = x - norm;
    });
  }
  return lp;
}

describe('CTC loss', () => {
  it('equals the sum over all alignments, for repeats, blanks and shorter inputs', () => {
    tf.tidy(() => {
      const logits = tf.randomNormal([3, 5, 3], 0, 1, 'float32', 4);
      const logProbs = tf.logSoftmax(logits) as tf.Tensor3D;
      const values = logProbs.arraySync() as number[][][];
      const targets = [[1, 2], [1, 1], [2]];
      const lengths = [5, 5, 3];
      const perItem = targets.map(
        (target, b) =>
          ctcLoss(
            logProbs.slice([b, 0, 0], [1, -1, -1]) as tf.Tensor3D,
            [lengths[b]!],
            [target],
          ).dataSync()[0]!,
      );
      targets.forEach((target, b) => {
        const expected = bruteForce(values[b]!.slice(0, lengths[b]), target) / target.length;
        expect(perItem[b]).toBeCloseTo(expected, 4);
      });
      const batched = ctcLoss(logProbs, lengths, targets).dataSync()[0]!;
      expect(batched).toBeCloseTo(perItem.reduce((a, b) => a + b, 0) / 3, 4);
    });
  });

  it('counts a target the frames cannot fit as 0, loss and gradient (zero_infinity)', () => {
    const logits = tf.variable(tf.randomNormal([2, 3, 3], 0, 1, 'float32', 4));
    // Item 0: "1 1" needs 3 frames but gets 2; item 1 fits.
    const loss = () => ctcLoss(tf.logSoftmax(logits) as tf.Tensor3D, [2, 3], [[1, 1], [2]]);
    const { value, grads } = tf.variableGrads(() => loss() as tf.Scalar);
    const alone = ctcLoss(
      tf.logSoftmax(logits).slice([1, 0, 0], [1, -1, -1]) as tf.Tensor3D,
      [3],
      [[2]],
    );
    expect(value.dataSync()[0]).toBeCloseTo(alone.dataSync()[0]! / 2, 5);
    const g = grads[logits.name]!.dataSync();
    expect(Array.from(g.slice(0, 9)).every((x) => x === 0)).toBe(true);
    expect(Array.from(g.slice(9)).some((x) => x !== 0)).toBe(true);
    tf.dispose([logits, value, alone, ...Object.values(grads)]);
  });

  it('has gradients that match finite differences', () => {
    const logits = tf.variable(tf.randomNormal([2, 4, 3], 0, 1, 'float32', 9));
    const loss = () => ctcLoss(tf.logSoftmax(logits) as tf.Tensor3D, [4, 3], [[1, 2], [2]]);
    const grad = tf
      .grad(() => loss())(logits)
      .dataSync();
    const base = logits.dataSync().slice();
    for (const i of [0, 5, 13, 22]) {
      const at = (delta: number) => {
        const shifted = base.slice();
        shifted[i]! += delta;
        logits.assign(tf.tensor(shifted, logits.shape));
        return loss().dataSync()[0]!;
      };
      const numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
      expect(grad[i]).toBeCloseTo(numeric, 3);
    }
    logits.dispose();
  });
});

describe('CTC loss on the current backend (the GPU kernels on webgpu)', () => {
  it('matches the CPU forward-backward in loss and gradient: long targets, peaked frames, a misfit', () => {
    const [batch, time, vocab] = [4, 300, 30];
    const spreads = [3, 40, 8, 3];
    const lp = randomLogProbs(batch * time, vocab, (row) => spreads[Math.floor(row / time)]!, 11);
    // 140 labels: 281 states, more than one workgroup's threads; item 2 cannot fit its 5 frames.
    const lengths = [300, 120, 5, 260];
    const sizes = [140, 25, 9, 1];
    const targets = sizes.map((n, b) =>
      Array.from({ length: n }, (_, i) => 1 + ((i * 7 + b + (i % 3 === 0 ? 0 : 1)) % (vocab - 1))),
    );
    targets[1]![4] = targets[1]![3]!; // a repeat: needs a blank between
    let expectedLoss = 0;
    const expectedGrad = new Float32Array(lp.length);
    targets.forEach((target, b) => {
      const one = ctcOne(
        lp.subarray(b * time * vocab, (b * time + lengths[b]!) * vocab),
        lengths[b]!,
        vocab,
        target,
        0,
      );
      const scale = 1 / (target.length * batch);
      if (!Number.isFinite(one.loss)) return;
      expectedLoss += one.loss * scale;
      one.grad.forEach((g, i) => {
        expectedGrad[b * time * vocab + i] = g * scale;
      });
    });
    const input = tf.tensor3d(lp, [batch, time, vocab]);
    const tensorsBefore = tf.memory().numTensors;
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
      ctcLoss(x as tf.Tensor3D, lengths, targets),
    )(input);
    expect(value.dataSync()[0]).toBeCloseTo(expectedLoss, 3);
    const got = grad.dataSync();
    let worst = 0;
    for (let i = 0; i < got.length; i++)
      worst = Math.max(worst, Math.abs(got[i]! - expectedGrad[i]!));
    expect(worst).toBeLessThan(1e-6);
    expect(Array.from(got.slice(2 * time * vocab, 3 * time * vocab)).every((g) => g === 0)).toBe(
      true,
    );
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    input.dispose();
  });
});

describe('error rates', () => {
  it('rescaled probabilities give the log-space loss and gradient, peaked frames included', () => {
    const cases = [
      [40, 6, 12, 3],
      [60, 30, 25, 40], // log-probabilities down to about -80: peaked, as a trained model's
      [13, 5, 6, 8], // barely enough frames for the target (repeats need a blank between)
    ] as const;
    for (const [i, [time, vocab, length, spread]] of cases.entries()) {
      const lp = randomLogProbs(time, vocab, () => spread, 7 + i);
      const target = Array.from({ length }, (_, i) => 1 + ((i * 7 + length) % (vocab - 1)));
      const fast = ctcOne(lp, time, vocab, target, 0);
      const exact = ctcOneLogSpace(lp, time, vocab, target, 0);
      expect(Number.isFinite(exact.loss)).toBe(true);
      expect(fast.loss).toBeCloseTo(exact.loss, 6);
      let worst = 0;
      for (let i = 0; i < lp.length; i++)
        worst = Math.max(worst, Math.abs(fast.grad[i]! - exact.grad[i]!));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('edit distance, WER and CER', () => {
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3);
    const wer = wordErrorRate([
      ['the cat sat', 'the cat sat down'],
      ['a b c d', 'a x c'],
    ]);
    expect([wer.errors, wer.total]).toEqual([3, 7]);
    expect(charErrorRate([['abc', 'abd']]).rate).toBeCloseTo(1 / 3, 6);
    expect(wordErrorRate([['', '']]).rate).toBe(0);
  });
});
