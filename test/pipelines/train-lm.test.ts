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

  it('counts a text file of your own whole, leaving out what the model cannot write', () => {
    const file = join(dir, 'domain.txt');
    writeFileSync(
      file,
      'Kubernetes runs the Zebulon cluster. It costs 5 dollars!\n“Scale it” — she said\n',
    );
    const result = trainTokenLm({
      data: [corpus],
      model,
      order: 4,
      weight: 0.3,
      textFiles: [file],
    });
    const lm = readLm(result.out);
    expect(lm.info.textFileSentences).toBe(2); // the sentence with a digit is left out
    expect(lm.lexicon).toEqual(expect.arrayContaining(['kubernetes', 'zebulon', 'scale', 'she']));
    expect(lm.lexicon).not.toContain('dollars');
    // Text alone makes an LM too (no corpus, so no dev perplexity).
    const alone = trainTokenLm({
      data: [],
      model,
      order: 4,
      weight: 0.3,
      textFiles: [file],
      out: join(dir, 'alone.json'),
      wordOrder: 2,
    });
    expect(Number.isNaN(alone.devPerplexity)).toBe(true);
    expect(readLm(alone.out).lexicon).toContain('cluster');
    expect(alone.words?.vocabulary).toBeGreaterThan(5);
  });

  it('names a missing text file, and one with nothing the model can write', () => {
    const digits = join(dir, 'digits.txt');
    writeFileSync(digits, '1 2 3\n4.5\n');
    const train = (textFiles: string[]) =>
      trainTokenLm({ data: [corpus], model, order: 4, weight: 0.3, textFiles });
    expect(() => train([join(dir, 'nope.txt')])).toThrow(/nope\.txt: no such text file/);
    expect(() => train([digits])).toThrow(/digits\.txt: no sentences the model can write/);
  });
});
