import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flacSeconds } from '../../src/audio/flac-info.js';
import { AttendError } from '../../src/errors.js';
import type { SpeechItem } from '../manifest.js';

/** Every *.trans.txt under a folder (LibriSpeech nests them as <subset>/<speaker>/<chapter>/). */
function transcriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return transcriptFiles(path);
    return entry.name.endsWith('.trans.txt') ? [path] : [];
  });
}

/**
 * A LibriSpeech subset as it unpacks (e.g. LibriSpeech/dev-clean): each chapter folder has
 * `<speaker>-<chapter>.trans.txt` with lines `<utterance-id> TEXT IN CAPITALS` and one
 * `<utterance-id>.flac` per line. Text is lower-cased to match attend's character vocabulary;
 * durations come from each FLAC's header (0, unknown, for a file that is missing or unreadable).
 */
export function readLibriSpeech(root: string): SpeechItem[] {
  let files: string[];
  try {
    files = transcriptFiles(root).sort();
  } catch (error) {
    throw new AttendError(`${root}: cannot read LibriSpeech folder (${(error as Error).message})`);
  }
  if (files.length === 0)
    throw new AttendError(`${root}: no *.trans.txt files (not a LibriSpeech folder?)`);
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .filter((line) => line.trim())
      .map((line, i) => {
        const match = /^(\d+)-(\d+)-(\d+)\s+(.+)$/.exec(line.trim());
        if (!match)
          throw new AttendError(`${file}:${i + 1}: expected '<speaker>-<chapter>-<n> TEXT'`);
        const [, speaker, chapter, n, text] = match as unknown as [
          string,
          string,
          string,
          string,
          string,
        ];
        const audio = join(file, '..', `${speaker}-${chapter}-${n}.flac`);
        const seconds = flacSeconds(audio);
        return {
          audio,
          text: text.toLowerCase(),
          duration: seconds === undefined ? 0 : Math.round(seconds * 1000) / 1000,
          speaker: `librispeech:${speaker}`,
        };
      }),
  );
}
