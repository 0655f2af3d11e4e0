import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { AttendError } from '../../src/errors.js';
import type { WordTiming } from '../../src/output/transcript.js';
import { writeJsonl } from '../../src/util/jsonl.js';

/** One output line: the item's result or its error. */
export interface BatchRecord {
  readonly id: string;
  readonly input: string;
  readonly text?: string; // transcribe, align
  readonly words?: readonly WordTiming[]; // align: each word of the text with its times
  readonly caption?: string; // caption
  readonly references?: readonly string[];
  readonly duration?: number; // audio seconds
  readonly seconds?: number; // processing time, this item's share of its batch
  readonly error?: string;
}

/** Records already in an output file, and the byte length of its complete lines. */
export function readRecords(file: string): { records: BatchRecord[]; completeBytes: number } {
  if (!existsSync(file)) return { records: [], completeBytes: 0 };
  const text = readFileSync(file, 'utf8');
  const completeBytes = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
  const records: BatchRecord[] = [];
  for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as BatchRecord);
    } catch {
      // A line a crash cut short mid-write: its item is done again.
    }
  }
  return { records, completeBytes };
}

/**
 * How an existing output is taken up: refused (a fresh run), continued, or continued with its
 * failed items dropped so that they run again.
 */
export type ResumeMode = 'fresh' | 'resume' | 'retry-failed';

/**
 * The JSONL output: each record is written with one write() as soon as its item is done, so a
 * crash or kill -9 loses only the items in flight. Resuming drops a torn last line and skips the
 * ids already written; without --resume an existing non-empty file is refused rather than mixed.
 * Retrying failed items first rewrites the file without their error lines (to a temporary file,
 * then renamed over it), so each id keeps one line.
 */
export class ResultLog {
  readonly done: Set<string>;
  private readonly fd: number;

  constructor(
    readonly file: string,
    mode: ResumeMode,
  ) {
    const { records, completeBytes } = readRecords(file);
    if (mode === 'fresh' && existsSync(file) && readFileSync(file).length > 0)
      throw new AttendError(`${file}: output exists (use --resume to continue it, or remove it)`);
    let kept = records;
    if (mode === 'retry-failed' && records.some((r) => r.error)) {
      kept = records.filter((r) => !r.error);
      const temporary = `${file}.retry-${process.pid}`;
      writeJsonl(temporary, kept);
      renameSync(temporary, file);
    } else if (existsSync(file)) truncateSync(file, completeBytes);
    this.done = new Set(kept.map((r) => r.id));
    this.fd = openSync(file, 'a');
  }

  write(record: BatchRecord): void {
    if (this.done.has(record.id)) return; // never twice
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.done.add(record.id);
  }

  close(): void {
    closeSync(this.fd);
  }
}
