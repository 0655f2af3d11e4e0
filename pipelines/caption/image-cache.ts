import type { CaptionItem } from '../../datasets/captions/manifest.js';
import { Progress } from '../../src/cli/progress.js';
import { loadImage } from '../../src/vision/image.js';

/** A manifest item with its decoded pixels (bytes, [size, size, 3]) kept in memory for training. */
export interface CachedImage extends CaptionItem {
  readonly pixels: Uint8Array;
}

/**
 * Decodes every image once at the model's input size (bytes: a 64×64 scene is 12 KB, so tens of
 * thousands fit easily). Unreadable images are skipped with a warning naming them.
 */
export async function cacheImages(
  items: readonly CaptionItem[],
  size: number,
  onItem?: () => void,
): Promise<CachedImage[]> {
  const out: CachedImage[] = [];
  const queue = [...items.keys()];
  const results = new Array<CachedImage | undefined>(items.length);
  // sharp decodes on libuv's threads: a few in flight keep both cores busy.
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const item = items[i]!;
      try {
        const image = await loadImage(item.image, size);
        const pixels = new Uint8Array(image.pixels.length);
        for (let p = 0; p < pixels.length; p++) pixels[p] = Math.round(image.pixels[p]! * 255);
        results[i] = { ...item, pixels };
      } catch (error) {
        process.stderr.write(`skipping ${(error as Error).message}\n`);
      }
      onItem?.();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  for (const r of results) if (r) out.push(r);
  return out;
}

/** cacheImages with a progress bar ("decode <what>"). */
export async function decodeImages(
  items: readonly CaptionItem[],
  size: number,
  what: string,
): Promise<CachedImage[]> {
  const progress = new Progress(items.length, `decode ${what}`);
  const cached = await cacheImages(items, size, () => progress.tick());
  progress.finish();
  return cached;
}
