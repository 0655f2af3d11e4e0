/** GNMT length penalty lp(Y) = ((5 + |Y|) / 6)^α. */
export function lengthNormaliser(length: number, alpha: number): number {
  return alpha === 0 ? 1 : ((5 + length) / 6) ** alpha;
}

/**
 * GNMT coverage penalty β Σ_j log(min(Σ_i α_ij, 1)) over valid memory positions; a position never
 * attended is floored at 1e-3 so one of them costs β·log(1e-3) rather than -∞.
 */
export function coverageScore(
  coverage: Float32Array,
  valid: ArrayLike<number>,
  beta: number,
): number {
  if (beta === 0) return 0;
  let total = 0;
  for (let j = 0; j < coverage.length; j++) {
    if (valid[j]) total += Math.log(Math.max(Math.min(coverage[j]!, 1), 1e-3));
  }
  return beta * total;
}

export function finalScore(
  logProb: number,
  length: number,
  coverage: Float32Array,
  valid: ArrayLike<number>,
  alpha: number,
  beta: number,
): number {
  return logProb / lengthNormaliser(length, alpha) + coverageScore(coverage, valid, beta);
}
