import { AttendError } from '../errors.js';
import type { PrefixScorer } from '../search/scorer.js';

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  /** Characters from the word start to here. */
  readonly depth: number;
  /** A listed word ends here. */
  word: boolean;
  /** Some word of the language model's lexicon starts with this spelling too. */
  common: boolean;
}

/** Where a hypothesis is in the current word: its trie node (null: not a hotword) and the bonus held. */
export interface HotwordState {
  readonly node: TrieNode | null;
  /** Bonus given so far in this word: taken back if the word does not end as a listed one. */
  readonly held: number;
}

const newNode = (depth: number): TrieNode => ({
  children: new Map(),
  depth,
  word: false,
  common: false,
});

/**
 * Contextual biasing towards words a user lists (names, jargon the language model never saw):
 * a listed word written in full earns a bonus of one per character (the weight this scorer gets
 * scales it). Where a listed word's spelling leaves the language model's lexicon, which is where
 * the lexicon and word LM start charging for an unknown word, each character earns its part at
 * once so the hypothesis survives pruning; the part along a prefix that ordinary words share
 * ("ha" of "hapax") comes only when the word ends, so ordinary words are not pulled towards
 * listed ones (an immediate bonus along them, as sherpa-onnx gives, cost 1.1 points of dev
 * WER with 24 unrelated words listed; deferred, nothing). A word that stops matching gives back
 * what it held. Entries can be positive: `maxGain`, the longest listed word, bounds what the
 * word in progress can still add (beam search's early stop).
 */
export class HotwordScorer implements PrefixScorer<HotwordState> {
  readonly maxGain: number;
  private readonly root = newNode(0);
  private readonly cache = new Map<TrieNode | null, Map<number, Float32Array>>();

  constructor(
    words: readonly string[],
    private readonly pieces: readonly string[],
    private readonly end: number,
    lexicon: Iterable<string> = [],
  ) {
    let longest = 0;
    for (const word of words) {
      let node = this.root;
      for (const ch of word) {
        let next = node.children.get(ch);
        if (!next) {
          next = newNode(node.depth + 1);
          node.children.set(ch, next);
        }
        node = next;
      }
      node.word = true;
      longest = Math.max(longest, node.depth);
    }
    this.maxGain = longest;
    for (const word of lexicon) {
      let node: TrieNode | undefined = this.root;
      for (const ch of word) {
        node = node.children.get(ch);
        if (!node) break;
        node.common = true;
      }
    }
  }

  initial(): HotwordState {
    return { node: this.root, held: 0 };
  }

  /** Walks a token's characters: the state after it and the bonus it gives (or takes back). */
  private walk(state: HotwordState, text: string): { state: HotwordState; gain: number } {
    let { node, held } = state;
    let gain = 0;
    for (const ch of text) {
      if (ch === ' ') {
        if (node?.word)
          gain += node.depth - held; // a listed word, whole: the rest of its bonus
        else gain -= held; // ended before a listed word did
        node = this.root;
        held = 0;
      } else if (node) {
        node = node.children.get(ch) ?? null;
        if (!node) {
          gain -= held; // left the list
          held = 0;
        } else if (!node.common) {
          // Past what ordinary words spell: this character's part now, and any deferred part.
          gain += node.depth - held;
          held = node.depth;
        }
      }
    }
    return { state: { node, held }, gain };
  }
  scores(state: HotwordState): Float32Array {
    let byHeld = this.cache.get(state.node);
    if (!byHeld) {
      byHeld = new Map();
      this.cache.set(state.node, byHeld);
    }
    const cached = byHeld.get(state.held);
    if (cached) return cached;
    const out = new Float32Array(this.pieces.length);
    this.pieces.forEach((text, id) => {
      out[id] = this.walk(state, text).gain;
    });
    out[this.end] = this.walk(state, ' ').gain;
    byHeld.set(state.held, out);
    return out;
  }

  advance(state: HotwordState, token: number): HotwordState {
    return this.walk(state, this.pieces[token] ?? '').state;
  }
}

/**
 * A hotword list as the decoder spells words: lower case, split at spaces (each word of a phrase
 * is its own hotword), only characters the model has. Unspellable words are an error naming them.
 */
export function normaliseHotwords(
  words: readonly string[],
  spellable: (ch: string) => boolean,
): string[] {
  const out = new Set<string>();
  const bad: string[] = [];
  for (const word of words.flatMap((w) => w.toLowerCase().split(/\s+/)).filter(Boolean)) {
    if ([...word].every(spellable)) out.add(word);
    else bad.push(word);
  }
  if (bad.length > 0)
    throw new AttendError(
      `hotwords: the model cannot spell ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` (and ${bad.length - 5} more)` : ''}: it writes lower-case letters, apostrophes and spaces`,
    );
  return [...out];
}
