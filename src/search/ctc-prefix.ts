import { logAdd, NEG_INF } from '../util/log-space.js';
import type { PrefixScorer } from './scorer.js';

/** Forward variables of one prefix h: paths over frames 0..t that emit h, ending in a label or a blank. */
export interface CtcPrefixState {
  readonly last: number; // last token of h, -1 for the empty prefix
  readonly endsLabel: Float64Array; // log r_t^n(h)
  readonly endsBlank: Float64Array; // log r_t^b(h)
  readonly prefix: number; // log ψ(h): the probability that the output starts with h
  /** log(r^n + r^b) of h at every frame, shared by every label extending h; made when first needed. */
  total?: Float64Array;
}

/**
 * The CTC prefix score of Watanabe et al. 2017 (hybrid CTC/attention; ESPnet's CTCPrefixScore):
 * log ψ(h·c) − log ψ(h) for every next label c, and log p_ctc(h) − log ψ(h) for the end token.
 * O(T) per label per hypothesis, so the whole character vocabulary is scored at every step.
 * logProbs is one utterance's [frames, vocab] CTC log-softmax, row-major.
 */
export class CtcPrefixScorer implements PrefixScorer<CtcPrefixState> {
  constructor(
    private readonly logProbs: Float32Array,
    private readonly frames: number,
    private readonly vocab: number,
    private readonly tokens: { blank: number; start: number; end: number },
  ) {}

  private lp(t: number, token: number): number {
    return this.logProbs[t * this.vocab + token]!;
  }

  initial(): CtcPrefixState {
    const endsBlank = new Float64Array(this.frames);
    let sum = 0;
    for (let t = 0; t < this.frames; t++) {
      sum += this.lp(t, this.tokens.blank);
      endsBlank[t] = sum;
    }
    return {
      last: -1,
      endsLabel: new Float64Array(this.frames).fill(NEG_INF),
      endsBlank,
      prefix: 0,
    };
  }

  /**
   * ψ(h·c) needs one log-add per frame and no arrays: the search scores 1.5·beam labels per
   * hypothesis but keeps about one, so only advance() builds the forward variables.
   */
  scores(state: CtcPrefixState, candidates?: readonly number[]): Float32Array {
    const out = new Float32Array(this.vocab).fill(NEG_INF);
    const { blank, start, end } = this.tokens;
    const last = this.frames - 1;
    if (this.frames === 0) {
      out[end] = 0;
      return out;
    }
    out[end] = logAdd(state.endsLabel[last]!, state.endsBlank[last]!) - state.prefix;
    const total = this.total(state);
    for (const c of candidates ?? this.labels()) {
      if (c === blank || c === start || c === end) continue;
      let prefix = state.last === -1 ? this.lp(0, c) : NEG_INF;
      for (let t = 1; t < this.frames; t++) {
        const before = c === state.last ? state.endsBlank[t - 1]! : total[t - 1]!;
        prefix = logAdd(prefix, before + this.lp(t, c));
      }
      out[c] = Math.min(0, prefix - state.prefix);
    }
    return out;
  }

  private labels(): number[] {
    return Array.from({ length: this.vocab }, (_, c) => c);
  }

  advance(state: CtcPrefixState, token: number): CtcPrefixState {
    return this.extend(state, token, this.total(state));
  }

  /** log(r^n + r^b) of h at every frame: shared by every label extending h (but its last). */
  private total(state: CtcPrefixState): Float64Array {
    if (state.total) return state.total;
    const total = new Float64Array(this.frames);
    for (let t = 0; t < this.frames; t++)
      total[t] = logAdd(state.endsBlank[t]!, state.endsLabel[t]!);
    state.total = total;
    return total;
  }

  private extend(state: CtcPrefixState, c: number, total: Float64Array): CtcPrefixState {
    const { blank } = this.tokens;
    const endsLabel = new Float64Array(this.frames);
    const endsBlank = new Float64Array(this.frames);
    // Paths may start emitting c at frame 0 only when h is empty.
    endsLabel[0] = state.last === -1 ? this.lp(0, c) : NEG_INF;
    endsBlank[0] = NEG_INF;
    let prefix = endsLabel[0]!;
    for (let t = 1; t < this.frames; t++) {
      // Mass of h by frame t-1 from which c can start at t: a repeated label needs a blank between.
      const before = c === state.last ? state.endsBlank[t - 1]! : total[t - 1]!;
      const emit = this.lp(t, c);
      endsLabel[t] = logAdd(endsLabel[t - 1]!, before) + emit;
      endsBlank[t] = logAdd(endsBlank[t - 1]!, endsLabel[t - 1]!) + this.lp(t, blank);
      prefix = logAdd(prefix, before + emit);
    }
    return { last: c, endsLabel, endsBlank, prefix };
  }
}
