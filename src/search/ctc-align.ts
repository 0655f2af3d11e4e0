import { AttendError } from '../errors.js';

/** Where the best CTC path puts one target token: the frames it emits it on. */
export interface TokenSpan {
  /** First frame of the token's run of frames. */
  readonly start: number;
  /** One past the last frame of the run. */
  readonly end: number;
  /** Sum of the CTC log-probabilities of the token on those frames. */
  readonly logProb: number;
}

export interface CtcAlignment {
  /** One span per target token, in order; spans never overlap. */
  readonly tokens: TokenSpan[];
  /** Log-probability of the whole best path (blanks included). */
  readonly logProb: number;
}

export interface CtcAlignOptions {
  /** The blank's id (0 in every attend tokenizer). */
  readonly blank?: number;
  /**
   * Prune with this beam. By default none (the exact search) unless the recording is too long to
   * search whole (over MAX_EXACT_CELLS frames × states), then CTC_ALIGN_BEAM. Pruning drops the
   * states whose rank (score plus PROGRESS_BONUS a token said) falls this far (nats) below the
   * frame's best, so memory grows with the length, not length × text. A best effort: it may miss
   * the best path, or lose every path (then it throws).
   */
  readonly beam?: number;
  /**
   * Audio before the text's first token and after its last may be speech the text leaves out
   * (an intro, a partial script): such frames are "garbage", scored as the frame's likeliest
   * token minus this penalty (nats a frame), instead of being forced into blanks. Absent: every
   * frame belongs to the text.
   */
  readonly untranscribedPenalty?: number;
  /** Nats per token said that pruning credits a path with (PROGRESS_BONUS by default). */
  readonly progressBonus?: number;
  /**
   * A token that may go unsaid: the space between words, which fast speech leaves no frame for
   * (a frame is 40 ms). Between two different tokens it may take no frame at all (a skipped one
   * gets a zero-length span where the next token starts); its frames may be blank instead.
   */
  readonly optionalToken?: number;
  /**
   * Speech between two words that the text leaves out (an ad-lib, a line off the script) may go
   * untranscribed too, at this penalty (nats a frame), in the optional token's place. Higher than
   * untranscribedPenalty: audio that is free to leave out lets the words wander. Absent: none.
   */
  readonly interruptionPenalty?: number;
}

/** Default pruning beam, for recordings too long for the exact search. */
export const CTC_ALIGN_BEAM = 100;

/**
 * Nats per token said that pruning credits a path with (rank in viterbi). 13 minutes of the
 * held-out test voices back to back (19,569 frames, 13,066 tokens): the true path averages -1.55
 * a frame, a path of blanks about -1, so pruning without it lost the true path at any beam under
 * ~10,000; with 2 and beam 100 it finds a path 0.1% below the best.
 */
const PROGRESS_BONUS = 2;

/**
 * Frames × states searched exactly (no pruning): back-pointers take 2 bits a cell, so this is
 * at most 300 MB; about 20 minutes of speech and its text.
 */
const MAX_EXACT_CELLS = 1_200_000_000;

/**
 * Frames CTC needs for `targets`: one per token, plus a blank between each repeated pair; an
 * optional token between two different ones needs none.
 */
export function framesNeeded(targets: readonly number[], optionalToken?: number): number {
  const said = targets.filter(
    (t, i) =>
      t !== optionalToken ||
      i === 0 ||
      i === targets.length - 1 ||
      targets[i - 1] === targets[i + 1],
  );
  let repeats = 0;
  for (let i = 1; i < said.length; i++) if (said[i] === said[i - 1]) repeats++;
  return said.length + repeats;
}

/**
 * Forced alignment: the single most likely CTC path (Viterbi) through `targets`, given one
 * utterance's [frames, vocab] CTC log-softmax (row-major). The path runs over blank, t1, blank,
 * t2, ..., blank; a state may repeat, advance one, or skip the blank between different tokens.
 * Throws when the frames cannot hold the text.
 */
