import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { AttendError } from '../../src/errors.js';
import { csvFields } from '../../src/util/csv.js';
import { byId } from '../../src/util/jsonl.js';

/** align: word times of each manifest row's `text` in its audio (forced alignment). */
export type BatchTask = 'transcribe' | 'caption' | 'align';

/** One thing to process: a file, its id in the output, and reference text where the input had it. */
export interface BatchItem {
  readonly id: string;
  readonly input: string;
  /** Reference transcript (transcribe) or captions (caption), for the summary's metrics. */
  readonly references?: readonly string[];
  /** A manifest row that could not be read: recorded as this item's error. */
  readonly error?: string;
}

const AUDIO_EXTENSIONS = [
  '.wav',
  '.flac',
  '.mp3',
  '.ogg',
  '.oga',
  '.opus',
  '.aiff',
  '.aif',
  '.m4a',
  '.aac',
  '.webm',
];

export const EXTENSIONS: Record<BatchTask, readonly string[]> = {
  transcribe: AUDIO_EXTENSIONS,
  align: AUDIO_EXTENSIONS,
  caption: ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff'],
};

const PATH_COLUMNS = ['audio', 'image', 'path', 'file', 'filename'];

/** A manifest row as an item: the path column, an id, references from text/captions. */
function rowItem(row: Record<string, unknown>, where: string, base: string): BatchItem {
  const column = PATH_COLUMNS.find((c) => typeof row[c] === 'string' && row[c] !== '');
  if (!column)
    return {
      id: String(row.id ?? where),
      input: where,
      error: `${where}: no ${PATH_COLUMNS.join('/')} column`,
    };
  const path = row[column] as string;
  const input = isAbsolute(path) ? path : resolve(base, path);
  const captions = row.captions;
  const references =
    typeof row.text === 'string'
      ? [row.text]
      : Array.isArray(captions)
        ? captions.map(String)
        : typeof captions === 'string'
          ? captions.split('|').map((c) => c.trim())
          : undefined;
  return { id: String(row.id ?? path), input, ...(references ? { references } : {}) };
}

function readJsonl(file: string): BatchItem[] {
  const base = dirname(file);
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => [line, i + 1] as const)
    .filter(([line]) => line.trim())
    .map(([line, n]) => {
      const where = `${file}:${n}`;
      try {
        const row = JSON.parse(line) as unknown;
        if (typeof row !== 'object' || row === null || Array.isArray(row))
          return { id: where, input: where, error: `${where}: not a JSON object` };
        return rowItem(row as Record<string, unknown>, where, base);
      } catch {
        return { id: where, input: where, error: `${where}: not valid JSON` };
      }
    });
}

function readCsv(file: string): BatchItem[] {
  const [header, ...rows] = readFileSync(file, 'utf8').split(/\r?\n/);
  const columns = csvFields(header ?? '').map((c) => c.trim().toLowerCase());
  if (!columns.some((c) => PATH_COLUMNS.includes(c)))
    throw new AttendError(
      `${file}: the CSV header needs a column named one of ${PATH_COLUMNS.join(', ')}`,
    );
  return rows
    .map((line, i) => [line, i + 2] as const)
    .filter(([line]) => line.trim())
    .map(([line, n]) => {
      const fields = csvFields(line);
      const row = Object.fromEntries(columns.map((c, j) => [c, fields[j] ?? '']));
      return rowItem(row, `${file}:${n}`, dirname(file));
    });
}

/**
 * What a batch covers: a manifest (.jsonl or .csv with a path column and optional text/captions),
 * a folder (every file of the task's types, recursively) or a glob. Sorted by id, so every
 * machine sees the same list.
 */
export function listInputs(input: string, task: BatchTask): BatchItem[] {
  const ext = extname(input).toLowerCase();
  let items: BatchItem[];
  if (existsSync(input) && statSync(input).isFile() && (ext === '.jsonl' || ext === '.json'))
    items = readJsonl(input);
  else if (existsSync(input) && statSync(input).isFile() && ext === '.csv') items = readCsv(input);
  else {
    const isFolder = existsSync(input) && statSync(input).isDirectory();
    const pattern = isFolder ? `**/*{${EXTENSIONS[task].join(',')}}` : input;
    const base = isFolder ? input : process.cwd();
    const files = globSync(pattern, { cwd: base, absolute: true, caseSensitiveMatch: false });
    if (!isFolder && !files.length && !/[*?[{]/.test(input))
      throw new AttendError(`${input}: no such file, folder or manifest`);
    items = files.map((file) => ({ id: relative(base, file), input: file }));
  }
  return items.sort(byId);
}
