import {
  COLOURS,
  type Colour,
  RELATIONS,
  type Relation,
  SHAPES,
  type Shape,
  SIZES,
  type Size,
} from './vocabulary.js';

/** A group of identical objects (same shape, colour and size). */
export interface ObjectGroup {
  readonly shape: Shape;
  readonly colour: Colour;
  readonly size: Size;
  readonly count: number;
}

/** One placed object: centre and radius in pixels, rotation in degrees. */
export interface PlacedObject {
  readonly shape: Shape;
  readonly colour: Colour;
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
  readonly rotation: number;
}

/** A scene: one group, or two groups in a spatial relation ("A is left of B"). */
export interface Scene {
  readonly main: ObjectGroup;
  readonly relation?: { readonly relation: Relation; readonly other: ObjectGroup };
  readonly objects: readonly PlacedObject[];
  readonly background: readonly [number, number, number];
  /** Second background colour (vertical gradient). */
  readonly background2: readonly [number, number, number];
  readonly noise: number;
  readonly blur: number;
}

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.floor(random() * items.length)]!;

/** Object radius in pixels at a given image size. */
export function radiusOf(size: Size, imageSize: number): number {
  return imageSize * (size === 'small' ? 0.09 : 0.16);
}

export function drawGroup(random: () => number, maxCount: number): ObjectGroup {
  const size = pick(SIZES, random);
  // Three large objects do not fit beside another group: counts shrink with size.
  const limit = size === 'large' ? Math.min(2, maxCount) : maxCount;
  const roll = random();
  const count = roll < 0.6 ? 1 : roll < 0.85 || limit < 3 ? Math.min(2, limit) : 3;
  return { shape: pick(SHAPES, random), colour: pick(COLOURS, random), size, count };
}

/** Muted background colours far enough from every object colour to keep objects visible. */
function drawBackground(random: () => number): [number, number, number] {
  const base = 90 + random() * 90;
  const tint = () => Math.round(Math.min(255, Math.max(0, base + (random() - 0.5) * 60)));
  return [tint(), tint(), tint()];
}

type Box = { x0: number; x1: number; y0: number; y1: number };

/** The part of the canvas a group may use so that the relation holds for every object pair. */
function regions(relation: Relation | undefined, size: number): [Box, Box] {
  const m = 0;
  const full = { x0: m, x1: size, y0: m, y1: size };
  const half = size / 2;
  switch (relation) {
    case 'left of':
      return [
        { ...full, x1: half - 2 },
        { ...full, x0: half + 2 },
      ];
    case 'right of':
      return [
        { ...full, x0: half + 2 },
        { ...full, x1: half - 2 },
      ];
    case 'above':
      return [
        { ...full, y1: half - 2 },
        { ...full, y0: half + 2 },
      ];
    case 'below':
      return [
        { ...full, y0: half + 2 },
        { ...full, y1: half - 2 },
      ];
    default:
      return [full, full];
  }
}

/** Places a group's objects inside a box without overlaps; null when they do not fit. */
function place(
  group: ObjectGroup,
  box: Box,
  imageSize: number,
  taken: PlacedObject[],
  random: () => number,
): PlacedObject[] | null {
  const radius = radiusOf(group.size, imageSize);
  const placed: PlacedObject[] = [];
  for (let i = 0; i < group.count; i++) {
    let ok = false;
    for (let attempt = 0; attempt < 60 && !ok; attempt++) {
      const r = radius * (0.92 + random() * 0.16);
      const cx = box.x0 + r + random() * Math.max(0, box.x1 - box.x0 - 2 * r);
      const cy = box.y0 + r + random() * Math.max(0, box.y1 - box.y0 - 2 * r);
      if (box.x1 - box.x0 < 2 * r || box.y1 - box.y0 < 2 * r) return null;
      const clear = [...taken, ...placed].every(
        (o) => Math.hypot(o.cx - cx, o.cy - cy) > o.radius + r + 1.5,
      );
      if (clear) {
        placed.push({
          shape: group.shape,
          colour: group.colour,
          cx,
          cy,
          radius: r,
          rotation: (random() - 0.5) * 30,
        });
        ok = true;
      }
    }
    if (!ok) return null;
  }
  return placed;
}

/** Two groups must differ, or "a red circle left of a red circle" would be ambiguous to caption. */
const sameKind = (a: ObjectGroup, b: ObjectGroup) =>
  a.shape === b.shape && a.colour === b.colour && a.size === b.size;

/** Draws a random scene (retrying layouts that do not fit). */
export function drawScene(random: () => number, imageSize: number): Scene {
  for (;;) {
    const withRelation = random() < 0.7;
    const main = drawGroup(random, withRelation ? 2 : 3);
    const relation = withRelation
      ? { relation: pick(RELATIONS, random), other: { ...drawGroup(random, 1), count: 1 } }
      : undefined;
    if (relation && sameKind(main, relation.other)) continue;
    const [mainBox, otherBox] = regions(relation?.relation, imageSize);
    const first = place(main, mainBox, imageSize, [], random);
    if (!first) continue;
    const second = relation ? place(relation.other, otherBox, imageSize, first, random) : [];
    if (!second) continue;
    const background = drawBackground(random);
    return {
      main,
      ...(relation ? { relation } : {}),
      objects: [...first, ...second],
      background,
      background2: drawBackground(random),
      noise: random() * 0.06,
      blur: random() < 0.3 ? 0.3 + random() * 0.5 : 0,
    };
  }
}
