import { Worker } from 'bullmq';
import type { BatchItem, BatchTask } from '../batch/inputs.js';
import type { BatchRecord } from '../batch/output.js';
import { createProcessor, isTransient, type Processor } from '../batch/processor.js';
import { PREFIX, queueName, redisConnection } from './connection.js';
import { describeRedisError, type ItemJob } from './jobs.js';
import { MicroBatcher } from './micro-batcher.js';

export interface QueueWorkerOptions {
  readonly url: string;
  readonly name: string;
  /** Checkpoint per task; a task without one uses its default. */
  readonly models: Record<BatchTask, string>;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly beam: number;
  /** Transcription jobs only: words to bias towards, and the bonus per character. */
  readonly hotwords?: readonly string[];
  readonly hotwordBonus?: number;
  /** Transcription jobs only: punctuate with this checkpoint. */
  readonly punctuationModel?: string;
  /** How long a job's lock lasts: a worker killed with -9 gives its jobs back after about this. */
  readonly lockSeconds: number;
  readonly onRecord?: (record: BatchRecord) => void;
}

/**
 * Pulls item jobs and runs them through each task's model, loaded once. `concurrency` jobs are
 * held at a time and put through the model together (micro-batches of up to `batchSize`). A
 * corrupt or missing file completes its job with the error as its result (final, like a local
 * batch); other errors fail the attempt, and BullMQ retries it with backoff. Resolves once the
 * worker has closed (after `stop()`: it finishes what it holds and takes nothing more).
 */
export async function runQueueWorker(
  options: QueueWorkerOptions,
): Promise<{ stop: () => Promise<void>; done: Promise<void> }> {
  const processors = new Map<BatchTask, Processor>();
  const batchers = new Map<BatchTask, MicroBatcher<BatchItem, BatchRecord>>();
  const batcherFor = (task: BatchTask) => {
    let batcher = batchers.get(task);
    if (!batcher) {
      const processor = createProcessor({
        task,
        model: options.models[task],
        beam: options.beam,
        ...(task === 'transcribe' && options.hotwords
          ? { hotwords: options.hotwords, hotwordBonus: options.hotwordBonus }
          : {}),
        ...(task === 'transcribe' && options.punctuationModel
          ? { punctuationModel: options.punctuationModel }
          : {}),
      });
      processors.set(task, processor);
      // Results come back in input order per id.
      batcher = new MicroBatcher(async (items) => {
        const records = await processor.process(items);
        const byId = new Map(records.map((r) => [r.id, r]));
        return items.map((i) => byId.get(i.id)!);
      }, options.batchSize);
      batchers.set(task, batcher);
    }
    return batcher;
  };
  const worker = new Worker<ItemJob, BatchRecord>(
    queueName(options.name),
    async (job) => {
      const record = await batcherFor(job.data.task).add(job.data.item);
      if (isTransient(record)) throw new Error(record.error);
      options.onRecord?.(record);
      return record;
    },
    {
      connection: redisConnection(options.url),
      prefix: PREFIX,
      concurrency: Math.max(options.concurrency, 1),
      lockDuration: options.lockSeconds * 1000,
      stalledInterval: Math.max(1000, (options.lockSeconds * 1000) / 2),
      maxStalledCount: 2,
      autorun: true,
    },
  );
  const done = new Promise<void>((resolve) => {
    worker.on('closed', () => resolve());
  });
  worker.on('error', (error) => {
    // ioredis errors can carry the URL: print ours, redacted, instead.
    process.stderr.write(`attend worker: ${describeRedisError(options.url, error).message}\n`);
  });
  try {
    await worker.waitUntilReady();
  } catch (error) {
    await worker.close(true).catch(() => {});
    throw describeRedisError(options.url, error);
  }
  return {
    stop: async () => {
      await worker.close();
      for (const p of processors.values()) p.dispose();
    },
    done,
  };
}
