import type { Command } from 'commander';
import type { BatchTask } from '../../../pipelines/batch/inputs.js';
import { DEFAULT_CAPTION_MODEL } from '../../../pipelines/caption.js';
import { redactUrl } from '../../../pipelines/queue/connection.js';
import { runQueueWorker } from '../../../pipelines/queue/worker.js';
import { DEFAULT_ASR_MODEL } from '../../../pipelines/transcribe.js';
import { AttendError } from '../../errors.js';
import { readModelFile } from '../../io/checkpoint.js';
import { startRuntime } from '../context.js';
import { type HotwordFlags, hotwordFlags, hotwordOptions } from './transcribe.js';

interface WorkerOptions extends HotwordFlags {
  queue: string;
  name: string;
  model: string[];
  batchSize: string;
  concurrency?: string;
  beam: string;
  lockSeconds: string;
}

/** Which task a checkpoint is for (its model.json config says; the weights are not read). */
function taskOf(dir: string): BatchTask {
  const task = (readModelFile(dir).config as { task?: string } | undefined)?.task;
  if (task === 'asr') return 'transcribe';
  if (task === 'caption') return 'caption';
  throw new AttendError(`${dir}: not a speech or captioning checkpoint`);
}

export function workerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'process queued batch items (see `attend batch ... --queue`) until stopped with SIGTERM',
    )
    .requiredOption('--queue <url>', 'redis[s]://[user:pass@]host:port/db')
    .requiredOption('--name <job>', 'queue (job) name')
    .option(
      '--model <dir>',
      'checkpoint to use for its task (repeatable: one per task)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--batch-size <n>', 'items run through the model together', '8')
    .option('--concurrency <n>', 'jobs held at once (default: the batch size)')
    .option('--beam <n>', 'beam size (1 = greedy)', '4')
    .option(
      '--lock-seconds <s>',
      "job lock: a killed worker's jobs return to the queue after about this",
      '30',
    );
  hotwordFlags(command).action(async (options: WorkerOptions, command: Command) => {
    const runtime = await startRuntime(command);
    const models: Record<BatchTask, string> = {
      transcribe: DEFAULT_ASR_MODEL,
      caption: DEFAULT_CAPTION_MODEL,
    };
    for (const dir of options.model) models[taskOf(dir)] = dir;
    const batchSize = Math.max(1, Number(options.batchSize));
    let done = 0;
    const worker = await runQueueWorker({
      url: options.queue,
      name: options.name,
      models,
      batchSize,
      concurrency: Number(options.concurrency ?? batchSize),
      beam: Number(options.beam),
      ...hotwordOptions(options),
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
