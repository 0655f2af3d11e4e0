import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { AttendError } from '../src/errors.js';

/** One utterance of a speech manifest (JSONL, one object a line). */
export interface SpeechItem {
  readonly audio: string;
  readonly text: string;
  readonly duration: number;
  readonly speaker: string;
}

/** Reads a JSONL manifest; audio paths are resolved against the manifest's folder. */
export function readSpeechManifest(file: string): SpeechItem[] {
  if (!existsSync(file)) throw new AttendError(`${file}: no such manifest`);
  const base = dirname(file);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, i) => {
      let item: Partial<SpeechItem>;
      try {
        item = JSON.parse(line) as Partial<SpeechItem>;
      } catch {
        throw new AttendError(`${file}:${i + 1}: not valid JSON`);
      }
      if (typeof item.audio !== 'string' || typeof item.text !== 'string') {
        throw new AttendError(`${file}:${i + 1}: needs "audio" and "text" strings`);
      }
      return {
        audio: isAbsolute(item.audio) ? item.audio : resolve(base, item.audio),
        text: item.text,
        duration: Number(item.duration ?? 0),
        speaker: String(item.speaker ?? ''),
      };
    });
}

/** Audio paths already listed in a manifest (to resume a build). */
export async function manifestAudioPaths(file: string): Promise<Set<string>> {
  const seen = new Set<string>();
  if (!existsSync(file)) return seen;
  const lines = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      seen.add((JSON.parse(line) as SpeechItem).audio);
    } catch {
      // A line cut by a crash: the item is rebuilt.
    }
  }
  return seen;
}
