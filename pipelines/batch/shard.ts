import { createHash } from 'node:crypto';
import { AttendError } from '../../src/errors.js';

export interface Shard {
  readonly index: number; // 0-based
  readonly count: number;
}

/** "i/n" with 1 <= i <= n (as a scheduler's job index + 1 would give it). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new AttendError(`--shard: '${text}' is not i/n with 1 <= i <= n`);
  return { index: index - 1, count };
}

/**
 * Whether an item belongs to a shard: by a hash of its id, not its position, so that the split
 * does not change when items are added to the input or listed in another order.
 */
export function inShard(id: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  const digest = createHash('sha1').update(id).digest();
  return digest.readUInt32BE(0) % shard.count === shard.index;
}
