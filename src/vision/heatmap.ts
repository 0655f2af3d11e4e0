/** A perceptually ordered dark-to-bright colour scale (close to matplotlib's magma), 5 stops. */
const STOPS: [number, number, number][] = [
  [0, 0, 4],
  [81, 18, 124],
  [183, 55, 121],
  [252, 137, 97],
  [252, 253, 191],
];

/** Value in [0, 1] -> RGB bytes on the colour scale. */
export function colour(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(v));
  const f = v - i;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as [number, number, number];
}

/**
 * A rows×columns matrix drawn as RGB bytes of `width`×`height` (nearest neighbour), each value
 * scaled to [0, 1] by the matrix's own minimum and maximum; `flipRows` puts row 0 at the bottom
 * (spectrograms: low frequencies down).
 */
export function matrixImage(
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  width: number,
  height: number,
  flipRows = false,
): Buffer {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows * columns; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const range = max > min ? max - min : 1;
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    let r = Math.min(rows - 1, Math.floor((y * rows) / height));
    if (flipRows) r = rows - 1 - r;
    for (let x = 0; x < width; x++) {
      const c = Math.min(columns - 1, Math.floor((x * columns) / width));
      out.set(colour((values[r * columns + c]! - min) / range), (y * width + x) * 3);
    }
  }
  return out;
}
