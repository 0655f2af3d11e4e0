import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttendError } from '../../src/errors.js';

/**
 * Everyday English sentences from Debian's fortune files (packages fortunes-min and fortunes;
 * fortune-mod's collection, see the copyright files under /usr/share/doc/fortunes and /usr/share/doc/fortunes-min): split into sentences,
 * lower-cased, punctuation dropped, kept when they are 3-14 words of letters and apostrophes.
 */
export const FORTUNE_DIR = '/usr/share/games/fortunes';

/**
 * The files of fortune-mod's English collection (Debian fortunes-min + fortunes). Only these are
 * read: other packages (fortunes-mario, fortune-anarchism, fortunes-off's off/ folder...) install
 * into the same folder, and reading them would change every corpus built from it, test split
 * included.
 */
export const FORTUNE_FILES = [
  'art',
  'ascii-art',
  'computers',
  'cookie',
  'debian',
  'definitions',
  'disclaimer',
  'drugs',
  'education',
  'ethnic',
  'food',
  'fortunes',
  'goedel',
  'humorists',
  'kids',
  'knghtbrd',
  'law',
  'linux',
  'linuxcookie',
  'literature',
  'love',
  'magic',
  'medicine',
  'men-women',
  'miscellaneous',
  'news',
  'paradoxum',
  'people',
  'perl',
  'pets',
  'platitudes',
  'politics',
  'pratchett',
  'riddles',
  'science',
  'songs-poems',
  'sports',
  'startrek',
  'tao',
  'translate-me',
  'wisdom',
  'work',
  'zippy',
] as const;

export function normaliseSentence(raw: string): string | undefined {
  const text = raw
    .toLowerCase()
    .replace(/^["'(]+|["')]+$/g, '')
    .replace(/[.!?,;:"]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = text.split(' ');
  if (!/^[a-z' ]+$/.test(text) || text.includes("''") || words.length < 3 || words.length > 14)
    return undefined;
  return text;
}

export function fortuneSentences(dir = FORTUNE_DIR): string[] {
  if (!existsSync(dir)) return [];
  const sentences = new Set<string>();
  for (const name of FORTUNE_FILES) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'latin1');
    for (const entry of text.split('\n%\n')) {
      for (const raw of entry.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+/)) {
        const sentence = normaliseSentence(raw);
        if (sentence) sentences.add(sentence);
      }
    }
  }
  return [...sentences].sort();
}

/**
 * WordNet 3.0's usage examples (Debian package wordnet-base; Princeton's WordNet licence, a
 * permissive one, in /usr/share/doc/wordnet-base/copyright): the quoted phrases after each
 * synset's gloss, e.g. "we barely made it to the finish line". About 35,000 of them pass
 * normaliseSentence's filter for training, three times fortune's 13,000: more sentences a
 * decoder cannot memorise.
 */
export const WORDNET_DIR = '/usr/share/wordnet';

export function wordnetSentences(dir = WORDNET_DIR): string[] {
  const sentences = new Set<string>();
  for (const part of ['noun', 'verb', 'adj', 'adv']) {
    const file = join(dir, `data.${part}`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'latin1').split('\n')) {
      const gloss = line.startsWith('  ') ? undefined : line.split('|')[1]; // '  ': licence header
      for (const [, quoted] of gloss?.matchAll(/"([^"]+)"/g) ?? []) {
        const sentence = normaliseSentence(quoted!);
        if (sentence) sentences.add(sentence);
      }
    }
  }
  return [...sentences].sort();
}

/** The sentence sources `attend dataset speech --text` offers. */
export const SENTENCE_SOURCES = {
  fortunes: {
    read: fortuneSentences,
    packages: 'fortunes-min fortunes',
    title: 'Debian fortunes (fortune-mod collection)',
  },
  wordnet: {
    read: wordnetSentences,
    packages: 'wordnet-base',
    title: 'WordNet 3.0 usage examples',
  },
} as const;

/** The sentences of several sources, each once, sorted; none at all is an error naming the packages. */
export function readSentenceSources(
  sources: readonly (typeof SENTENCE_SOURCES)[keyof typeof SENTENCE_SOURCES][],
): string[] {
  const sentences = [...new Set(sources.flatMap((source) => source.read()))].sort();
  if (sentences.length === 0)
    throw new AttendError(
      `--text: no sentences found (apt: ${sources.map((s) => s.packages).join(' ')})`,
    );
  return sentences;
}

export type Split = 'train' | 'dev' | 'test';

/** A fixed split by sentence text: the same sentence always lands in the same split (90/5/5). */
export function sentenceSplit(sentence: string): Split {
  const bucket = createHash('sha1').update(sentence).digest().readUInt16BE(0) % 100;
  return bucket < 90 ? 'train' : bucket < 95 ? 'dev' : 'test';
}
