import type { ObjectGroup, Scene } from './layout.js';
import { HELD_OUT_PAIRS, HELD_OUT_RELATIONS, INVERSE, type Relation } from './vocabulary.js';

const NUMBERS = ['', 'a', 'two', 'three'];
const RELATION_WORDS: Record<Relation, string[]> = {
  'left of': ['to the left of', 'left of'],
  'right of': ['to the right of', 'right of'],
  above: ['above', 'over'],
  below: ['below', 'under'],
};

/** "a small red circle", "two large blue squares", "an orange star" (size optional). */
export function describeGroup(group: ObjectGroup, withSize: boolean): string {
  const noun = group.count > 1 ? `${group.shape}s` : group.shape;
  const words = [withSize ? group.size : '', group.colour, noun].filter(Boolean);
  const article = group.count === 1 && /^[aeiou]/.test(words[0]!) ? 'an' : NUMBERS[group.count]!;
  return [article, ...words].join(' ');
}

const be = (group: ObjectGroup) => (group.count > 1 ? 'are' : 'is');

/**
 * Several reference captions in different wordings (the metrics reward matching any of them): the
 * full description first, then the inverse relation, size-free and "there is" variants.
 */
export function captionScene(scene: Scene): string[] {
  const main = describeGroup(scene.main, true);
  const mainShort = describeGroup(scene.main, false);
  if (!scene.relation) {
    return [
      main,
      `there ${be(scene.main)} ${main}`,
      mainShort,
      `there ${be(scene.main)} ${mainShort}`,
    ];
  }
  const { relation, other } = scene.relation;
  const second = describeGroup(other, true);
  const secondShort = describeGroup(other, false);
  const [rel, relAlt] = RELATION_WORDS[relation] as [string, string];
  const [inv] = RELATION_WORDS[INVERSE[relation]] as [string, string];
  return [
    `${main} ${rel} ${second}`,
    `${second} ${inv} ${main}`,
    `${mainShort} ${relAlt} ${secondShort}`,
    `there ${be(scene.main)} ${main} ${rel} ${second}`,
    `${main} and ${second}`,
  ];
}

/** Why a scene belongs only to the test split (held-out colour–shape pair or relation), if it does. */
export function heldOutReason(scene: Scene): string | undefined {
  const groups = [scene.main, ...(scene.relation ? [scene.relation.other] : [])];
  for (const [colour, shape] of HELD_OUT_PAIRS) {
    if (groups.some((g) => g.colour === colour && g.shape === shape))
      return `pair:${colour} ${shape}`;
  }
  if (scene.relation) {
    const a = scene.main.shape;
    const b = scene.relation.other.shape;
    const r = scene.relation.relation;
    for (const [x, rel, y] of HELD_OUT_RELATIONS) {
      if ((a === x && r === rel && b === y) || (a === y && r === INVERSE[rel] && b === x))
        return `relation:${x} ${rel} ${y}`;
    }
  }
  return undefined;
}
