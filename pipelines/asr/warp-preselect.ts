import type { Features } from '../../src/audio/features.js';
import { type AsrModel, padFeatures } from '../../src/models/asr.js';

/**
 * How well the model hears each item: the score (length penalty included) of its greedy
 * attention decode, all items in one batch. Test-time vocal-tract normalisation ranks an
 * utterance's warps by it and beam-searches only the best few: on 100 test utterances picking
 * the warp this way was as good as picking by the full search's score, while the mean per-frame
 * log-probability of the CTC best path (blank frames dominate it) was no better than not warping.
 */
export function greedyScores(model: AsrModel, items: readonly Features[]): number[] {
  if (items.length === 0) return [];
  const batch = padFeatures(items);
  try {
    return model
      .transcribeFeatures(batch.features, batch.lengths, { beamSize: 1 })
      .map((list) => list[0]?.score ?? Number.NEGATIVE_INFINITY);
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
