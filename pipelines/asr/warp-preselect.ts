import type { Features } from '../../src/audio/features.js';
import { type AsrModel, padFeatures } from '../../src/models/asr.js';
import { tf } from '../../src/runtime/tf.js';

/**
 * How well the model hears each item: the mean per-frame log-probability of its CTC best path
 * (the most likely label or blank in every frame). One encoder pass and no search, so test-time
 * vocal-tract normalisation can rank many warps of an utterance by it (as classic VTLN picks
 * the warp of highest likelihood) and beam-search only the best few.
 */
export function ctcBestPathScores(model: AsrModel, items: readonly Features[]): number[] {
  if (items.length === 0) return [];
  const batch = padFeatures(items);
  try {
    const { best, lengths } = tf.tidy(() => {
      const encoded = model.encode(batch.features, batch.lengths, false);
      return { best: model.ctcLogProbs(encoded.memory).max(2), lengths: encoded.lengths };
    });
    const frames = best.shape[1]!;
    const values = best.dataSync() as Float32Array;
    best.dispose();
    return lengths.map((length, b) => {
      let sum = 0;
      for (let t = 0; t < length; t++) sum += values[b * frames + t]!;
      return length > 0 ? sum / length : Number.NEGATIVE_INFINITY;
    });
  } finally {
    batch.features.dispose();
  }
}

/**
 * Which of `groups` groups of `size` consecutive items to keep: the `keep` best-scoring of each
 * group, as indices into the flat list, in order.
 */
export function bestOfEachGroup(scores: readonly number[], size: number, keep: number): number[] {
  const chosen: number[] = [];
  for (let start = 0; start < scores.length; start += size) {
    const group = Array.from(
      { length: Math.min(size, scores.length - start) },
      (_, i) => start + i,
    );
    group.sort((a, b) => scores[b]! - scores[a]!);
    chosen.push(...group.slice(0, keep).sort((a, b) => a - b));
  }
  return chosen;
}
