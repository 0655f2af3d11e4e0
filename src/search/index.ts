import type { Decoder } from '../decoder/types.js';
import type { tf } from '../runtime/tf.js';
import { beamSearch, type Fusion } from './beam.js';
import { greedySearch } from './greedy.js';
import { DEFAULT_DECODING, type DecodingOptions, type Hypothesis } from './types.js';

export type { Fusion } from './beam.js';
export type { DecodingOptions, Hypothesis } from './types.js';
export { beamSearch, DEFAULT_DECODING, greedySearch };

/**
 * Greedy when beamSize is 1 and nothing is fused, beam search otherwise (a beam of 1 with fused
 * scorers is greedy on the fused score); n-best hypotheses per input.
 */
export function decode(
  decoder: Decoder,
  memory: tf.Tensor3D,
  memoryMask: tf.Tensor2D,
  options: Partial<DecodingOptions> & Pick<DecodingOptions, 'startToken' | 'endToken'>,
  fusion?: Fusion,
): Hypothesis[][] {
  const full: DecodingOptions = { ...DEFAULT_DECODING, ...options };
  const fused = fusion?.scorers.some((list) => list.length > 0) ?? false;
  if (full.beamSize <= 1 && full.lengthPenalty === 0 && full.coveragePenalty === 0 && !fused) {
    return greedySearch(decoder, memory, memoryMask, full);
  }
  return beamSearch(
    decoder,
    memory,
    memoryMask,
    { ...full, nBest: Math.min(full.nBest, full.beamSize) },
    fused ? fusion : undefined,
  );
}
