import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { AttendError } from '../src/errors.js';
import { csvFields } from '../src/util/csv.js';

/** One utterance of a speech manifest (JSONL, one object a line). */
export interface SpeechItem {
  readonly audio: string;
  readonly text: string;
  readonly duration: number;
  readonly speaker: string;
}

/** An item from a parsed row (JSON object or CSV record); a row without audio/text is an error. */
function speechItem(row: Record<string, unknown>, where: string, base: string): SpeechItem {
  const audio = row.audio ?? row.path ?? row.file;
  if (typeof audio !== 'string' || !audio || typeof row.text !== 'string')
    throw new AttendError(`${where}: needs "audio" (or "path") and "text"`);
  return {
    audio: isAbsolute(audio) ? audio : resolve(base, audio),
    text: row.text,
    duration: Number(row.duration ?? 0) || 0,
    speaker: String(row.speaker ?? ''),
  };
}

/**
 * Reads a speech manifest: JSONL (one object a line) or CSV with a header (`audio` or `path`,
 * `text`, optional `duration`, `speaker`). Audio paths are resolved against the manifest's folder.
 */
export function readSpeechManifest(file: string): SpeechItem[] {
  if (!existsSync(file)) throw new AttendError(`${file}: no such manifest`);
  const base = dirname(file);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  if (extname(file).toLowerCase() === '.csv') {
    const columns = csvFields(lines[0] ?? '').map((c) => c.trim().toLowerCase());
    return lines
      .slice(1)
      .map((line, i) => [line, i + 2] as const)
      .filter(([line]) => line.trim())
      .map(([line, n]) => {
        const fields = csvFields(line);
        return speechItem(
          Object.fromEntries(columns.map((c, k) => [c, fields[k] ?? ''])),
          `${file}:${n}`,
          base,
        );
      });
  }
  return lines
    .map((line, i) => [line, i + 1] as const)
    .filter(([line]) => line.trim().length > 0)
    .map(([line, n]) => {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new AttendError(`${file}:${n}: not valid JSON`);
      }
      if (typeof row !== 'object' || row === null)
        throw new AttendError(`${file}:${n}: not a JSON object`);
      return speechItem(row as Record<string, unknown>, `${file}:${n}`, base);
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
