import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttendError } from '../../src/errors.js';
import type { CaptionItem } from './manifest.js';

interface CocoCaptions {
  images?: { id: number; file_name: string }[];
  annotations?: { image_id: number; caption: string }[];
}

/**
 * COCO captions (captions_train2017.json and the like): `images` [{id, file_name}] and
 * `annotations` [{image_id, caption}], images under `imageDir`. Images without a caption are left out.
 */
export function readCocoCaptions(file: string, imageDir: string): CaptionItem[] {
  let data: CocoCaptions;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as CocoCaptions;
  } catch (error) {
    throw new AttendError(
      `${file}: not a readable COCO captions file (${(error as Error).message})`,
    );
  }
  if (!Array.isArray(data.images) || !Array.isArray(data.annotations))
    throw new AttendError(`${file}: a COCO captions file needs "images" and "annotations" arrays`);
  const captions = new Map<number, string[]>();
  for (const a of data.annotations) {
    const list = captions.get(a.image_id) ?? [];
    list.push(a.caption.trim());
    captions.set(a.image_id, list);
  }
  return data.images
    .filter((image) => captions.has(image.id))
    .map((image) => ({
      id: String(image.id),
      image: join(imageDir, image.file_name),
      captions: captions.get(image.id)!,
    }));
}
