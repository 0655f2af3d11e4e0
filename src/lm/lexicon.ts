import type { PrefixScorer } from '../search/scorer.js';

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  word: boolean;
}

/** Where a hypothesis is in the current word: a trie node, or null once it left the lexicon. */
export type LexiconState = TrieNode | null;

/**
 * A soft lexicon constraint (a word-level complement to the character n-gram): −1 for every
 * word that is not one of the training text's words, charged as soon as the word's spelling
 * leaves the lexicon's prefix tree, or when a word ends that is only a prefix of known words.
 * Misspellings ("wether", "dayso") cost a word each; new words stay possible at the cost the
 * tuned weight sets. `pieces[id]` is each token's text ('' for specials); space ends a word.
 */
export class LexiconScorer implements PrefixScorer<LexiconState> {
  private readonly root: TrieNode = { children: new Map(), word: false };
  private readonly cache = new Map<LexiconState, Float32Array>();

  constructor(
    words: Iterable<string>,
    private readonly pieces: readonly string[],
    private readonly end: number,
  ) {
    for (const word of words) {
      let node = this.root;
      for (const ch of word) {
        let next = node.children.get(ch);
        if (!next) {
          next = { children: new Map(), word: false };
          node.children.set(ch, next);
        }
        node = next;
      }
      node.word = true;
    }
  }

  initial(): LexiconState {
    return this.root;
  }

  /** Walks a token's characters from `state`: the new state and the penalties on the way. */
  private walk(state: LexiconState, text: string): { state: LexiconState; penalty: number } {
    let node = state;
    let penalty = 0;
    for (const ch of text) {
      if (ch === ' ') {
        if (node && node !== this.root && !node.word) penalty++; // a prefix only, not a word
        node = this.root;
      } else if (node) {
        const next = node.children.get(ch) ?? null;
        if (!next) penalty++; // spelling left the lexicon
        node = next;
      }
    }
    return { state: node, penalty };
  }

  scores(state: LexiconState): Float32Array {
    const cached = this.cache.get(state);
    if (cached) return cached;
    const out = new Float32Array(this.pieces.length);
    this.pieces.forEach((text, id) => {
      out[id] = 0 - this.walk(state, text).penalty;
    });
    out[this.end] = 0 - this.walk(state, ' ').penalty;
    this.cache.set(state, out);
    return out;
  }

  advance(state: LexiconState, token: number): LexiconState {
    return this.walk(state, this.pieces[token] ?? '').state;
  }
}
