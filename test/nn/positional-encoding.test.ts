import { beforeAll, describe, expect, it } from 'vitest';
import { positionalEncoding } from '../../src/nn/layers.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

/** Vaswani et al.'s formula, for position p and channel i. */
const expected = (p: number, i: number, dim: number): number => {
  const angle = p / 10000 ** ((2 * Math.floor(i / 2)) / dim);
  return i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
};

describe('sinusoidal positional encoding', () => {
  it('gives the formula at every position and offset, cached or not', () => {
    const dim = 6;
    // One position at a time as a decoder step asks, past the first table size; then a range
    // past the cache's limit.
    for (const [length, offset] of [
      [1, 0],
      [1, 300],
      [4, 7],
      [3, 8190],
      [2, 9000],
    ] as const) {
      const rows = positionalEncoding(length, dim, offset).arraySync();
      expect(rows.length).toBe(length);
      for (const [p, row] of rows.entries())
        for (const [i, v] of row.entries()) expect(v).toBeCloseTo(expected(p + offset, i, dim), 5);
    }
  });

  it('returns a tensor of its own (disposing it leaves the cache intact)', () => {
    const first = positionalEncoding(2, 4, 1);
    const values = first.arraySync();
    first.dispose();
    expect(positionalEncoding(2, 4, 1).arraySync()).toEqual(values);
  });
});
