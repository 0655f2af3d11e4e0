import { writeFileSync } from 'node:fs';
import { AttendError } from '../../src/errors.js';
import { type BatchRecord, readRecords } from './output.js';

/**
 * Joins shard outputs into one file, one line per id, sorted by id (the order a single run's output
 * has after sorting: run order depends on batching and workers). Two records of one id are refused:
 * the shards overlapped.
 */
export function mergeOutputs(inputs: readonly string[], out: string): number {
  const byId = new Map<string, BatchRecord>();
  for (const file of inputs) {
    const { records } = readRecords(file);
    if (records.length === 0) throw new AttendError(`${file}: no records (not a batch output?)`);
    for (const record of records) {
      if (byId.has(record.id))
        throw new AttendError(`${file}: item '${record.id}' is in more than one input`);
      byId.set(record.id, record);
    }
  }
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  writeFileSync(out, sorted.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return sorted.length;
}
