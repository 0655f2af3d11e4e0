import type { Decoder } from '../decoder/types.js';
import { tf } from '../runtime/tf.js';
import { finalScore, lengthNormaliser } from './penalties.js';
import type { WeightedScorer } from './scorer.js';
import { Stepper } from './stepper.js';
import type { DecodingOptions, Hypothesis } from './types.js';

interface Beam {
  tokens: number[];
  /** The decoder's log p of each token in `tokens`. */
  tokenLogProbs: number[];
  logProb: number;
  weights: Float32Array[];
  coverage: Float32Array;
  /** Each fused scorer's state for this prefix (see Fusion). */
  states: unknown[];
}

interface Candidate {
  parent: number; // slot
  token: number;
  logProb: number;
}

/**
 * Shallow fusion / joint decoding: a hypothesis's score is decoderWeight·log p_decoder plus each
 * scorer's weight times its score (e.g. (1-λ)·attention + λ·CTC prefix + β·LM, as ESPnet does).
 * scorers[b] serve input b.
 */
export interface Fusion {
  readonly decoderWeight: number;
  readonly scorers: readonly (readonly WeightedScorer[])[];
  /**
   * Score only the decoder's `preBeam` best tokens (and the end token) with the scorers; the
   * rest are dropped (ESPnet's pre-beam: a CTC prefix score costs O(frames) per token).
   */
  readonly preBeam?: number;
}

/** The `count` highest-scoring token ids of a row. */
function topTokens(row: Float32Array, count: number): number[] {
  return Array.from(row.keys())
    .sort((a, b) => row[b]! - row[a]!)
    .slice(0, count);
}

/** The step's score of every token after `beam`: the decoder's, plus the fused scorers'. */
function stepScores(
  beam: Beam,
  decoderRow: Float32Array,
  fusion: Fusion | undefined,
  scorers: readonly WeightedScorer[] | undefined,
  endToken: number,
): Float32Array {
  if (!fusion || !scorers || scorers.length === 0) return decoderRow;
  const total = decoderRow.map((v) => fusion.decoderWeight * v);
  let candidates: number[] | undefined;
  if (fusion.preBeam !== undefined && fusion.preBeam < decoderRow.length) {
    candidates = topTokens(decoderRow, fusion.preBeam);
    if (!candidates.includes(endToken)) candidates.push(endToken);
    const kept = new Set(candidates);
    for (let v = 0; v < total.length; v++) if (!kept.has(v)) total[v] = Number.NEGATIVE_INFINITY;
  }
  scorers.forEach(({ scorer, weight }, i) => {
    if (weight === 0) return; // 0·(-∞) would be NaN
    const scores = scorer.scores(beam.states[i], candidates);
    for (const v of candidates ?? total.keys()) total[v]! += weight * scores[v]!;
  });
  return total;
}

/** The best `count` (slot, token) extensions of the live beams of one input. */
function topCandidates(
  beams: (Beam | undefined)[],
  rowScores: (slot: number, beam: Beam) => Float32Array,
  count: number,
): Candidate[] {
  const best: Candidate[] = [];
  beams.forEach((beam, slot) => {
    if (!beam) return;
    const row = rowScores(slot, beam);
    for (let v = 0; v < row.length; v++) {
      const logProb = beam.logProb + row[v]!;
      if (best.length < count || logProb > best[best.length - 1]!.logProb) {
        best.push({ parent: slot, token: v, logProb });
        best.sort((a, b) => b.logProb - a.logProb);
        if (best.length > count) best.pop();
      }
    }
  });
  return best;
}

/**
 * Batched beam search over any decoder: K hypotheses per input share one decoder batch of B·K
 * rows; each step keeps the K best extensions that did not end, moves ended ones to the finished
 * list (scored with GNMT length and coverage penalties), and reorders the decoder state to match.
 * An input is done once no live hypothesis can beat its n-th best finished one, or at maxLength.
 */
