import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImage } from '../../src/vision/image.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 40×20 image: left half red, right half blue. */
async function halves(): Promise<ReturnType<typeof sharp>> {
  const data = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++)
    for (let x = 0; x < 40; x++) data.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  return sharp(data, { raw: { width: 40, height: 20, channels: 3 } });
}

const pixel = (image: { pixels: Float32Array; width: number }, x: number, y: number) =>
  Array.from(image.pixels.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3)).map(
    (v) => Math.round(v * 255),
  );

describe('loadImage', () => {
  it.each(['png', 'jpeg', 'webp', 'gif', 'tiff'] as const)(
    'reads %s and resizes to the model size',
    async (format) => {
      const file = join(dir, `halves.${format}`);
      await (await halves()).toFormat(format).toFile(file);
      const image = await loadImage(file, 16);
      expect([image.width, image.height, image.pixels.length]).toEqual([16, 16, 16 * 16 * 3]);
      const [r, , b] = pixel(image, 2, 8);
      expect(r).toBeGreaterThan(200);
      expect(b).toBeLessThan(60);
      expect(pixel(image, 13, 8)[2]).toBeGreaterThan(200);
    },
  );

  it('applies EXIF rotation, flattens alpha onto white and makes greyscale RGB', async () => {
    // Orientation 6 = stored image must be turned 90° clockwise: the red left half ends on top.
    const rotated = join(dir, 'rotated.jpg');
    await (await halves()).jpeg().withMetadata({ orientation: 6 }).toFile(rotated);
    const upright = await loadImage(rotated, 16);
    expect(pixel(upright, 8, 2)[0]).toBeGreaterThan(200);
    expect(pixel(upright, 8, 13)[2]).toBeGreaterThan(200);

    const transparent = join(dir, 'alpha.png');
    await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toFile(transparent);
    expect(pixel(await loadImage(transparent, 8), 4, 4)).toEqual([255, 255, 255]);

    const grey = join(dir, 'grey.png');
    await sharp(Buffer.alloc(64, 100), { raw: { width: 8, height: 8, channels: 1 } })
      .png()
      .toFile(grey);
    expect(pixel(await loadImage(grey, 8), 3, 3)).toEqual([100, 100, 100]);
  });

  it('refuses missing, empty, corrupt, non-image and decompression-bomb files, naming them', async () => {
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.jpg');
    writeFileSync(text, 'this is not an image at all');
    const truncated = join(dir, 'truncated.png');
    const whole = await (await halves()).png().toBuffer();
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const bomb = join(dir, 'bomb.png');
    await sharp({ create: { width: 9000, height: 9000, channels: 3, background: '#000' } })
      .png()
      .toFile(bomb);
    await expect(loadImage(join(dir, 'missing.png'), 8)).rejects.toThrow(
      /missing\.png: no such file/,
    );
    await expect(loadImage(empty, 8)).rejects.toThrow(/empty\.png: file is empty/);
    await expect(loadImage(text, 8)).rejects.toThrow(/notes\.jpg: not an image/);
    await expect(loadImage(truncated, 8)).rejects.toThrow(/truncated\.png: cannot decode image/);
    await expect(loadImage(bomb, 8)).rejects.toThrow(/bomb\.png: image is too large/);
  });
});