export function ctcForcedAlign(
  logProbs: Float32Array,
  vocab: number,
  targets: readonly number[],
  options: CtcAlignOptions = {},
): CtcAlignment {
  const blank = options.blank ?? 0;
  const frames = logProbs.length / vocab;
  if (!Number.isInteger(frames)) throw new Error('logProbs is not [frames, vocab]');
  if (targets.some((t) => t === blank))
    throw new Error('a CTC alignment target cannot be the blank');
  const needed = framesNeeded(targets, options.optionalToken);
  if (frames < needed)
    throw new AttendError(
      `the audio is too short for the text: its ${frames} frames hold at most ${frames} letters, the text needs ${needed} (a frame a letter, and one between doubled letters)`,
    );
  const endPenalty = targets.length ? options.untranscribedPenalty : undefined;
  const midPenalty = options.optionalToken === undefined ? undefined : options.interruptionPenalty;
  // Both kinds of untranscribed audio score from each frame's likeliest token: found once.
  const likeliest =
    endPenalty === undefined && midPenalty === undefined
      ? undefined
      : likeliestScores(logProbs, vocab);
  const garbage = untranscribedScores(frames, likeliest, endPenalty);
  const interruption = untranscribedScores(frames, likeliest, midPenalty);
  const exact = frames * (2 * targets.length + 3) <= MAX_EXACT_CELLS;
  const beam = options.beam ?? (exact ? Number.POSITIVE_INFINITY : CTC_ALIGN_BEAM);
  const found = viterbi(logProbs, vocab, targets, {
    blank,
    beam,
    garbage,
    interruption,
    progressBonus: options.progressBonus ?? PROGRESS_BONUS,
    optionalToken: options.optionalToken,
  });
  if (found) return found;
  throw new AttendError(
    beam === Number.POSITIVE_INFINITY
      ? 'the text could not be aligned to the audio'
      : 'the text could not be aligned to the audio (too long to search whole, and the pruned search lost every path): cut the recording and its text into parts',
  );
}

/** Per frame, the log-probability of its likeliest token. */
function likeliestScores(logProbs: Float32Array, vocab: number): Float64Array {
  const frames = logProbs.length / vocab;
  const scores = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    let best = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < vocab; v++) best = Math.max(best, logProbs[t * vocab + v]!);
    scores[t] = best;
  }
  return scores;
}

/**
 * Per frame, the score of an untranscribed frame: its likeliest token minus the penalty;
 * -∞ everywhere without a penalty (no such audio).
 */
function untranscribedScores(
  frames: number,
  likeliest: Float64Array | undefined,
  penalty: number | undefined,
): Float64Array {
  if (penalty === undefined || !likeliest)
    return new Float64Array(frames).fill(Number.NEGATIVE_INFINITY);
  return likeliest.map((best) => best - penalty);
}

interface ViterbiSettings {
  readonly blank: number;
  readonly beam: number;
  /** Per frame, the score of untranscribed audio before or after the text (-∞: none). */
  readonly garbage: Float64Array;
  /** Per frame, the score of untranscribed audio between words (-∞: none). */
  readonly interruption: Float64Array;
  readonly progressBonus: number;
  readonly optionalToken: number | undefined;
}

/**
 * The Viterbi search itself; undefined when pruning lost every path to the final states. States:
 * 0 is the untranscribed audio before the text, 1..2L+1 the blank-interleaved targets (blank at
 * odd states, tokens at even ones), 2L+2 the untranscribed audio after it. A state is entered
 * from itself, the one before, two before (skipping a blank) or four before (skipping an
 * optional token and its blank). An optional token's state may also emit the blank: words with
 * only silence between them.
 */
