import { describe, expect, it } from 'vitest';
import { AttendError } from '../../src/errors.js';
import { CTC_ALIGN_BEAM, ctcForcedAlign, framesNeeded } from '../../src/search/ctc-align.js';
import { prng } from '../../src/util/random.js';
import { ctcPaths } from '../helpers/ctc-paths.js';

/** Log-softmax rows from unnormalised scores. */
function logSoftmaxRows(scores: number[][]): Float32Array {
  return Float32Array.from(
    scores.flatMap((row) => {
      const total = Math.log(row.reduce((sum, x) => sum + Math.exp(x), 0));
      return row.map((x) => x - total);
    }),
  );
}

function randomLogProbs(frames: number, vocab: number, seed: number, sharpness = 2): Float32Array {
  const random = prng(seed);
  return logSoftmaxRows(
    Array.from({ length: frames }, () => Array.from({ length: vocab }, () => sharpness * random())),
  );
}

/** The best frame path whose collapse is `targets`, by enumerating all vocab^frames paths. */
function bruteForceBest(lp: Float32Array, frames: number, vocab: number, targets: number[]) {
  let best = Number.NEGATIVE_INFINITY;
  let bestPath: number[] = [];
  for (const { path, collapsed } of ctcPaths(frames, vocab)) {
    if (collapsed.length !== targets.length || collapsed.some((c, i) => c !== targets[i])) continue;
    const score = path.reduce((sum, s, t) => sum + lp[t * vocab + s]!, 0);
    if (score > best) {
      best = score;
      bestPath = path;
    }
  }
  return { best, bestPath };
}