export function beamSearch(
  decoder: Decoder,
  memory: tf.Tensor3D,
  memoryMask: tf.Tensor2D,
  options: DecodingOptions,
  fusion?: Fusion,
): Hypothesis[][] {
  const [batch, length] = memory.shape;
  const k = options.beamSize;
  const expand = tf.tensor1d(
    Array.from({ length: batch * k }, (_, i) => Math.floor(i / k)),
    'int32',
  );
  const beamMemory = tf.gather(memory, expand) as tf.Tensor3D;
  const beamMask = tf.gather(memoryMask, expand) as tf.Tensor2D;
  expand.dispose();
  const valid = memoryMask.arraySync() as number[][];
  const stepper = new Stepper(decoder, beamMemory, beamMask);
  const beams: (Beam | undefined)[][] = Array.from({ length: batch }, (_, b) => [
    {
      tokens: [],
      tokenLogProbs: [],
      logProb: 0,
      weights: [],
      coverage: new Float32Array(length),
      states: (fusion?.scorers[b] ?? []).map(({ scorer }) => scorer.initial()),
    },
    ...Array<undefined>(k - 1).fill(undefined),
  ]);
  const finished: Hypothesis[][] = Array.from({ length: batch }, () => []);
  const done = new Array<boolean>(batch).fill(false);
  const tokens = new Int32Array(batch * k).fill(options.startToken);
  const score = (logProb: number, steps: number, coverage: Float32Array, b: number) =>
    finalScore(logProb, steps, coverage, valid[b]!, options.lengthPenalty, options.coveragePenalty);

  // An input is done when no live hypothesis can still beat the n-th best finished one: log P only
  // falls as a hypothesis grows (but for what bonus scorers declare they can still add), the
  // length normaliser is largest at maxLength, coverage adds ≤ 0.
  const maxGain = Array.from({ length: batch }, (_, b) =>
    (fusion?.scorers[b] ?? []).reduce(
      (sum, { scorer, weight }) => sum + weight * (scorer.maxGain ?? 0),
      0,
    ),
  );
  const bestPossible = (beam: Beam, b: number) => {
    const most = beam.logProb + maxGain[b]!;
    // The normaliser is ≥ 1 and largest at maxLength: a negative score's bound; a positive one only shrinks.
    return most > 0 ? most : most / lengthNormaliser(options.maxLength, options.lengthPenalty);
  };
  const cannotImprove = (live: Beam[], done: Hypothesis[], b: number): boolean => {
    if (done.length < options.nBest) return false;
    const nth = done.map((h) => h.score).sort((x, y) => y - x)[options.nBest - 1]!;
    return live.every((beam) => bestPossible(beam, b) <= nth);
  };
  try {
    for (let t = 0; t < options.maxLength && done.some((d) => !d); t++) {
      const { logProbs, weights } = stepper.step(tokens);
      const vocab = logProbs.length / (batch * k);
      const parents = new Int32Array(batch * k);
      for (let b = 0; b < batch; b++) {
        const slots = beams[b]!;
        const next: Beam[] = [];
        if (!done[b]) {
          const rowScores = (slot: number, beam: Beam) =>
            stepScores(
              beam,
              logProbs.subarray((b * k + slot) * vocab, (b * k + slot + 1) * vocab),
              fusion,
              fusion?.scorers[b],
              options.endToken,
            );
          for (const candidate of topCandidates(slots, rowScores, 2 * k)) {
            if (next.length === k) break;
            const parent = slots[candidate.parent]!;
            const row = (b * k + candidate.parent) * length;
            const attention = weights.slice(row, row + length);
            const coverage = parent.coverage.map((c, j) => c + attention[j]!);
            const ends = candidate.token === options.endToken;
            const decoderLogProb = logProbs[(b * k + candidate.parent) * vocab + candidate.token]!;
            const extended: Beam = {
              tokens: ends ? parent.tokens : [...parent.tokens, candidate.token],
              tokenLogProbs: ends
                ? parent.tokenLogProbs
                : [...parent.tokenLogProbs, decoderLogProb],
              logProb: candidate.logProb,
              weights: [...parent.weights, attention],
              coverage,
              states: ends
                ? parent.states
                : (fusion?.scorers[b] ?? []).map(({ scorer }, i) =>
                    scorer.advance(parent.states[i], candidate.token),
                  ),
            };
            if (ends) {
              const steps = extended.tokens.length + 1;
              const { tokens: emitted, tokenLogProbs, logProb, weights: rows } = extended;
              finished[b]!.push({
                tokens: emitted,
                tokenLogProbs,
                logProb,
                weights: rows,
                finished: true,
                score: score(logProb, steps, coverage, b),
              });
            } else {
              parents[b * k + next.length] = b * k + candidate.parent;
              tokens[b * k + next.length] = candidate.token;
              next.push(extended);
            }
          }
          done[b] = next.length === 0 || cannotImprove(next, finished[b]!, b);
        }
        // Unused slots keep pointing at a valid row; their results are never read.
        for (let j = next.length; j < k; j++) parents[b * k + j] = b * k;
        beams[b] = done[b]
          ? Array<undefined>(k).fill(undefined)
          : [...next, ...Array<undefined>(k - next.length).fill(undefined)];
      }
      stepper.select(parents);
    }
  } finally {
    stepper.dispose();
    tf.dispose([beamMemory, beamMask]);
  }

  return finished.map((list, b) => {
    const unfinished = (beams[b] ?? [])
      .filter((beam): beam is Beam => beam !== undefined)
      .map((beam) => ({
        tokens: beam.tokens,
        tokenLogProbs: beam.tokenLogProbs,
        logProb: beam.logProb,
        weights: beam.weights,
        finished: false,
        score: score(beam.logProb, beam.tokens.length, beam.coverage, b),
      }));
    const all = list.length > 0 ? list : unfinished;
    return all.sort((x, y) => y.score - x.score).slice(0, options.nBest);
  });
}
