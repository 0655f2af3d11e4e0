import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttendError } from '../../src/errors.js';
import type { CaptionItem } from './manifest.js';

/**
 * Flickr8k/30k token files (Flickr8k.token.txt, results_20130124.token): lines of
 * `<image>#<n>\t<caption>`, five per image. `splitList` (e.g. Flickr_8k.trainImages.txt) keeps
 * only the images it names.
 */
export function readFlickrTokens(
  file: string,
  imageDir: string,
  splitList?: string,
): CaptionItem[] {
  const keep = splitList
    ? new Set(
        readFileSync(splitList, 'utf8')
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean),
      )
    : undefined;
  const captions = new Map<string, string[]>();
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim()) return;
      const match = /^([^#\t]+)#\d+\t(.+)$/.exec(line);
      if (!match) throw new AttendError(`${file}:${i + 1}: expected '<image>#<n><TAB><caption>'`);
      const [, image, caption] = match as unknown as [string, string, string];
      if (keep && !keep.has(image)) return;
      const list = captions.get(image) ?? [];
      list.push(caption.trim());
      captions.set(image, list);
    });
  return [...captions].map(([image, list]) => ({
    id: image,
    image: join(imageDir, image),
    captions: list,
  }));
}
