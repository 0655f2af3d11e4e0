import type { PrefixScorer } from '../search/scorer.js';
import type { WordNgram } from './word-ngram.js';

/** Where a hypothesis is: the words so far (last order-1 ids) and the spelling of the current one. */
export interface WordLookaheadState {
  readonly history: readonly number[];
  readonly spelling: string;
  /** Ids of the vocabulary words that start with `spelling`; lo === hi once it left them. */
  readonly lo: number;
  readonly hi: number;
  /** log Σ p(w | history) over those words (the current word's probability so far). */
  readonly logMass: number;
}

/**
 * A word n-gram fused into a character-level beam search with look-ahead (Hori et al. 2018,
 * "End-to-end speech recognition with word-based RNN language models"): each character scores
 * log of the probability mass of the words its spelling still allows, divided by the mass before
 * it, so a word's characters add up to log p(word | previous words) by the time a space or the end
 * closes it. A spelling that leaves the vocabulary is charged once as <unk> and is free after;
 * cross-word context ("are good for you", not "on good for you") is what the character n-gram
 * cannot see. `pieces[id]` is each token's text ('' for specials); space ends a word.
 */
export class WordLookaheadScorer implements PrefixScorer<WordLookaheadState> {
  private readonly cache = new Map<string, Float32Array>();

  constructor(
    private readonly lm: WordNgram,
    private readonly pieces: readonly string[],
    private readonly endToken: number,
  ) {}

  initial(): WordLookaheadState {
    return this.startWord([this.lm.start]);
  }

  /** Before a word: every word, <unk> and </s> are still possible, so the mass is 1. */
  private startWord(history: readonly number[]): WordLookaheadState {
    const [lo, hi] = this.lm.range('');
    return { history, spelling: '', lo, hi, logMass: 0 };
  }

  /** The state after one character and the log-score it adds. */
  private step(
    state: WordLookaheadState,
    ch: string,
  ): { state: WordLookaheadState; score: number } {
    const { history } = state;
    if (ch === ' ') {
      if (state.spelling === '') return { state, score: Number.NEGATIVE_INFINITY }; // no empty words
      const id = this.lm.idOf(state.spelling) ?? this.lm.unknown;
      const score = state.lo < state.hi ? this.lm.logProb(history, id) - state.logMass : 0;
      const next = this.lm.order > 1 ? [...history, id].slice(-(this.lm.order - 1)) : [];
      return { state: this.startWord(next), score: Math.min(0, score) };
    }
    const spelling = state.spelling + ch;
    if (state.lo === state.hi) return { state: { ...state, spelling }, score: 0 };
    const [lo, hi] = this.lm.range(spelling);
    if (lo === hi) {
      // Left the vocabulary: charged as <unk> now, free until the word ends.
      const unknown = this.lm.logProb(history, this.lm.unknown) - state.logMass;
      return { state: { history, spelling, lo, hi, logMass: 0 }, score: Math.min(0, unknown) };
    }
    const logMass = Math.log(this.lm.mass(history, lo, hi));
    return { state: { history, spelling, lo, hi, logMass }, score: logMass - state.logMass };
  }

  private walk(
    state: WordLookaheadState,
    text: string,
  ): { state: WordLookaheadState; score: number } {
    let current = state;
    let score = 0;
    for (const ch of text) {
      const next = this.step(current, ch);
      current = next.state;
      score += next.score;
    }
    return { state: current, score };
  }

  scores(state: WordLookaheadState): Float32Array {
    const key = `${state.history.join(',')}|${state.spelling}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const out = new Float32Array(this.pieces.length);
    this.pieces.forEach((text, id) => {
      out[id] = this.walk(state, text).score;
    });
    // The end token closes the current word (if any) and then the sentence.
    const closed = state.spelling === '' ? { state, score: 0 } : this.step(state, ' ');
    out[this.endToken] = closed.score + this.lm.logProb(closed.state.history, this.lm.end);
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(key, out);
    return out;
  }

  advance(state: WordLookaheadState, token: number): WordLookaheadState {
    return this.walk(state, this.pieces[token] ?? '').state;
  }
}
