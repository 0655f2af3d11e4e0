import sharp from 'sharp';
import type { RgbImage } from './image.js';

/** One generated word and its attention over the side×side grid of image regions. */
export interface AttendedWord {
  readonly word: string;
  readonly weights: ArrayLike<number>; // side², row-major
  /** The probability the decoder gave this word (0-1). */
  readonly confidence?: number;
}

export interface AttentionMapLayout {
  readonly tile: number; // tile side in pixels
  readonly columns: number;
  readonly label: number; // label strip height under each tile
}

export const DEFAULT_LAYOUT: AttentionMapLayout = { tile: 128, columns: 5, label: 22 };

/** Bilinear upsampling of a side×side grid (cell centres) to size×size, scaled so its max is 1. */
export function upsampleGrid(weights: ArrayLike<number>, side: number, size: number): Float32Array {
  let max = 0;
  for (let i = 0; i < weights.length; i++) max = Math.max(max, weights[i]!);
  const scale = max > 0 ? 1 / max : 0;
  const out = new Float32Array(size * size);
  const at = (r: number, c: number) =>
    weights[Math.min(side - 1, Math.max(0, r)) * side + Math.min(side - 1, Math.max(0, c))]!;
  for (let y = 0; y < size; y++) {
    const gy = ((y + 0.5) * side) / size - 0.5;
    const r0 = Math.floor(gy);
    const fy = gy - r0;
    for (let x = 0; x < size; x++) {
      const gx = ((x + 0.5) * side) / size - 0.5;
      const c0 = Math.floor(gx);
      const fx = gx - c0;
      const v =
        (1 - fy) * ((1 - fx) * at(r0, c0) + fx * at(r0, c0 + 1)) +
        fy * ((1 - fx) * at(r0 + 1, c0) + fx * at(r0 + 1, c0 + 1));
      out[y * size + x] = v * scale;
    }
  }
  return out;
}

/** The image lit where the word attends (Show-Attend-and-Tell's figure): dark elsewhere. */
function litTile(image: RgbImage, heat: Float32Array): Buffer {
  const bytes = Buffer.alloc(image.width * image.height * 3);
  for (let p = 0; p < heat.length; p++) {
    const light = 0.2 + 0.8 * heat[p]!;
    for (let c = 0; c < 3; c++)
      bytes[p * 3 + c] = Math.round(image.pixels[p * 3 + c]! * light * 255);
  }
  return bytes;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function labelSvg(word: string, width: number, height: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="white"/><text x="${width / 2}" y="${height - 6}" font-family="DejaVu Sans, sans-serif" font-size="${Math.round(height * 0.7)}" text-anchor="middle" fill="black">${escapeXml(word)}</text></svg>`,
  );
}

/**
 * One PNG: the original image, then one tile per generated word (the image lit by that word's
 * attention), the word written under each tile, `columns` tiles a row. `image` must be tile×tile.
 */
export async function renderAttentionMap(
  image: RgbImage,
  words: readonly AttendedWord[],
  side: number,
  layout: AttentionMapLayout = DEFAULT_LAYOUT,
): Promise<Buffer> {
  const { tile, columns, label } = layout;
  const cells = [
    { word: '(image)', pixels: litTile(image, new Float32Array(tile * tile).fill(1)) },
  ];
  for (const w of words)
    cells.push({ word: w.word, pixels: litTile(image, upsampleGrid(w.weights, side, tile)) });
  const rows = Math.ceil(cells.length / columns);
  const width = Math.min(cells.length, columns) * tile;
  const height = rows * (tile + label);
  const composites = cells.flatMap((cell, i) => {
    const left = (i % columns) * tile;
    const top = Math.floor(i / columns) * (tile + label);
    return [
      { input: cell.pixels, raw: { width: tile, height: tile, channels: 3 as const }, left, top },
      { input: labelSvg(cell.word, tile, label), left, top: top + tile },
    ];
  });
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .png()
    .toBuffer();
}
