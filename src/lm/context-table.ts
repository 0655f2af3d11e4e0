import { AttendError } from '../errors.js';

/** How an n-gram model smooths its counts (both LMs offer both). */
export type Smoothing = 'witten-bell' | 'kneser-ney';

/** How an n-gram file stores its counts: flat lists, which parse several times faster than nested. */
export interface ContextTableJson {
  /** Every context seen (its ids joined by ','), and how many continuations each has... */
  readonly contexts: readonly string[];
  readonly sizes: readonly number[];
  /** ...which follow in these lists, context by context, ids ascending. */
  readonly ids: readonly number[];
  readonly counts: readonly number[];
}

/** The first index in [lo, hi) of `sorted` whose value is not below `value` (hi if none). */
export function lowerBound<T>(sorted: ArrayLike<T>, value: T, lo = 0, hi = sorted.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts every n-gram (orders 1..order) of id sequences: for each context (the up to order-1 ids
 * before a position, joined by ','), how often each next id followed it.
 */
export function countNgrams(
  sequences: Iterable<readonly number[]>,
  order: number,
): Map<string, Map<number, number>> {
  const counts = new Map<string, Map<number, number>>();
  for (const sequence of sequences) {
    for (let i = 1; i < sequence.length; i++) {
      for (let k = 0; k < order && i - k >= 0; k++) {
        const key = sequence.slice(i - k, i).join(',');
        const entry = counts.get(key) ?? new Map<number, number>();
        entry.set(sequence[i]!, (entry.get(sequence[i]!) ?? 0) + 1);
        counts.set(key, entry);
      }
    }
  }
  return counts;
}

/**
 * An n-gram model's counts in three flat arrays (hundreds of thousands of small maps or typed
 * arrays took seconds to build): context c owns ids[starts[c]..starts[c+1]), ascending, and
 * cumulative[g] sums the counts of ids[0..g), so a count, a context's total and the count of an
 * id range are each a subtraction.
 */
export class ContextTable {
  private readonly index = new Map<string, number>();
  private readonly starts: Int32Array;
  readonly ids: Int32Array;
  readonly cumulative: Float64Array;

  constructor(table: ContextTableJson) {
    const { contexts, sizes, ids, counts } = table;
    if (sizes.length !== contexts.length || counts.length !== ids.length)
      throw new AttendError('n-gram count tables do not match in length');
    this.starts = new Int32Array(contexts.length + 1);
    contexts.forEach((key, c) => {
      this.index.set(key, c);
      this.starts[c + 1] = this.starts[c]! + sizes[c]!;
    });
    if (this.starts[contexts.length] !== ids.length)
      throw new AttendError('n-gram count tables do not match in length');
    this.ids = Int32Array.from(ids);
    this.cumulative = new Float64Array(ids.length + 1);
    for (let g = 0; g < ids.length; g++) this.cumulative[g + 1] = this.cumulative[g]! + counts[g]!;
  }

  static fromCounts(counts: Map<string, Map<number, number>>): ContextTable {
    const table = {
      contexts: [] as string[],
      sizes: [] as number[],
      ids: [] as number[],
      counts: [] as number[],
    };
    for (const [key, entry] of counts) {
      const continuations = [...entry].sort((a, b) => a[0] - b[0]);
      table.contexts.push(key);
      table.sizes.push(continuations.length);
      for (const [id, count] of continuations) {
        table.ids.push(id);
        table.counts.push(count);
      }
    }
    return new ContextTable(table);
  }

  /** Where a context's continuations are ([from, to) into ids), or undefined if never seen. */
  segment(key: string): { from: number; to: number } | undefined {
    const c = this.index.get(key);
    return c === undefined ? undefined : { from: this.starts[c]!, to: this.starts[c + 1]! };
  }

  /** The count of the continuation at g. */
  count(g: number): number {
    return this.cumulative[g + 1]! - this.cumulative[g]!;
  }

  toJson(): ContextTableJson {
    return {
      contexts: [...this.index.keys()],
      sizes: Array.from(this.starts.subarray(1), (end, c) => end - this.starts[c]!),
      ids: Array.from(this.ids),
      counts: Array.from(this.ids, (_, g) => this.count(g)),
    };
  }
}

/** How many ids a context key holds ('' is the empty context). */
const contextLength = (key: string): number => (key === '' ? 0 : key.split(',').length);

/**
 * Kneser-Ney's counts: a context shorter than order-1 words predicts with continuation counts,
 * N(· context w) = how many different ids came before `context w`, because it only speaks when
 * the longer context has not seen w. Contexts that begin with <s> (nothing comes before them)
 * and the longest ones keep their raw counts.
 */
function continuationCounts(
  counts: Map<string, Map<number, number>>,
  order: number,
  start: number,
): Map<string, Map<number, number>> {
  const continued = new Map<string, Map<number, number>>();
  for (const [key, next] of counts) {
    if (key === '') continue;
    const shorter = key.includes(',') ? key.slice(key.indexOf(',') + 1) : '';
    const entry = continued.get(shorter) ?? new Map<number, number>();
    for (const id of next.keys()) entry.set(id, (entry.get(id) ?? 0) + 1);
    continued.set(shorter, entry);
  }
  return new Map(
    [...counts].map(([key, next]) => {
      const raw = contextLength(key) === order - 1 || key.split(',')[0] === String(start);
      return [key, raw ? next : (continued.get(key) ?? next)];
    }),
  );
}

/**
 * D = n1 / (n1 + 2·n2) for contexts of 0, 1, ... order-1 ids (Ney et al. 1994), n1 and n2 the
 * continuations seen once and twice, all in one pass over the counts.
 */
function discountsOf(counts: Map<string, Map<number, number>>, order: number): number[] {
  const n1 = new Array<number>(order).fill(0);
  const n2 = new Array<number>(order).fill(0);
  for (const [key, next] of counts) {
    const k = contextLength(key);
    for (const c of next.values()) {
      if (c === 1) n1[k]!++;
      else if (c === 2) n2[k]!++;
    }
  }
  return n1.map((ones, k) => {
    const twos = n2[k]!;
    return ones + twos > 0 ? Math.min(0.95, Math.max(0.05, ones / (ones + 2 * twos))) : 0.5;
  });
}

/**
 * The count table and discounts an n-gram model of either smoothing keeps: raw counts for
 * Witten-Bell; continuation counts and one discount per context length for Kneser-Ney.
 */
export function smoothedTable(
  counts: Map<string, Map<number, number>>,
  order: number,
  start: number,
  smoothing: Smoothing,
): { table: ContextTable; discounts: number[] } {
  if (smoothing === 'witten-bell') return { table: ContextTable.fromCounts(counts), discounts: [] };
  const continued = continuationCounts(counts, order, start);
  return { table: ContextTable.fromCounts(continued), discounts: discountsOf(continued, order) };
}

/** Whether a file's `smoothing` is one this code reads. */
export const isSmoothing = (value: unknown): value is Smoothing =>
  value === 'witten-bell' || value === 'kneser-ney';

/** Throws unless a model's discounts fit its smoothing (Kneser-Ney: one per context length). */
export function checkDiscounts(smoothing: Smoothing, discounts: readonly number[], order: number) {
  if (smoothing === 'kneser-ney' && discounts.length !== order)
    throw new AttendError(`Kneser-Ney needs ${order} discounts, got ${discounts.length}`);
}

/**
 * One level of interpolation, p(w|h) = (c(h,w) − discount + share·p(w|h')) / denominator:
 * Witten-Bell has no discount, share = the context's distinct continuations and denominator =
 * its total + those; Kneser-Ney takes D off every count and gives the context's D·(distinct
 * continuations) to the shorter context, over the total.
 */
export function interpolation(
  smoothing: Smoothing,
  discount: number,
  total: number,
  distinct: number,
): { discount: number; share: number; denominator: number } {
  return smoothing === 'kneser-ney'
    ? { discount, share: discount * distinct, denominator: total }
    : { discount: 0, share: distinct, denominator: total + distinct };
}
