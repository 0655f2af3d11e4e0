import { createHash } from 'node:crypto';
import { type Job, Queue } from 'bullmq';
import { AttendError } from '../../src/errors.js';
import { byId } from '../../src/util/jsonl.js';
import type { BatchItem, BatchTask } from '../batch/inputs.js';
import type { BatchRecord } from '../batch/output.js';
import { PREFIX, queueName, redactUrl, redisConnection } from './connection.js';

/** What one queue job carries: the task and one item. */
export interface ItemJob {
  readonly task: BatchTask;
  readonly item: BatchItem;
}

/** Job ids derive from the item id, so enqueueing the same item twice adds nothing. */
export const jobId = (task: BatchTask, id: string): string =>
  `${task}-${createHash('sha1').update(id).digest('hex')}`;

export type ItemQueue = Queue<ItemJob, BatchRecord>;

/** A Redis error as one line that never carries credentials. */
export function describeRedisError(url: string, error: unknown): AttendError {
  const text = (error instanceof Error ? error.message : String(error)).replace(
    /\/\/[^@\s/]*@/g,
    '//***@',
  );
  return new AttendError(`queue ${redactUrl(url)}: ${text.split('\n')[0]}`);
}

/**
 * Opens the queue, runs `work` and closes it. Connection failures (wrong host, refused, bad
 * password) become one clear error with the URL's password hidden, instead of an unhandled event.
 */
export async function withQueue<T>(
  url: string,
  name: string,
  work: (queue: ItemQueue) => Promise<T>,
): Promise<T> {
  const queue: ItemQueue = new Queue<ItemJob, BatchRecord>(queueName(name), {
    connection: redisConnection(url),
    prefix: PREFIX,
  });
  const failed = new Promise<never>((_, reject) => {
    queue.on('error', (error) => reject(describeRedisError(url, error)));
  });
  failed.catch(() => {}); // observed below; never an unhandled rejection
  try {
    await Promise.race([queue.waitUntilReady(), failed]);
    return await Promise.race([work(queue), failed]);
  } catch (error) {
    throw error instanceof AttendError ? error : describeRedisError(url, error);
  } finally {
    await queue.close().catch(() => {});
  }
}

/**
 * Adds one job per item (idempotent: ids already in the queue, done or not, are left alone).
 * Transient failures retry 3 times with exponential backoff; finished jobs stay so that `collect`
 * can read their results and a re-run cannot add them again.
 */
export async function enqueueItems(
  queue: ItemQueue,
  task: BatchTask,
  items: readonly BatchItem[],
): Promise<{ added: number; present: number }> {
  let added = 0;
  for (let start = 0; start < items.length; start += 500) {
    const chunk = items.slice(start, start + 500);
    const ids = chunk.map((item) => jobId(task, item.id));
    const existing = await Promise.all(ids.map((id) => queue.getJob(id)));
    const fresh = chunk.filter((_, i) => !existing[i]);
    await queue.addBulk(
      fresh.map((item) => ({
        name: task,
        data: { task, item },
        opts: {
          jobId: jobId(task, item.id),
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    added += fresh.length;
  }
  return { added, present: items.length - added };
}

export interface QueueStatus {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly done: number;
  readonly failed: number;
  /** Completed items per second over the most recent completions. */
  readonly itemsPerSecond: number;
  readonly etaSeconds: number;
}

export async function queueStatus(queue: ItemQueue): Promise<QueueStatus> {
  const counts = await queue.getJobCounts(
    'waiting',
    'active',
    'delayed',
    'completed',
    'failed',
    'prioritized',
  );
  const recent = await queue.getJobs(['completed'], 0, 199, false);
  const times = recent.map((j) => j.finishedOn ?? 0).filter((t) => t > 0);
  const span = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
  const itemsPerSecond = span > 0 ? (times.length - 1) / span : 0;
  const left =
    (counts.waiting ?? 0) +
    (counts.prioritized ?? 0) +
    (counts.active ?? 0) +
    (counts.delayed ?? 0);
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    done: counts.completed ?? 0,
    failed: counts.failed ?? 0,
    itemsPerSecond,
    etaSeconds: itemsPerSecond > 0 ? left / itemsPerSecond : Number.POSITIVE_INFINITY,
  };
}

/**
 * Every finished item as the record a local batch writes: completed jobs' results, and jobs that
 * failed all their attempts as errors. Sorted by id, one per item.
 */
export async function collectRecords(queue: ItemQueue): Promise<BatchRecord[]> {
  const records = new Map<string, BatchRecord>();
  const page = 500;
  for (const state of ['completed', 'failed'] as const) {
    for (let start = 0; ; start += page) {
      const jobs: Job<ItemJob, BatchRecord>[] = await queue.getJobs(
        [state],
        start,
        start + page - 1,
        true,
      );
      for (const job of jobs) {
        if (!job?.data?.item) continue;
        const { item } = job.data;
        const record: BatchRecord =
          state === 'completed'
            ? job.returnvalue
            : { id: item.id, input: item.input, error: job.failedReason || 'failed' };
        if (record && !records.has(record.id)) records.set(record.id, record);
      }
      if (jobs.length < page) break;
    }
  }
  return [...records.values()].sort(byId);
}
