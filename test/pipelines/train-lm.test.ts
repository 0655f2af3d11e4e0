import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sentenceSplit } from '../../datasets/speech/sentences.js';
import { trainTokenLm } from '../../pipelines/lm/train.js';
import { lmPath, readLm } from '../../src/lm/files.js';
import { CharacterTokenizer } from '../../src/text/characters.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-lm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest = (texts: string[]) =>
  texts.map((text, i) => JSON.stringify({ audio: `${i}.wav`, text, duration: 1 })).join('\n');

/** The first generated sentence that the fixed split puts in `split`. */
function sentenceIn(split: string, word: string): string {
  for (let i = 0; ; i++) {
    const sentence = `the ${word} number ${i.toString(36)}`;
    if (sentenceSplit(sentence) === split) return sentence;
  }
}

describe('attend train lm', () => {
  const corpus = join(dir, 'corpus');
  const model = join(dir, 'model');
  mkdirSync(corpus);
  mkdirSync(model);
  writeFileSync(
    join(model, 'tokenizer.json'),
    JSON.stringify(CharacterTokenizer.english().toJson()),
  );
  writeFileSync(
    join(corpus, 'train.jsonl'),
    manifest(Array.from({ length: 40 }, () => 'the cat sat on the mat')),
  );
  writeFileSync(join(corpus, 'dev.jsonl'), manifest(['the cat sat on the mat']));

  it('counts the training transcripts, and of extra text only its training-split sentences', () => {
    const extra = [
      sentenceIn('train', 'zebra'),
      sentenceIn('dev', 'yak'),
      sentenceIn('test', 'gnu'),
    ];
    const result = trainTokenLm({ data: [corpus], model, order: 4, weight: 0.3, text: extra });
    expect(result.out).toBe(lmPath(model));
    expect(result.sentences).toBe(41);
    const lm = readLm(result.out);
    expect(lm.info.textSentences).toBe(1);
    expect(lm.lexicon).toContain('zebra');
    expect(lm.lexicon).toContain('mat');
    expect(lm.lexicon).not.toContain('yak');
    expect(lm.lexicon).not.toContain('gnu');
    // Forty repeats of one sentence: dev (that sentence) is nearly certain.
    expect(result.devPerplexity).toBeLessThan(1.5);
  });
});
