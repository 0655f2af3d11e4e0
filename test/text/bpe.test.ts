import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordTimings } from '../../pipelines/transcribe.js';
import { AsrModel } from '../../src/models/asr.js';
import { ASR_PRESETS } from '../../src/models/asr-presets.js';
import { BpeTokenizer } from '../../src/text/bpe.js';
import { CharacterTokenizer, UNK } from '../../src/text/characters.js';
import { wordSpaceToken } from '../../src/text/tokenizer.js';
import { ready } from '../helpers/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-bpe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await ready;
});

const TEXTS = [
  'the cat sat on the mat',
  'the hat is on the cat',
  'that is the thing',
  'then the rat ran',
];

describe('BPE tokenizer', () => {
  it('learns the most frequent pair first and never exceeds the asked size', () => {
    const bpe = BpeTokenizer.learn(TEXTS, 30);
    expect(bpe.size).toBeLessThanOrEqual(30);
    // "t h" and "▁ t" both occur 9 times here; ties go to the smaller pair in code-point order.
    expect(bpe.merges[0]).toEqual(['t', 'h']);
    expect(bpe.merges[1]).toEqual(['▁', 'th']);
    expect(bpe.tokens).toContain('▁the');
  });

  it('round-trips text, encodes unseen words from smaller pieces, and maps unknown symbols to <unk>', () => {
    const bpe = BpeTokenizer.learn(TEXTS, 40);
    for (const text of [...TEXTS, 'the mat sat', 'a hen'])
      expect(bpe.decode(bpe.encode(text))).toBe(text);
    expect(bpe.encode('the')).toHaveLength(1);
    expect(bpe.encode('mathematics').length).toBeGreaterThan(1);
    expect(bpe.encode('cat!')).toContain(UNK);
    const copy = BpeTokenizer.fromJson(JSON.parse(JSON.stringify(bpe.toJson())));
    expect(copy.encode('the rat sat on that hat')).toEqual(bpe.encode('the rat sat on that hat'));
  });

  it('has no word-space token of its own (its pieces carry the spaces); characters have one', () => {
    const bpe = BpeTokenizer.learn(TEXTS, 40);
    expect(wordSpaceToken(bpe)).toBeUndefined();
    const characters = CharacterTokenizer.english();
    expect(characters.pieces([wordSpaceToken(characters)!])).toEqual([' ']);
  });

  it('gives word times from multi-character tokens', () => {
    const bpe = BpeTokenizer.learn(TEXTS, 40);
    const ids = bpe.encode('the cat');
    // Token t attends to frame 10 t.
    const weights = ids.map((_, t) =>
      Float32Array.from({ length: 40 }, (_, f) => (f === 10 * t ? 1 : 0)),
    );
    const hypothesis = { tokens: ids, logProb: 0, score: 0, weights, finished: true };
    const { words } = wordTimings(hypothesis, bpe.pieces(ids), 0.04, 2);
    expect(words.map((w) => w.word)).toEqual(['the', 'cat']);
    expect(words[0]!.start).toBe(0);
    expect(words[1]!.start).toBeCloseTo(0.4 * bpe.encode('the').length, 5);
  });

  it('is saved with a speech model and comes back from its checkpoint', async () => {
    const bpe = BpeTokenizer.learn(TEXTS, 36);
    const model = new AsrModel(ASR_PRESETS.tiny!(bpe.size), bpe);
    model.build();
    await model.save(join(dir, 'bpe-model'));
    model.dispose();
    const loaded = AsrModel.load(join(dir, 'bpe-model'));
    expect(loaded.tokenizer).toBeInstanceOf(BpeTokenizer);
    expect(loaded.tokenizer.encode('the cat')).toEqual(bpe.encode('the cat'));
    loaded.dispose();
  });
});
