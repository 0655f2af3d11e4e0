import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { AttendError } from '../../src/errors.js';

/** One image of a caption manifest (JSONL): the image and its reference captions. */
export interface CaptionItem {
  readonly id: string;
  readonly image: string;
  readonly captions: readonly string[];
  /** Test scenes only: the held-out combination this scene contains. */
  readonly heldOut?: string;
}

/** Reads a JSONL caption manifest; image paths are resolved against the manifest's folder. */
export function readCaptionManifest(file: string): CaptionItem[] {
  if (!existsSync(file)) throw new AttendError(`${file}: no such manifest`);
  const base = dirname(file);
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => [line, i] as const)
    .filter(([line]) => line.trim().length > 0)
    .map(([line, i]) => {
      let item: Partial<CaptionItem>;
      try {
        item = JSON.parse(line) as Partial<CaptionItem>;
      } catch {
        throw new AttendError(`${file}:${i + 1}: not valid JSON`);
      }
      if (typeof item.image !== 'string')
        throw new AttendError(`${file}:${i + 1}: needs an "image" path`);
      const captions = Array.isArray(item.captions) ? item.captions.map(String) : [];
      return {
        id: String(item.id ?? i + 1),
        image: isAbsolute(item.image) ? item.image : resolve(base, item.image),
        captions,
        ...(item.heldOut ? { heldOut: String(item.heldOut) } : {}),
      };
    });
}
