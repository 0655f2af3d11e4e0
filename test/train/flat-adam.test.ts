import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/runtime/tf.js';
import { FlatAdam } from '../../src/train/flat-adam.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

/** `count` variables of assorted shapes with deterministic values, and a loss over all of them. */
function problem(count: number, offset: number) {
  const shapes = Array.from({ length: count }, (_, i) =>
    i % 3 === 0 ? [3, 2] : i % 3 === 1 ? [4] : [2, 2, 2],
  );
  const variables = shapes.map((shape, i) =>
    tf.variable(tf.randomNormal(shape, 0, 1, 'float32', i + 1), true, `flat-adam-${offset}-${i}`),
  );
  const targets = shapes.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', 1000 + i));
  const loss = () =>
    tf
      .stack(
        variables.map((v, i) =>
          v
            .sub(targets[i]!)
            .square()
            .sum()
            .mul(i + 1),
        ),
      )
      .sum() as tf.Scalar;
  return { variables, targets, loss };
}

const values = (variables: tf.Variable[]) => variables.flatMap((v) => Array.from(v.dataSync()));

describe('FlatAdam', () => {
  it('leaves no tensor behind once disposed (test-time adaptation makes one per utterance)', () => {
    const variable = tf.variable(tf.zeros([3]), true, 'flat-adam-disposed');
    const before = tf.memory().numTensors;
    new FlatAdam([variable], 0.1).dispose();
    expect(tf.memory().numTensors).toBe(before);
    variable.dispose();
  });

  it('takes the same steps as tf.train.adam, with and without clipping, over 200 variables', () => {
    for (const maxNorm of [1e9, 5]) {
      const ours = problem(200, maxNorm);
      const theirs = problem(200, maxNorm + 1);
      const flat = new FlatAdam(ours.variables, 0.05, 0.9, 0.98, 1e-9);
      const adam = tf.train.adam(0.05, 0.9, 0.98, 1e-9);
      for (let step = 0; step < 5; step++) {
        const a = tf.variableGrads(ours.loss, ours.variables);
        flat.step(a.grads, maxNorm);
        const b = tf.variableGrads(theirs.loss, theirs.variables);
        // The reference: the global norm of every gradient, then tfjs's own Adam.
        const norm = Math.sqrt(
          Object.values(b.grads).reduce((sum, g) => sum + g.square().sum().dataSync()[0]!, 0),
        );
        const scale = Math.min(1, maxNorm / norm);
        const scaled = Object.fromEntries(
          Object.entries(b.grads).map(([k, g]) => [k, g.mul(scale)]),
        );
        adam.applyGradients(scaled);
        tf.dispose([
          a.value,
          b.value,
          ...Object.values(a.grads),
          ...Object.values(b.grads),
          ...Object.values(scaled),
        ]);
      }
      const x = values(ours.variables);
      const y = values(theirs.variables);
      const worst = x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
      expect(worst).toBeLessThan(1e-5);
      // And the parameters did move (a test of equality between two no-ops would pass too).
      expect(Math.abs(x[0]! - ours.targets[0]!.dataSync()[0]!)).toBeLessThan(10);
      flat.dispose();
      adam.dispose();
      tf.dispose([...ours.variables, ...theirs.variables, ...ours.targets, ...theirs.targets]);
    }
  });

  it('is a handful of kernels a step whatever the variable count, and leaves no tensors', () => {
    const { variables, targets, loss } = problem(200, 7);
    const flat = new FlatAdam(variables, 0.01);
    const { value, grads } = tf.variableGrads(loss, variables);
    const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
    const original = engine.runKernelFunc.bind(engine);
    let kernels = 0;
    engine.runKernelFunc = (...args: unknown[]) => {
      // Reshape only relabels a tensor's shape (no data moves, no GPU dispatch): not counted.
      if ((args[0] as { kernelName?: string }).kernelName !== 'Reshape') kernels++;
      return original(...args);
    };
    const before = tf.memory().numTensors;
    try {
      flat.step(grads, 5);
    } finally {
      engine.runKernelFunc = original;
    }
    expect(tf.memory().numTensors).toBe(before);
    // tf.train.adam plus per-variable clipping: about 17 kernels a variable (3,400 here).
    expect(kernels).toBeLessThan(100);
    tf.dispose([value, ...Object.values(grads), ...variables, ...targets]);
    flat.dispose();
  });

  it('saves its moments under tfjs Adam names and restores them into a fresh optimizer', () => {
    const { variables, targets, loss } = problem(5, 11);
    const first = new FlatAdam(variables, 0.01);
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(loss, variables);
      first.step(grads, 5);
      tf.dispose([value, ...Object.values(grads)]);
    }
    const saved = first.getWeights();
    expect(saved.map((w) => w.name).slice(0, 3)).toEqual([
      'iter',
      `${variables[0]!.name}/m`,
      `${variables[0]!.name}/v`,
    ]);
    expect(saved[0]!.tensor.dataSync()[0]).toBe(3);
    const second = new FlatAdam(variables, 0.01);
    second.setWeights(saved);
    const again = second.getWeights();
    again.forEach((w, i) => {
      expect(Array.from(w.tensor.dataSync())).toEqual(Array.from(saved[i]!.tensor.dataSync()));
    });
    tf.dispose([
      ...saved.map((w) => w.tensor),
      ...again.map((w) => w.tensor),
      ...variables,
      ...targets,
    ]);
    first.dispose();
    second.dispose();
  });
});
