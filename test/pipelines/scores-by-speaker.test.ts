import { describe, expect, it } from 'vitest';
import { scoresBySpeaker } from '../../pipelines/asr/evaluate.js';

describe('per-speaker scores', () => {
  it('scores each speaker on their own utterances and skips unnamed ones', () => {
    const pairs: [string, string][] = [
      ['the cat sat', 'the cat sat'],
      ['a dog ran', 'a dog sat'],
      ['hello there', 'hello'],
      ['no speaker here', 'nothing'],
    ];
    const scores = scoresBySpeaker(pairs, ['flite:slt', 'espeak-ng:en-us', 'flite:slt', '']);
    expect(Object.keys(scores)).toEqual(['flite:slt', 'espeak-ng:en-us']);
    expect(scores['flite:slt']).toMatchObject({ utterances: 2, wer: 1 / 5 });
    expect(scores['espeak-ng:en-us']).toMatchObject({ utterances: 1, wer: 1 / 3 });
  });
});
