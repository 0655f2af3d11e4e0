import { describe, expect, it } from 'vitest';
import { learningRate } from '../../src/train/schedule.js';

const noam = { peakLr: 1e-3, warmup: 100, steps: 1000 };

describe('learningRate', () => {
  it('warms up linearly, peaks at the warm-up step, then decays as 1/sqrt(step)', () => {
    expect(learningRate(10, noam)).toBeCloseTo(1e-4, 12);
    expect(learningRate(100, noam)).toBeCloseTo(1e-3, 12);
    expect(learningRate(400, noam)).toBeCloseTo(5e-4, 12);
  });

  it('without a cool-down is the same curve to the last step', () => {
    for (const step of [1, 99, 100, 500, 999, 1000])
      expect(learningRate(step, { ...noam, cooldown: 0 })).toBe(learningRate(step, noam));
  });

  it('anneals linearly over the last `cooldown` steps, never reaching zero', () => {
    const annealed = { ...noam, cooldown: 99 };
    // Before the cool-down: untouched.
    expect(learningRate(901, annealed)).toBe(learningRate(901, noam));
    // Its first step keeps 99/100 of the rate, its last 1/100.
    expect(learningRate(902, annealed)).toBeCloseTo((learningRate(902, noam) * 99) / 100, 15);
    expect(learningRate(1000, annealed)).toBeCloseTo(learningRate(1000, noam) / 100, 15);
    let previous = learningRate(901, annealed);
    for (let step = 902; step <= 1000; step++) {
      const rate = learningRate(step, annealed);
      expect(rate).toBeLessThan(previous);
      expect(rate).toBeGreaterThan(0);
      previous = rate;
    }
  });
});
