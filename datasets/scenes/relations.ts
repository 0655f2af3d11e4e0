import { COLOURS, INVERSE, type Relation, SHAPES } from './vocabulary.js';

/** "a large green heart to the left of two blue circles" as (green heart, left of, blue circle). */
export interface StatedRelation {
  readonly subject: string;
  readonly relation: Relation;
  readonly object: string;
}

/** The wordings captionScene uses for each relation, longest first so "to the left of" wins. */
const PHRASES: readonly (readonly [string, Relation])[] = [
  ['to the left of', 'left of'],
  ['to the right of', 'right of'],
  ['left of', 'left of'],
  ['right of', 'right of'],
  ['above', 'above'],
  ['over', 'above'],
  ['below', 'below'],
  ['under', 'below'],
];

/** "two small red stars" → "red star"; undefined without a colour and a shape. */
function thing(words: readonly string[]): string | undefined {
  const colour = words.find((w) => (COLOURS as readonly string[]).includes(w));
  const shape = words
    .map((w) => w.replace(/s$/, ''))
    .find((w) => (SHAPES as readonly string[]).includes(w));
  return colour && shape ? `${colour} ${shape}` : undefined;
}

/** The relation a scene caption states, if it states one between two coloured shapes. */
export function statedRelation(caption: string): StatedRelation | undefined {
  const text = ` ${caption.toLowerCase().trim()} `;
  for (const [phrase, relation] of PHRASES) {
    const at = text.indexOf(` ${phrase} `);
    if (at < 0) continue;
    const subject = thing(text.slice(0, at).split(/\s+/));
    const object = thing(text.slice(at + phrase.length + 2).split(/\s+/));
    return subject && object ? { subject, relation, object } : undefined;
  }
  return undefined;
}

/** How captions state the relations their references state. */
export interface RelationScores {
  /** Images whose first reference states a relation. */
  readonly scenes: number;
  /** The same relation between the same two things (in either order: "a left of b", "b right of a"). */
  readonly right: number;
  /** The same two things, the relation mirrored ("a right of b" for "a left of b"). */
  readonly mirrored: number;
  /** No relation stated ("a red heart and a green square"). */
  readonly missing: number;
  /** A relation between other things. */
  readonly other: number;
}

/** Scores each hypothesis's relation against its first reference's; undefined if none has one. */
export function relationScores(
  pairs: readonly { readonly hypothesis: string; readonly references: readonly string[] }[],
): RelationScores | undefined {
  const counts = { scenes: 0, right: 0, mirrored: 0, missing: 0, other: 0 };
  for (const { hypothesis, references } of pairs) {
    const truth = references[0] ? statedRelation(references[0]) : undefined;
    if (!truth) continue;
    counts.scenes++;
    const said = statedRelation(hypothesis);
    if (!said) {
      counts.missing++;
      continue;
    }
    const same = said.subject === truth.subject && said.object === truth.object;
    const swapped = said.subject === truth.object && said.object === truth.subject;
    if (
      (same && said.relation === truth.relation) ||
      (swapped && said.relation === INVERSE[truth.relation])
    )
      counts.right++;
    else if (
      (same && said.relation === INVERSE[truth.relation]) ||
      (swapped && said.relation === truth.relation)
    )
      counts.mirrored++;
    else counts.other++;
  }
  return counts.scenes ? counts : undefined;
}
