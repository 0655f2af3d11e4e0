export const NEG_INF = Number.NEGATIVE_INFINITY;

/** log(e^a + e^b) without overflow; -∞ is the identity. */
export function logAdd(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
