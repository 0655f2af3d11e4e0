/** A word's start and end in seconds. */
export interface TimeSpan {
  readonly start: number;
  readonly end: number;
}

/** How close predicted word times are to the true ones, over `pairs` words. */
export interface TimingScores {
  readonly words: number;
  /** Mean |predicted − true| of word starts and of word ends, seconds. */
  readonly meanStartError: number;
  readonly meanEndError: number;
  /** Mean predicted − true: positive when words are put late. */
  readonly startBias: number;
  readonly endBias: number;
  /** Share of boundaries (starts and ends together) within 50, 100 and 200 ms of the truth. */
  readonly within: { readonly '0.05': number; readonly '0.1': number; readonly '0.2': number };
}

/** Scores predicted word spans against true ones, pair by pair. */
export function timingScores(
  pairs: readonly (readonly [truth: TimeSpan, predicted: TimeSpan])[],
): TimingScores {
  const starts = pairs.map(([t, p]) => Math.abs(p.start - t.start));
  const ends = pairs.map(([t, p]) => Math.abs(p.end - t.end));
  const both = [...starts, ...ends];
  const mean = (xs: readonly number[]) =>
    xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
  // A hair over each limit: times are printed to the centisecond, truths to the millisecond.
  const share = (limit: number) =>
    both.length ? both.filter((e) => e <= limit + 1e-6).length / both.length : 0;
  return {
    words: pairs.length,
    meanStartError: mean(starts),
    meanEndError: mean(ends),
    startBias: mean(pairs.map(([t, p]) => p.start - t.start)),
    endBias: mean(pairs.map(([t, p]) => p.end - t.end)),
    within: { '0.05': share(0.05), '0.1': share(0.1), '0.2': share(0.2) },
  };
}
