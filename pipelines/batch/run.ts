import { statSync } from 'node:fs';
import { Progress } from '../../src/cli/progress.js';
import { type BatchItem, type BatchTask, listInputs } from './inputs.js';
import { ResultLog, type ResumeMode, readRecords } from './output.js';
import { type ChunkRunner, startPool } from './pool.js';
import { createProcessor } from './processor.js';
import { inShard, type Shard } from './shard.js';
import { type BatchSummary, summarise } from './summary.js';

export interface BatchOptions {
  readonly task: BatchTask;
  readonly input: string;
  readonly out: string;
  readonly model: string;
  readonly batchSize: number;
  readonly workers: number;
  readonly resume: ResumeMode;
  readonly shard: Shard;
  readonly beam: number;
  /** Transcription only: words to bias towards, and the bonus per character. */
  readonly hotwords?: readonly string[];
  readonly hotwordBonus?: number;
  /** Transcription only: punctuate with this checkpoint (ProcessorOptions.punctuationModel). */
  readonly punctuationModel?: string;
  /** The backend workers start (the parent's choice, passed on). */
  readonly backend?: string;
  readonly quiet?: boolean;
  /** Called after each record is written (benchmarks watch memory with it). */
  readonly onRecord?: (written: number) => void;
}

/** Chunks of items with similar input sizes (file size stands in for audio length). */
export function chunkBySize(items: readonly BatchItem[], size: number): BatchItem[][] {
  const bytes = (item: BatchItem) => {
    try {
      return statSync(item.input).size;
    } catch {
      return 0;
    }
  };
  const sorted = items.map((item) => ({ item, size: bytes(item) })).sort((a, b) => a.size - b.size);
  const chunks: BatchItem[][] = [];
  for (let i = 0; i < sorted.length; i += size)
    chunks.push(sorted.slice(i, i + size).map((s) => s.item));
  return chunks;
}

/**
 * Runs a batch job: lists the input, keeps this shard's items, skips those already in the output
 * (--resume; --retry-failed runs those that failed again), processes the rest in chunks (in this
 * process, or on a pool of worker processes), writing each record as it is done. SIGINT/SIGTERM stop taking new chunks; what was in flight is
 * written; --resume picks up the rest.
 */
export async function runBatch(options: BatchOptions): Promise<BatchSummary> {
  const items = listInputs(options.input, options.task).filter((item) =>
    inShard(item.id, options.shard),
  );
  const log = new ResultLog(options.out, options.resume);
  const todo = items.filter((item) => !log.done.has(item.id));
  const chunks = chunkBySize(todo, options.batchSize);
  const progress = options.quiet
    ? undefined
    : new Progress(todo.length, `batch ${options.task}`, 'items');
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const processorOptions = {
    task: options.task,
    model: options.model,
    beam: options.beam,
    ...(options.hotwords ? { hotwords: options.hotwords } : {}),
    ...(options.hotwordBonus === undefined ? {} : { hotwordBonus: options.hotwordBonus }),
    ...(options.punctuationModel ? { punctuationModel: options.punctuationModel } : {}),
  };
  let runner: ChunkRunner;
  if (options.workers > 1)
    runner = await startPool(options.workers, processorOptions, options.backend);
  else {
    const processor = createProcessor(processorOptions);
    runner = { run: (chunk) => processor.process(chunk), close: async () => processor.dispose() };
  }
  const started = performance.now();
  let processed = 0;
  try {
    let next = 0;
    // One loop per worker pulls the next chunk: a slow chunk does not hold the others up.
    const lane = async () => {
      while (!stopping && next < chunks.length) {
        const chunk = chunks[next++]!;
        for (const record of await runner.run(chunk)) {
          log.write(record);
          processed++;
          progress?.tick(Boolean(record.error));
          options.onRecord?.(processed);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.workers) }, lane));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress?.finish();
    await runner.close();
    log.close();
  }
  const wanted = new Set(items.map((i) => i.id));
  const records = readRecords(options.out).records.filter((r) => wanted.has(r.id));
  return summarise(records, processed, (performance.now() - started) / 1000);
}
