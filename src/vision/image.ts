import { existsSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { AttendError } from '../errors.js';
import { readStdin, STDIN } from '../io/stdin.js';
import { tf } from '../runtime/tf.js';

/** An RGB image as floats in [0, 1], row-major [height, width, 3]. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Float32Array;
}

/**
 * Decompression-bomb guard: images whose header claims more pixels than this are refused before
 * decoding (sharp's own default, 268 M pixels, would take gigabytes).
 */
export const MAX_INPUT_PIXELS = 40_000_000;

/** sharp's errors say what went wrong but not with which file; this names the file. */
function describe(file: string, error: unknown): AttendError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message))
    return new AttendError(
      `${file}: image is too large (over ${MAX_INPUT_PIXELS / 1e6} M pixels; a decompression bomb?)`,
    );
  if (/unsupported image format/i.test(message))
    return new AttendError(`${file}: not an image (or a format sharp cannot read)`);
  return new AttendError(`${file}: cannot decode image (${message.split('\n')[0]})`);
}

/**
 * Loads JPEG/PNG/WebP/GIF/TIFF (and anything else sharp reads; `-` is standard input), applies
 * EXIF rotation, flattens alpha onto white, turns greyscale into RGB and resizes to size×size
 * (squashing, not cropping: a crop could cut off an object the caption names).
 */
export async function loadImage(
  file: string | Buffer,
  size: number,
  name?: string,
): Promise<RgbImage> {
  if (file === STDIN) return loadImage(await readStdin(), size, name ?? 'standard input');
  const label = name ?? (typeof file === 'string' ? file : '<buffer>');
  if (typeof file === 'string') {
    if (!existsSync(file)) throw new AttendError(`${label}: no such file`);
    const info = statSync(file);
    if (info.isDirectory())
      throw new AttendError(
        `${label}: is a folder, not an image (attend batch caption takes folders)`,
      );
    if (info.size === 0) throw new AttendError(`${label}: file is empty`);
  } else if (file.length === 0) throw new AttendError(`${label}: image data is empty`);
  try {
    const { data, info } = await sharp(file, {
      limitInputPixels: MAX_INPUT_PIXELS,
      failOn: 'error',
    })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3)
      throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    const pixels = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) pixels[i] = data[i]! / 255;
    return { width: info.width, height: info.height, pixels };
  } catch (error) {
    if (error instanceof AttendError) throw error;
    throw describe(label, error);
  }
}

/** Float RGB [0, 1] -> PNG bytes (for attention maps and generated scenes). */
export function encodePng(image: RgbImage): Promise<Buffer> {
  const bytes = Buffer.alloc(image.pixels.length);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Math.round(Math.min(1, Math.max(0, image.pixels[i]!)) * 255);
  return sharp(bytes, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Images of one size (float RGB, [size, size, 3] each) as one [B, size, size, 3] tensor. */
export function stackImages(pixels: readonly Float32Array[], size: number): tf.Tensor4D {
  const values = new Float32Array(pixels.length * size * size * 3);
  pixels.forEach((image, b) => {
    values.set(image, b * size * size * 3);
  });
  return tf.tensor4d(values, [pixels.length, size, size, 3]);
}
