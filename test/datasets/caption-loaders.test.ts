import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCocoCaptions } from '../../datasets/captions/coco.js';
import { readFlickrTokens } from '../../datasets/captions/flickr.js';
import { projectPath } from '../../src/paths.js';

const fixtures = projectPath('test', 'fixtures');

describe('real caption dataset loaders', () => {
  it('groups COCO annotations by image and leaves out images without captions', () => {
    const items = readCocoCaptions(
      join(fixtures, 'coco', 'captions_val_tiny.json'),
      '/data/coco/val2017',
    );
    expect(items).toEqual([
      {
        id: '139',
        image: '/data/coco/val2017/000000000139.jpg',
        captions: [
          'A woman stands in the dining area at the table.',
          'A room with chairs, a table, and a woman in it.',
        ],
      },
      {
        id: '285',
        image: '/data/coco/val2017/000000000285.jpg',
        captions: [
          'A big burly grizzly bear is shown with grass in the background.',
          'The large brown bear has a black nose.',
        ],
      },
    ]);
    expect(() => readCocoCaptions(join(fixtures, 'flickr8k', 'Flickr8k.token.txt'), '.')).toThrow(
      /Flickr8k\.token\.txt: not a readable COCO captions file/,
    );
  });

  it('reads Flickr8k token files, optionally limited to a split list', () => {
    const tokens = join(fixtures, 'flickr8k', 'Flickr8k.token.txt');
    const all = readFlickrTokens(tokens, '/data/flickr/images');
    expect(all.map((i) => [i.id, i.captions.length])).toEqual([
      ['1000268201_693b08cb0e.jpg', 2],
      ['1001773457_577c3a7d70.jpg', 2],
    ]);
    const train = readFlickrTokens(
      tokens,
      '/data/flickr/images',
      join(fixtures, 'flickr8k', 'Flickr_8k.trainImages.txt'),
    );
    expect(train).toHaveLength(1);
    expect(train[0]!.image).toBe('/data/flickr/images/1001773457_577c3a7d70.jpg');
    expect(train[0]!.captions[0]).toBe('A black dog and a spotted dog are fighting');
  });
});
