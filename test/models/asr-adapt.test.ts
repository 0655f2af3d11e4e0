import { beforeAll, describe, expect, it } from 'vitest';
import { AsrModel } from '../../src/models/asr.js';
import { adaptableVariables, adaptToUtterance } from '../../src/models/asr-adapt.js';
import { tf } from '../../src/runtime/tf.js';
import { CharacterTokenizer } from '../../src/text/characters.js';
import {
  emittingFrameEntropy,
  frameEntropy,
  minimumClassConfusion,
} from '../../src/train/unsupervised.js';
import { ready } from '../helpers/runtime.js';
import { tinyAsrConfig } from '../helpers/tiny-asr.js';

beforeAll(async () => {
  await ready;
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('label-free objectives', () => {
  it('frame entropy is −Σ p log p of the tempered softmax', () => {
    const logits = tf.tensor2d([
      [0, 0, 0, 0],
      [2, 0, 0, 0],
    ]);
    const h = values(frameEntropy(logits, 2));
    expect(h[0]).toBeCloseTo(Math.log(4), 5);
    const p = [Math.E, 1, 1, 1].map((x) => x / (Math.E + 3)); // softmax of [2,0,0,0] / 2
    expect(h[1]).toBeCloseTo(-p.reduce((s, x) => s + x * Math.log(x), 0), 5);
  });

  it('averages entropy over emitting frames only (argmax not the blank)', () => {
    const logits = tf.tensor2d([
      [5, 0, 0], // blank: left out
      [0, 3, 0],
      [0, 0, 1],
    ]);
    const all = values(frameEntropy(logits, 1));
    expect(emittingFrameEntropy(logits, 1).dataSync()[0]).toBeCloseTo((all[1]! + all[2]!) / 2, 5);
  });

  it('class confusion is ~0 when every frame is sure of its own class, and grows when frames hedge', () => {
    const sure = tf.tensor2d([
      [30, 0, 0],
      [0, 30, 0],
      [0, 0, 30],
    ]);
    const hedging = tf.tensor2d([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    expect(minimumClassConfusion(sure, 1).dataSync()[0]).toBeLessThan(1e-6);
    expect(minimumClassConfusion(hedging, 1).dataSync()[0]).toBeGreaterThan(0.2);
  });
});

describe('test-time adaptation of an ASR model', () => {
  const tokenizer = CharacterTokenizer.english();
  const model = new AsrModel(tinyAsrConfig(tokenizer.size), tokenizer);
  model.build();
  const frames = 60;
  const dim = model.config.features.melBands;
  const features = {
    values: tf.tidy(() => tf.randomNormal([frames * dim], 0, 1, 'float32', 7).dataSync()),
    frames,
    dim,
  } as Parameters<typeof adaptToUtterance>[1];

  it.each(['norms', 'front'] as const)(
    'with %s: moves only those weights, lowers its objective, and restores every weight exactly',
    (parameters) => {
      const snapshot = new Map(
        Object.entries(model.params.variables()).map(([name, v]) => [name, values(v)]),
      );
      const front = adaptableVariables(model, 'front');
      const norms = adaptableVariables(model, 'norms');
      expect(norms.length).toBe(2 * (2 * model.config.encoder.layers + 1)); // gain and bias
      expect(front.length).toBeGreaterThan(norms.length);
      const tensors = tf.memory().numTensors;
      const losses: number[] = [];
      const restore = adaptToUtterance(
        model,
        features,
        { steps: 8, learningRate: 1e-2, parameters },
        (loss) => losses.push(loss),
      );
      expect(losses).toHaveLength(8);
      // Every step lowers the objective (a random tiny model: slowly with the norms alone).
      losses.slice(1).forEach((loss, i) => {
        expect(loss).toBeLessThan(losses[i]!);
      });
      const moved = Object.entries(model.params.variables())
        .filter(([name, v]) => values(v).some((x, i) => x !== snapshot.get(name)![i]))
        .map(([, v]) => v);
      expect(moved.length).toBeGreaterThan(0);
      expect(moved.every((v) => (parameters === 'norms' ? norms : front).includes(v))).toBe(true);
      restore();
      for (const [name, v] of Object.entries(model.params.variables()))
        expect(values(v)).toEqual(snapshot.get(name));
      expect(tf.memory().numTensors).toBe(tensors);
    },
  );
});
