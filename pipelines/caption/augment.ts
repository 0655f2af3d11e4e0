/**
 * Training augmentation on one [size, size, 3] image: a shift of up to `maxShift` pixels (edges
 * repeated), brightness/contrast jitter, and a horizontal flip only when no caption mentions
 * left or right (a flip would make those captions wrong).
 */
export function augmentImage(
  pixels: Uint8Array,
  size: number,
  captions: readonly string[],
  random: () => number,
  maxShift = 3,
): Float32Array {
  const out = new Float32Array(size * size * 3);
  const dx = Math.round((random() * 2 - 1) * maxShift);
  const dy = Math.round((random() * 2 - 1) * maxShift);
  const flip = random() < 0.5 && !captions.some((c) => /\b(left|right)\b/.test(c));
  const brightness = (random() - 0.5) * 0.2;
  const contrast = 1 + (random() - 0.5) * 0.3;
  const clamp = (v: number) => Math.min(size - 1, Math.max(0, v));
  for (let y = 0; y < size; y++) {
    const sy = clamp(y - dy);
    for (let x = 0; x < size; x++) {
      const sx = clamp((flip ? size - 1 - x : x) - dx);
      const src = (sy * size + sx) * 3;
      const dst = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = (pixels[src + c]! / 255 - 0.5) * contrast + 0.5 + brightness;
        out[dst + c] = Math.min(1, Math.max(0, v));
      }
    }
  }
  return out;
}

/** Bytes -> floats in [0, 1] without augmentation (evaluation). */
export function plainImage(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! / 255;
  return out;
}
