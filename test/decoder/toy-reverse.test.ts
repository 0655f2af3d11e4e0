import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/runtime/tf.js';
import { ready } from '../helpers/runtime.js';
import { exactMatch, reverseData, toyModel, trainReverse } from '../helpers/toy-reverse.js';

// Each decoder learns to reverse digit strings it has never seen: a real alignment, learned by the
// attention, in well under a minute on the native backend.
beforeAll(async () => {
  await ready;
});

const { train, test } = reverseData(4000, 200);

describe('toy task: reverse a digit string', () => {
  it('recurrent decoder with additive attention reaches >= 99% exact match on held-out strings', () => {
    // Counted from here: the device runner (scripts/device) runs other suites in this process first.
    const before = tf.memory().numTensors;
    const model = toyModel((memoryDim) => ({
      type: 'recurrent',
      vocabSize: 13,
      memoryDim,
      embedDim: 32,
      units: 64,
      layers: 1,
      attention: { kind: 'additive', units: 32 },
      inputFeeding: true,
      gate: false,
      dropout: 0,
    }));
    const losses = trainReverse(model, train, { steps: 500, batch: 64, lr: 1e-2, target: 0.005 });
    // Training leaves nothing behind but the parameters it created.
    expect(tf.memory().numTensors - before).toBe(model.params.list().length);
    expect(losses.at(-1)!).toBeLessThan(0.05);
    const greedy = exactMatch(model, test, 1);
    const beam = exactMatch(model, test, 4);
    expect(greedy).toBeGreaterThanOrEqual(0.99);
    // Beam search may prefer a likelier wrong string now and then: both must clear the bar.
    expect(beam).toBeGreaterThanOrEqual(0.99);
    model.params.dispose();
  });

  it('transformer decoder reaches >= 99% exact match on held-out strings', () => {
    const model = toyModel((memoryDim) => ({
      type: 'transformer',
      vocabSize: 13,
      memoryDim,
      dim: 64,
      heads: 4,
      layers: 2,
      ffnDim: 128,
      dropout: 0,
    }));
    const losses = trainReverse(model, train, { steps: 600, batch: 64, lr: 3e-3, target: 0.005 });
    expect(losses.at(-1)!).toBeLessThan(0.05);
    const greedy = exactMatch(model, test, 1);
    const beam = exactMatch(model, test, 4);
    expect(greedy).toBeGreaterThanOrEqual(0.99);
    // Beam search may prefer a likelier wrong string now and then: both must clear the bar.
    expect(beam).toBeGreaterThanOrEqual(0.99);
    model.params.dispose();
  });
});