function viterbi(
  logProbs: Float32Array,
  vocab: number,
  targets: readonly number[],
  search: ViterbiSettings,
): CtcAlignment | undefined {
  const { blank, beam, garbage, interruption, progressBonus, optionalToken } = search;
  const frames = logProbs.length / vocab;
  const after = 2 * targets.length + 2;
  const states = after + 1;
  const isGarbage = (s: number) => s === 0 || s === after;
  const label = (s: number) => (s % 2 === 1 ? blank : targets[(s - 2) >> 1]!);
  const emit = (t: number, s: number) => {
    if (isGarbage(s)) return garbage[t]!;
    const p = emitted(logProbs, vocab, t, label(s), blank, optionalToken);
    // Between words (an optional token's state) there may be speech the text leaves out too.
    return label(s) === optionalToken ? Math.max(p, interruption[t]!) : p;
  };
  // Skipping the blank from s-2 to s: into a token from a different token or from the audio
  // before the text, or into the audio after the text from its last token.
  const canSkip = (s: number) =>
    s === after
      ? targets.length > 0
      : s % 2 === 0 && s >= 2 && (s === 2 || label(s) !== label(s - 2));
  // Skipping an optional token (and the blank after it) from s-4: between two different tokens.
  const canSkipOptional = (s: number) =>
    optionalToken !== undefined &&
    s % 2 === 0 &&
    s >= 6 &&
    s < after &&
    label(s - 2) === optionalToken &&
    label(s) !== label(s - 4);
  const reach = optionalToken === undefined ? 2 : 4;
  /**
   * What pruning compares: the path score plus PROGRESS_BONUS per token already said. Without
   * it a path that lags (blanks are likely on many frames) outranks the true one by more and
   * more over a long recording, until pruning drops the true path and nothing reaches the end.
   */
  const rank = (s: number, score: number) => score + progressBonus * (s >> 1);
  let previous = new Float64Array(states).fill(Number.NEGATIVE_INFINITY);
  let current = new Float64Array(states).fill(Number.NEGATIVE_INFINITY);
  // Per frame: the first state of its window and, per state in it, how far back it came from
  // (0, 1, 2 or 4, stored as 0-3: 2 bits, four states a byte).
  const windowStart = new Int32Array(frames);
  const cameFrom: Uint8Array[] = [];
  const stepOf = (t: number, s: number) => {
    const i = s - windowStart[t]!;
    const code = (cameFrom[t]![i >> 2]! >> ((i & 3) * 2)) & 3;
    return code === 3 ? 4 : code;
  };
  previous[0] = emit(0, 0);
  previous[1] = emit(0, 1);
  if (targets.length) previous[2] = emit(0, 2);
  let lo = 0;
  let hi = targets.length ? 2 : 1;
  cameFrom.push(new Uint8Array(((hi - lo) >> 2) + 1));
  for (let t = 1; t < frames; t++) {
    const top = Math.min(hi + reach, states - 1);
    const steps = new Uint8Array(((top - lo) >> 2) + 1);
    let best = Number.NEGATIVE_INFINITY;
    for (let s = lo; s <= top; s++) {
      let score = s <= hi ? previous[s]! : Number.NEGATIVE_INFINITY;
      let step = 0;
      if (s - 1 >= lo && s - 1 <= hi && previous[s - 1]! > score) {
        score = previous[s - 1]!;
        step = 1;
      }
      if (canSkip(s) && s - 2 >= lo && s - 2 <= hi && previous[s - 2]! > score) {
        score = previous[s - 2]!;
        step = 2;
      }
      if (canSkipOptional(s) && s - 4 >= lo && s - 4 <= hi && previous[s - 4]! > score) {
        score = previous[s - 4]!;
        step = 3; // four states back
      }
      score += emit(t, s);
      current[s] = score;
      steps[(s - lo) >> 2]! |= step << (((s - lo) & 3) * 2);
      // Untranscribed audio is ranked against the text, not the text against it: over long,
      // poorly heard speech "all of it untranscribed so far" would outrank every real path.
      if (!isGarbage(s)) best = Math.max(best, rank(s, score));
    }
    windowStart[t] = lo;
    cameFrom.push(steps);
    // Next frame's window: the states within `beam` of this frame's best.
    const floor = best - beam;
    const kept = (s: number) => rank(s, current[s]!) >= floor;
    let nextLo = lo;
    while (nextLo < top && !kept(nextLo)) nextLo++;
    let nextHi = top;
    while (nextHi > nextLo && !kept(nextHi)) nextHi--;
    [previous, current] = [current, previous];
    lo = nextLo;
    hi = nextHi;
  }
  // The path ends on the last token, the blank after it, or the audio after the text.
  const endScore = (s: number) => (s >= lo && s <= hi ? previous[s]! : Number.NEGATIVE_INFINITY);
  const ends = targets.length ? [after, after - 1, after - 2] : [1];
  let state = ends.reduce((a, b) => (endScore(b) > endScore(a) ? b : a));
  const logProb = endScore(state);
  if (!Number.isFinite(logProb)) return undefined;
  const path = new Int32Array(frames);
  for (let t = frames - 1; t >= 0; t--) {
    path[t] = state;
    if (t > 0) state -= stepOf(t, state);
  }
  return {
    tokens: tokenSpans(path, logProbs, vocab, targets, blank, optionalToken),
    logProb,
  };
}

/** A frame's log-probability of `token`; an optional token's state takes the blank's if likelier. */
function emitted(
  logProbs: Float32Array,
  vocab: number,
  t: number,
  token: number,
  blank: number,
  optionalToken: number | undefined,
): number {
  const p = logProbs[t * vocab + token]!;
  return token === optionalToken ? Math.max(p, logProbs[t * vocab + blank]!) : p;
}

/** The frames the path spends on each token's state (even states 2k+2). */
function tokenSpans(
  path: Int32Array,
  logProbs: Float32Array,
  vocab: number,
  targets: readonly number[],
  blank: number,
  optionalToken: number | undefined,
): TokenSpan[] {
  const spans: { start: number; end: number; logProb: number }[] = targets.map(() => ({
    start: -1,
    end: -1,
    logProb: 0,
  }));
  path.forEach((s, t) => {
    if (s % 2 === 1 || s === 0 || s === 2 * targets.length + 2) return;
    const k = (s - 2) >> 1;
    const span = spans[k]!;
    if (span.start < 0) span.start = t;
    span.end = t + 1;
    span.logProb += emitted(logProbs, vocab, t, targets[k]!, blank, optionalToken);
  });
  // A skipped optional token: zero-length where the token before it ended.
  spans.forEach((span, k) => {
    if (span.start >= 0) return;
    span.start = span.end = spans[k - 1]!.end;
  });
  return spans;
}
