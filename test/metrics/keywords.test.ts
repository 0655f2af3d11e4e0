import { describe, expect, it } from 'vitest';
import { keywordScores } from '../../src/metrics/keywords.js';

describe('keyword scores', () => {
  it('counts listed words said and written right, and written where they were not said', () => {
    const scores = keywordScores(
      [
        ['my analyst says hi', 'my an alist says hi'], // said, missed
        ['the analyst and the zebra', 'the analyst and the zebra'], // said twice, both right
        ['a dress for the party', 'addressee for the party'], // not said, written: a false alarm
        ['nothing listed here', 'nothing listed here'],
      ],
      ['Analyst', 'zebra', 'addressee'],
    );
    expect(scores).toEqual({ occurrences: 3, recognised: 2, recall: 2 / 3, falseAlarms: 1 });
  });

  it('matches by alignment, not by presence: a listed word written in the wrong place is a miss', () => {
    const scores = keywordScores([['zebra one two three', 'one two three zebra']], ['zebra']);
    expect(scores.recognised).toBe(0);
    expect(scores.falseAlarms).toBe(1);
    expect(keywordScores([], ['zebra']).recall).toBe(0);
  });
});
