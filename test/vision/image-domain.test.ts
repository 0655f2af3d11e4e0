import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prng } from '../../src/util/random.js';
import {
  domainPath,
  fitImageDomain,
  NOVELTY_MARGIN,
  novelty,
  readImageDomain,
  squaredDistance,
  symmetricInverse,
  writeImageDomain,
} from '../../src/vision/image-domain.js';

/** Standard normal draws (Box-Muller) from a seeded generator. */
function normals(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  });
}

/** Samples of a correlated Gaussian: x = A z + mean. */
function samples(count: number, dim: number, seed: number): Float32Array[] {
  const random = prng(seed);
  const mixing = normals(prng(99), dim * dim);
  return Array.from({ length: count }, () => {
    const z = normals(random, dim);
    return Float32Array.from({ length: dim }, (_, i) => {
      let sum = 3 + i;
      for (let j = 0; j < dim; j++) sum += mixing[i * dim + j]! * z[j]! * 0.3;
      return sum;
    });
  });
}

describe('image domain', () => {
  it('inverts a symmetric positive definite matrix', () => {
    const n = 12;
    const b = normals(prng(5), n * n);
    const a = Array.from({ length: n * n }, (_, k) => {
      const [i, j] = [Math.floor(k / n), k % n];
      let sum = i === j ? 0.5 : 0;
      for (let m = 0; m < n; m++) sum += b[i * n + m]! * b[j * n + m]!;
      return sum;
    });
    const inverse = symmetricInverse(a, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let m = 0; m < n; m++) sum += a[i * n + m]! * inverse[m * n + j]!;
        expect(sum).toBeCloseTo(i === j ? 1 : 0, 8);
      }
    expect(() => symmetricInverse([1, 2, 2, 1], 2)).toThrow(/not positive definite/);
  });

  it('puts held-out draws of the training distribution under 1 and other points far over it', () => {
    const dim = 8;
    const domain = fitImageDomain(samples(2000, dim, 1), samples(300, dim, 2), 'toy');
    const heldOut = samples(300, dim, 2).map((x) => novelty(domain, x));
    expect(Math.max(...heldOut)).toBeCloseTo(1 / NOVELTY_MARGIN, 6);
    // Mahalanobis distances of the training distribution average about its dimension.
    const fresh = samples(500, dim, 3).map((x) => squaredDistance(domain, x));
    expect(fresh.reduce((a, b) => a + b, 0) / fresh.length).toBeGreaterThan(dim * 0.7);
    expect(fresh.reduce((a, b) => a + b, 0) / fresh.length).toBeLessThan(dim * 1.3);
    // A point shifted 6 units along every axis (about 7 standard deviations) is far outside it.
    const shifted = samples(1, dim, 4)[0]!.map((v) => v + 6);
    expect(novelty(domain, shifted)).toBeGreaterThan(3);
    expect(() => novelty(domain, new Float32Array(dim + 1))).toThrow(
      /size 9 for a domain of size 8/,
    );
  });

  it('round-trips through domain.json and names a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attend-domain-'));
    expect(readImageDomain(dir)).toBeUndefined();
    const domain = fitImageDomain(samples(100, 4, 1), samples(20, 4, 2), 'toy');
    writeImageDomain(dir, domain);
    const read = readImageDomain(dir)!;
    const x = samples(1, 4, 7)[0]!;
    expect(novelty(read, x)).toBeCloseTo(novelty(domain, x), 4);
    writeFileSync(domainPath(dir), '{"format": "something else"}');
    expect(() => readImageDomain(dir)).toThrow(/domain\.json: not an image domain file/);
    rmSync(dir, { recursive: true, force: true });
    expect(() => fitImageDomain(samples(4, 4, 1), samples(2, 4, 2), 'toy')).toThrow(
      /more than 4 training images/,
    );
  });
});
