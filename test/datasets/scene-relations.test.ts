import { describe, expect, it } from 'vitest';
import { relationScores, statedRelation } from '../../datasets/scenes/relations.js';

describe('relations stated in scene captions', () => {
  it('reads the relation between two coloured shapes in any of the wordings', () => {
    expect(statedRelation('a large green heart to the left of two small blue circles')).toEqual({
      subject: 'green heart',
      relation: 'left of',
      object: 'blue circle',
    });
    expect(statedRelation('there are two red stars over a black square')).toEqual({
      subject: 'red star',
      relation: 'above',
      object: 'black square',
    });
    expect(statedRelation('a red heart and a green square')).toBeUndefined();
    expect(statedRelation('a cat to the left of a dog')).toBeUndefined();
  });

  it('counts right (either order), mirrored, missing and other relations', () => {
    const references = [
      'a green heart to the left of a blue circle',
      'a blue circle to the right of a green heart',
    ];
    const scores = relationScores(
      [
        'a green heart left of a blue circle', // right
        'a blue circle to the right of a green heart', // right, the other order
        'a green heart to the right of a blue circle', // mirrored
        'a blue circle to the left of a green heart', // mirrored, the other order
        'a green heart and a blue circle', // missing
        'a red heart to the left of a blue circle', // other
      ].map((hypothesis) => ({ hypothesis, references })),
    );
    expect(scores).toEqual({ scenes: 6, right: 2, mirrored: 2, missing: 1, other: 1 });
    expect(
      relationScores([{ hypothesis: 'a red star', references: ['a red star'] }]),
    ).toBeUndefined();
  });
});
