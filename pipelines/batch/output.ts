import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { AttendError } from '../../src/errors.js';

/** One output line: the item's result or its error. */
export interface BatchRecord {
  readonly id: string;
  readonly input: string;
  readonly text?: string; // transcribe
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
 * The JSONL output: each record is written with one write() as soon as its item is done, so a
 * crash or kill -9 loses only the items in flight. Resuming drops a torn last line and skips the
 * ids already written; without --resume an existing non-empty file is refused rather than mixed.
 */
export class ResultLog {
  readonly done: Set<string>;
  private readonly fd: number;

  constructor(
    readonly file: string,
    resume: boolean,
  ) {
    const { records, completeBytes } = readRecords(file);
    if (!resume && existsSync(file) && readFileSync(file).length > 0)
      throw new AttendError(`${file}: output exists (use --resume to continue it, or remove it)`);
    if (existsSync(file)) truncateSync(file, completeBytes);
    this.done = new Set(records.map((r) => r.id));
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
