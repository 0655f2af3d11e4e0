import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelSentence } from '../../datasets/punctuation/text.js';
import { punctuateTranscript } from '../../pipelines/punctuate.js';
import { PUNCTUATION_PRESETS } from '../../pipelines/punctuation/train.js';
import { PunctuationModel } from '../../src/models/punctuation.js';
import { tf } from '../../src/runtime/tf.js';
import { SPECIALS } from '../../src/text/characters.js';
import { WordTokenizer } from '../../src/text/words.js';
import { ready } from '../helpers/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-punct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXTS = [
  'What is for supper tonight?',
  "We ate at McDonald's, then we went home.",
  'The BBC said it would rain. I stayed in.',
  'Is it raining in London?',
  'It rained, so I stayed in.',
  'Nobody went to London.',
];
const passages = TEXTS.map((t) => t.split(/(?<=[.?]) /).flatMap((s) => labelSentence(s)!));

describe('the punctuation model', () => {
  let model: PunctuationModel;
  beforeAll(async () => {
    await ready;
    const words = [...new Set(passages.flat().map((w) => w.word))];
    model = new PunctuationModel(
      {
        task: 'punctuation',
        ...PUNCTUATION_PRESETS.tiny!,
        mixedCase: { "mcdonald's": "McDonald's" },
      },
      new WordTokenizer([...SPECIALS, ...words]),
    );
    model.build();
  });
  afterAll(() => model?.dispose());

  it('gives every word a distribution over marks and casings, padding changing nothing', () => {
    const ids = [
      [4, 5, 6],
      [4, 5, 6, 7, 8, 9, 10],
    ];
    tf.tidy(() => {
      const { marks, casings } = model.logits(ids);
      expect(marks.shape).toEqual([2, 7, 4]);
      expect(casings.shape).toEqual([2, 7, 4]);
    });
    const alone = model.decide([['what', 'is', 'for']]);
    const batched = model.decide([
      ['what', 'is', 'for'],
      TEXTS[1]!.toLowerCase().split(/\W+/).filter(Boolean),
    ]);
    expect(batched[0]).toEqual(alone[0]);
  });

  it('learns six passages to every mark and capital, and writes them back as written', async () => {
    const batch = {
      ids: passages.map((p) => p.map((w) => model.tokenizer.idOf(w.word))),
      marks: passages.map((p) => p.map((w) => w.mark)),
      casings: passages.map((p) => p.map((w) => w.casing)),
    };
    const optimizer = tf.train.adam(1e-2);
    const written = () =>
      model.decide(passages.map((p) => p.map((w) => w.word))).map((d, i) =>
        model
          .write(
            passages[i]!.map((w) => w.word),
            d,
          )
          .join(' '),
      );
    let loss = Number.POSITIVE_INFINITY;
    for (let step = 1; step <= 300 && loss > 0.02; step++) {
      const value = optimizer.minimize(
        () => {
          const { marks, casings } = model.loss(batch);
          return marks.add(casings) as tf.Scalar;
        },
        true,
        model.params.list(),
      )!;
      loss = value.dataSync()[0]!;
      value.dispose();
    }
    optimizer.dispose();
    expect(loss).toBeLessThan(0.02);
    expect(written()).toEqual(TEXTS);
    // Saved and loaded, it writes the same.
    await model.save(join(dir, 'model'));
    const loaded = PunctuationModel.load(join(dir, 'model'));
    try {
      const transcript = (gap: number) => ({
        file: 'x.wav',
        text: 'the bbc said it would rain i stayed in',
        words: [],
        segments: [
          { start: 0, end: 1, text: 'the bbc said it would rain' },
          { start: 1 + gap, end: 2 + gap, text: 'i stayed in' },
        ],
        duration: 2 + gap,
        attention: [],
        model: 'm',
        backend: 'b',
      });
      // Segments a short pause apart are written as one passage and split back.
      const out = punctuateTranscript(loaded, transcript(0.2));
      expect(out.segments.map((s) => s.text)).toEqual([
        'The BBC said it would rain.',
        'I stayed in.',
      ]);
      expect(out.text).toBe(TEXTS[2]);
      // A long pause ends a sentence whatever the text model would say.
      const [first] = punctuateTranscript(loaded, {
        ...transcript(1),
        segments: [
          { start: 0, end: 1, text: 'it rained so' },
          { start: 2, end: 3, text: 'i stayed in' },
        ],
      }).segments;
      expect(first!.text).toMatch(/^It .* so[.?]$/i);
    } finally {
      loaded.dispose();
    }
  });
});
