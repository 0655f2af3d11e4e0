import type { Command } from 'commander';
import { redactUrl } from '../../../pipelines/queue/connection.js';
import { runQueueWorker } from '../../../pipelines/queue/worker.js';
import { startRuntime } from '../context.js';
import { modelsByTask, REPEATABLE_MODEL } from '../models-by-task.js';
import { type WordingFlags, wordingFlags, wordingOptions } from './transcribe.js';

interface WorkerOptions extends WordingFlags {
  queue: string;
  name: string;
  model: string[];
  batchSize: string;
  concurrency?: string;
  beam: string;
  lockSeconds: string;
}

export function workerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'process queued batch items (see `attend batch ... --queue`) until stopped with SIGTERM',
    )
    .requiredOption('--queue <url>', 'redis[s]://[user:pass@]host:port/db')
    .requiredOption('--name <job>', 'queue (job) name')
    .option(...REPEATABLE_MODEL)
    .option('--batch-size <n>', 'items run through the model together', '8')
    .option('--concurrency <n>', 'jobs held at once (default: the batch size)')
    .option('--beam <n>', 'beam size (1 = greedy)', '4')
    .option(
      '--lock-seconds <s>',
      "job lock: a killed worker's jobs return to the queue after about this",
      '30',
    );
  wordingFlags(command).action(async (options: WorkerOptions, command: Command) => {
    const runtime = await startRuntime(command);
    const models = modelsByTask(options.model);
    const batchSize = Math.max(1, Number(options.batchSize));
    let done = 0;
    const worker = await runQueueWorker({
      url: options.queue,
      name: options.name,
      models,
      batchSize,
      concurrency: Number(options.concurrency ?? batchSize),
      beam: Number(options.beam),
      ...wordingOptions(options),
      lockSeconds: Number(options.lockSeconds),
      onRecord: () => {
        done++;
      },
    });
    console.error(
      `attend worker: ${redactUrl(options.queue)} queue ${options.name} on ${runtime.backend}, pid ${process.pid}`,
    );
    const stop = () => {
      console.error(`attend worker: stopping after the jobs in hand (${done} done here)`);
      void worker.stop();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await worker.done;
  });
}