describe('ctcForcedAlign', () => {
  it('finds the best path that spells the targets, as brute force does', () => {
    const vocab = 4;
    for (const [frames, targets] of [
      [5, [1, 2]],
      [6, [2, 2]],
      [6, [1, 3, 1]],
      [7, [3]],
    ] as [number, number[]][]) {
      for (let seed = 1; seed <= 5; seed++) {
        const lp = randomLogProbs(frames, vocab, seed * 31 + frames);
        const { best, bestPath } = bruteForceBest(lp, frames, vocab, targets);
        const alignment = ctcForcedAlign(lp, vocab, targets, { beam: Number.POSITIVE_INFINITY });
        expect(alignment.logProb).toBeCloseTo(best, 4);
        // Each token's span is where the best path emits it (first run of its label).
        let k = 0;
        bestPath.forEach((label, t) => {
          if (label !== 0 && label !== bestPath[t - 1]) {
            expect(alignment.tokens[k]!.start).toBe(t);
            k++;
          }
        });
      }
    }
  });

  it('may leave out an optional token, as brute force over every spelling with or without it', () => {
    const vocab = 4;
    const space = 3;
    for (const [frames, targets, spellings] of [
      [
        3,
        [1, 3, 2],
        [
          [1, 3, 2],
          [1, 2],
        ],
      ],
      [
        5,
        [1, 3, 2, 3, 1],
        [
          [1, 3, 2, 3, 1],
          [1, 2, 3, 1],
          [1, 3, 2, 1],
          [1, 2, 1],
        ],
      ],
      [
        4,
        [1, 3, 1],
        [
          [1, 3, 1],
          [1, 1],
        ],
      ], // the same token on both sides: a blank or the space between
    ] as [number, number[], number[][]][]) {
      for (let seed = 1; seed <= 5; seed++) {
        const lp = randomLogProbs(frames, vocab, seed * 17 + frames, 4);
        const best = Math.max(...spellings.map((t) => bruteForceBest(lp, frames, vocab, t).best));
        const alignment = ctcForcedAlign(lp, vocab, targets, { optionalToken: space });
        expect(alignment.logProb).toBeCloseTo(best, 4);
        expect(alignment.tokens).toHaveLength(targets.length);
        for (let k = 1; k < targets.length; k++)
          expect(alignment.tokens[k]!.start).toBeGreaterThanOrEqual(alignment.tokens[k - 1]!.end);
      }
    }
    // Two frames hold "1 _ 2" only without its space; the skipped space sits, empty, between.
    const lp = logSoftmaxRows([
      [0, 9, 0, 0],
      [0, 0, 9, 0],
    ]);
    expect(() => ctcForcedAlign(lp, vocab, [1, space, 2])).toThrow(/too short/);
    expect(ctcForcedAlign(lp, vocab, [1, space, 2], { optionalToken: space }).tokens).toEqual([
      expect.objectContaining({ start: 0, end: 1 }),
      { start: 1, end: 1, logProb: 0 },
      expect.objectContaining({ start: 1, end: 2 }),
    ]);
    expect(framesNeeded([1, space, 2], space)).toBe(2);
    expect(framesNeeded([1, space, 1], space)).toBe(3);
    expect(framesNeeded([1, space, 2])).toBe(3);
  });

  it('recovers the frames of a peaked output, with spans in order', () => {
    // 12 frames, tokens 1 at 2-3, 2 at 6, 1 again at 9: blanks elsewhere.
    const where = new Map([
      [2, 1],
      [3, 1],
      [6, 2],
      [9, 1],
    ]);
    const lp = logSoftmaxRows(
      Array.from({ length: 12 }, (_, t) =>
        [0, 1, 2].map((v) => (v === (where.get(t) ?? 0) ? 8 : 0)),
      ),
    );
    const alignment = ctcForcedAlign(lp, 3, [1, 2, 1]);
    expect(alignment.tokens.map(({ start, end }) => [start, end])).toEqual([
      [2, 4],
      [6, 7],
      [9, 10],
    ]);
    expect(alignment.tokens[0]!.logProb).toBeLessThan(0);
  });

  it('puts a blank between repeated tokens, even when the frames are exactly enough', () => {
    expect(framesNeeded([1, 1, 2])).toBe(4);
    const lp = randomLogProbs(4, 3, 7);
    const alignment = ctcForcedAlign(lp, 3, [1, 1, 2]);
    expect(alignment.tokens.map((s) => s.start)).toEqual([0, 2, 3]);
    expect(() => ctcForcedAlign(randomLogProbs(3, 3, 7), 3, [1, 1, 2])).toThrow(AttendError);
    expect(() => ctcForcedAlign(randomLogProbs(3, 3, 7), 3, [1, 1, 2])).toThrow(/too short/);
  });

  it('prunes long recordings without changing the answer on a clear output', () => {
    // 3000 frames, 400 tokens emitted every ~7 frames: pruned and exact searches agree.
    const vocab = 6;
    const random = prng(3);
    const targets = Array.from({ length: 400 }, () => 1 + Math.floor(random() * (vocab - 1)));
    const at = new Map(targets.map((token, k) => [5 + k * 7 + Math.floor(random() * 3), token]));
    const lp = logSoftmaxRows(
      Array.from({ length: 3000 }, (_, t) =>
        Array.from({ length: vocab }, (_, v) => (v === (at.get(t) ?? 0) ? 4 : random())),
      ),
    );
    const pruned = ctcForcedAlign(lp, vocab, targets, { beam: CTC_ALIGN_BEAM });
    const exact = ctcForcedAlign(lp, vocab, targets);
    expect(pruned.logProb).toBeCloseTo(exact.logProb, 3);
    expect(pruned.tokens).toEqual(exact.tokens);
    expect(pruned.tokens.every((s, k) => s.start === [...at.keys()][k])).toBe(true);
  });

  it('keeps the true path when pruning a long output on which blanks are likelier than the text', () => {
    // Every frame: blank log-prob about -0.6, the frame's token about -1.0: a path of blanks
    // outscores the true one by 0.4 a frame, so ranking by score alone loses the true path.
    const vocab = 5;
    const random = prng(9);
    const targets = Array.from({ length: 1500 }, () => 1 + Math.floor(random() * (vocab - 1)));
    const lp = logSoftmaxRows(
      Array.from({ length: 2000 }, (_, t) => {
        const token = targets[Math.floor((t * targets.length) / 2000)]!;
        return Array.from({ length: vocab }, (_, v) => (v === 0 ? 2 : v === token ? 1.6 : 0));
      }),
    );
    const exact = ctcForcedAlign(lp, vocab, targets);
    expect(() =>
      ctcForcedAlign(lp, vocab, targets, { beam: CTC_ALIGN_BEAM, progressBonus: 0 }),
    ).toThrow(/lost every path/);
    const pruned = ctcForcedAlign(lp, vocab, targets, { beam: CTC_ALIGN_BEAM });
    expect(pruned.logProb).toBeGreaterThan(exact.logProb - 0.01 * Math.abs(exact.logProb));
  });

  it('lets audio the text leaves out, before and after it, go untranscribed', () => {
    // Frames 0-5 say token 2 (speech the text [1] does not have), a little more like 1 than
    // blank; frame 8 says 1; the rest is blank.
    const lp = logSoftmaxRows(
      Array.from({ length: 12 }, (_, t) =>
        t < 6 ? [0, 3, 6] : [0, 1, 2].map((v) => (v === (t === 8 ? 1 : 0) ? 6 : 0)),
      ),
    );
    // Forced, the text's 1 is stretched back over the untranscribed speech.
    expect(ctcForcedAlign(lp, 3, [1]).tokens[0]!.start).toBe(0);
    // Allowed to go untranscribed, the speech does, and the 1 is where it is said.
    const free = ctcForcedAlign(lp, 3, [1], { untranscribedPenalty: 1 });
    expect(free.tokens[0]).toMatchObject({ start: 8, end: 9 });
    // The same at the end: the speech after the text is left out, not blank-forced.
    const reversed = logSoftmaxRows(
      Array.from({ length: 12 }, (_, t) =>
        t >= 6 ? [0, 3, 6] : [0, 1, 2].map((v) => (v === (t === 3 ? 1 : 0) ? 6 : 0)),
      ),
    );
    expect(ctcForcedAlign(reversed, 3, [1]).tokens[0]!.end).toBe(12);
    const tail = ctcForcedAlign(reversed, 3, [1], { untranscribedPenalty: 1 });
    expect(tail.tokens[0]).toMatchObject({ start: 3, end: 4 });
  });

  it("lets speech between two words go untranscribed in the optional token's place", () => {
    // Text "1 _ 2" (3 the optional space). Frame 1 says 1, frames 3-8 say 4 (speech the text
    // does not have), a little more like 1 than blank; frame 10 says 2; the rest is blank.
    const lp = logSoftmaxRows(
      Array.from({ length: 12 }, (_, t) => {
        if (t >= 3 && t <= 8) return [0, 3, 0, 0, 6];
        const said = t === 1 ? 1 : t === 10 ? 2 : 0;
        return [0, 1, 2, 3, 4].map((v) => (v === said ? 6 : 0));
      }),
    );
    const options = { optionalToken: 3 };
    // Without it, the 1 is stretched over the speech after it.
    expect(ctcForcedAlign(lp, 5, [1, 3, 2], options).tokens[0]!.end).toBe(9);
    // With it, both words stay where they are said; the speech sits in the space's place.
    const free = ctcForcedAlign(lp, 5, [1, 3, 2], { ...options, interruptionPenalty: 2.5 });
    expect(free.tokens.map(({ start, end }) => [start, end])).toEqual([
      [1, 2],
      [2, 9], // frame 9 is blank
      [10, 11],
    ]);
  });

  it('aligns an empty text as all blank', () => {
    const lp = randomLogProbs(5, 3, 2);
    const alignment = ctcForcedAlign(lp, 3, []);
    expect(alignment.tokens).toEqual([]);
    const blanks = [0, 1, 2, 3, 4].reduce((sum, t) => sum + lp[t * 3]!, 0);
    expect(alignment.logProb).toBeCloseTo(blanks, 5);
  });
});
