import { AttendError } from '../../src/errors.js';
import { byId, writeJsonl } from '../../src/util/jsonl.js';
import { type BatchRecord, readRecords } from './output.js';

/**
 * Joins shard outputs into one file, one line per id, sorted by id (the order a single run's output
 * has after sorting: run order depends on batching and workers). Two records of one id are refused:
 * the shards overlapped.
 */
export function mergeOutputs(inputs: readonly string[], out: string): number {
  const merged = new Map<string, BatchRecord>();
  for (const file of inputs) {
    const { records } = readRecords(file);
    if (records.length === 0) throw new AttendError(`${file}: no records (not a batch output?)`);
    for (const record of records) {
      if (merged.has(record.id))
        throw new AttendError(`${file}: item '${record.id}' is in more than one input`);
      merged.set(record.id, record);
    }
  }
  const sorted = [...merged.values()].sort(byId);
  writeJsonl(out, sorted);
  return sorted.length;
}
