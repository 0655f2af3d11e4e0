import { tf } from '../runtime/tf.js';
import { prng } from '../util/random.js';
import type { SparsePatternConfig } from './types.js';

/**
 * A static sparse pattern over a sequence of `length`, in the blocked form the sparse attention
 * computes with: the sequence is cut into blocks of `block` tokens, each query block reads the key
 * blocks listed in `keyBlocks` (padded with -1), and `allowed` decides token by token.
 * `order` (dilated patterns) permutes tokens first so that strided neighbours become adjacent.
 */
export interface SparsePattern {
  readonly length: number;
  readonly block: number;
  readonly keyBlocks: readonly (readonly number[])[];
  readonly allowed: (query: number, key: number) => boolean;
  readonly order?: Int32Array;
}

const blocksOf = (length: number, block: number): number => Math.ceil(length / block);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const neighbours = (b: number, count: number, reach: number): number[] =>
  range(2 * reach + 1)
    .map((i) => b - reach + i)
    .filter((x) => x >= 0 && x < count);

export function buildPattern(config: SparsePatternConfig, length: number): SparsePattern {
  switch (config.type) {
    case 'band': {
      const block = Math.max(1, config.width);
      const count = blocksOf(length, block);
      return {
        length,
        block,
        keyBlocks: range(count).map((b) => neighbours(b, count, 1)),
        allowed: (q, k) => Math.abs(q - k) <= config.width,
      };
    }
    case 'dilated': {
      const { width, dilation } = config;
      // Tokens sorted by residue class: a dilated band becomes a plain band of `width` per class.
      const order = Int32Array.from(
        range(length).sort((a, b) => (a % dilation) - (b % dilation) || a - b),
      );
      const block = Math.max(1, width);
      const count = blocksOf(length, block);
      return {
        length,
        block,
        order,
        keyBlocks: range(count).map((b) => neighbours(b, count, 1)),
        allowed: (q, k) => (k - q) % dilation === 0 && Math.abs(k - q) <= width * dilation,
      };
    }
    case 'block': {
      const count = blocksOf(length, config.block);
      return {
        length,
        block: config.block,
        keyBlocks: range(count).map((b) => [b]),
        allowed: (q, k) => Math.floor(q / config.block) === Math.floor(k / config.block),
      };
    }
    case 'random': {
      // Token-level random keys, computed per row; blocks of one token keep it exact.
      const next = prng(config.seed);
      const rows = range(length).map(
        () => new Set(range(config.perRow).map(() => Math.floor(next() * length))),
      );
      const block = Math.max(1, Math.ceil(Math.sqrt(length)));
      const count = blocksOf(length, block);
      const keyBlocks = range(count).map((b) => {
        const set = new Set<number>();
        for (let q = b * block; q < Math.min(length, (b + 1) * block); q++) {
          for (const k of rows[q]!) set.add(Math.floor(k / block));
        }
        return [...set].sort((x, y) => x - y);
      });
      return { length, block, keyBlocks, allowed: (q, k) => rows[q]!.has(k) };
    }
    case 'global': {
      const tokens = new Set(config.tokens.filter((t) => t < length));
      const block = Math.max(1, Math.ceil(Math.sqrt(length)));
      const count = blocksOf(length, block);
      const globalBlocks = [...new Set([...tokens].map((t) => Math.floor(t / block)))];
      const keyBlocks = range(count).map((b) => {
        const hasGlobalQuery = [...tokens].some((t) => Math.floor(t / block) === b);
        return hasGlobalQuery ? range(count) : globalBlocks.slice().sort((x, y) => x - y);
      });
      return { length, block, keyBlocks, allowed: (q, k) => tokens.has(q) || tokens.has(k) };
    }
    case 'union': {
      const parts = config.parts.map((p) => buildPattern(p, length));
      if (parts.some((p) => p.order))
        throw new Error('a union of sparse patterns cannot include dilated parts');
      // Computed at the smallest block size; each part's key blocks re-expressed in it.
      const block = Math.min(...parts.map((p) => p.block));
      const count = blocksOf(length, block);
      const keyBlocks = range(count).map((b) => {
        const set = new Set<number>();
        for (const part of parts) {
          for (let q = b * block; q < Math.min(length, (b + 1) * block); q++) {
            for (const kb of part.keyBlocks[Math.floor(q / part.block)] ?? []) {
              for (let k = kb * part.block; k < Math.min(length, (kb + 1) * part.block); k++)
                set.add(Math.floor(k / block));
            }
          }
        }
        return [...set].sort((x, y) => x - y);
      });
      return { length, block, keyBlocks, allowed: (q, k) => parts.some((p) => p.allowed(q, k)) };
    }
  }
}

/** The pattern as a dense [T, T] keep-mask (what "full attention with this mask" uses). */
export function denseMask(pattern: SparsePattern): tf.Tensor2D {
  const { length } = pattern;
  const values = new Float32Array(length * length);
  for (let q = 0; q < length; q++) {
    for (let k = 0; k < length; k++) values[q * length + k] = pattern.allowed(q, k) ? 1 : 0;
  }
  return tf.tensor2d(values, [length, length]);
}
