/** What a scene can contain, and which combinations training never sees. */
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'heart'] as const;
export const COLOURS = [
  'red',
  'green',
  'blue',
  'yellow',
  'purple',
  'orange',
  'white',
  'black',
] as const;
export const SIZES = ['small', 'large'] as const;
export const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;

export type Shape = (typeof SHAPES)[number];
export type Colour = (typeof COLOURS)[number];
export type Size = (typeof SIZES)[number];
export type Relation = (typeof RELATIONS)[number];

/** sRGB of each colour name (saturated enough to name at 64×64). */
export const COLOUR_RGB: Record<Colour, [number, number, number]> = {
  red: [220, 30, 35],
  green: [30, 170, 50],
  blue: [35, 70, 220],
  yellow: [245, 215, 30],
  purple: [140, 40, 180],
  orange: [250, 130, 20],
  white: [250, 250, 250],
  black: [15, 15, 15],
};

export const INVERSE: Record<Relation, Relation> = {
  'left of': 'right of',
  'right of': 'left of',
  above: 'below',
  below: 'above',
};

/** Colour–shape pairs that only test scenes contain (composition: seen colours, seen shapes). */
export const HELD_OUT_PAIRS: readonly (readonly [Colour, Shape])[] = [
  ['purple', 'star'],
  ['orange', 'heart'],
  ['green', 'circle'],
  ['white', 'triangle'],
];

/**
 * Shape–relation–shape triples only test scenes contain ("a heart left of a square" and its
 * inverse "a square right of a heart" are the same scene).
 */
export const HELD_OUT_RELATIONS: readonly (readonly [Shape, Relation, Shape])[] = [
  ['heart', 'left of', 'square'],
  ['star', 'above', 'triangle'],
];
