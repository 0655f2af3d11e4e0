import type { Command } from 'commander';
import { type BatchTask, listInputs } from '../../../pipelines/batch/inputs.js';
import { mergeOutputs } from '../../../pipelines/batch/merge.js';
import { runBatch } from '../../../pipelines/batch/run.js';
import { inShard, parseShard } from '../../../pipelines/batch/shard.js';
import { formatSummary } from '../../../pipelines/batch/summary.js';
import { DEFAULT_CAPTION_MODEL } from '../../../pipelines/caption.js';
import {
  collectRecords,
  enqueueItems,
  queueStatus,
  withQueue,
} from '../../../pipelines/queue/jobs.js';
import { DEFAULT_ASR_MODEL } from '../../../pipelines/transcribe.js';
import { AttendError } from '../../errors.js';
import { writeJsonl } from '../../util/jsonl.js';
import { startRuntime } from '../context.js';
import { positiveInteger } from '../parse.js';
import { formatDuration } from '../progress.js';
import { type WordingFlags, wordingFlags, wordingOptions } from './transcribe.js';

interface BatchCliOptions extends WordingFlags {
  out: string;
  model?: string;
  batchSize: string;
  workers: string;
  resume?: boolean;
  retryFailed?: boolean;
  shard: string;
  beam: string;
  json?: boolean;
  queue?: string;
  name?: string;
}

const TASK_DESCRIPTIONS: Record<BatchTask, string> = {
  transcribe:
    'transcribe every item of a folder, glob or manifest (JSONL/CSV with a path column and optional text)',
  caption:
    'caption every item of a folder, glob or manifest (JSONL/CSV with a path column and optional captions)',
  align:
    "word times of each row's text in its audio: a manifest (JSONL/CSV with a path column and text), as `attend align` does one",
};

export function batchCommand(program: Command): void {
  const batch = program
    .command('batch')
    .description('process a whole dataset: resumable JSONL output, worker processes, shards');
  for (const task of ['transcribe', 'caption', 'align'] as const satisfies readonly BatchTask[]) {
    const command = batch.command(task);
    if (task === 'transcribe') wordingFlags(command);
    command
      .description(TASK_DESCRIPTIONS[task])
      .argument('<input>', 'folder, glob (quoted) or manifest')
      .option('--out <file>', 'results, one JSON line per item (required unless --queue)')
      .option(
        '--model <dir>',
        'checkpoint folder',
        task === 'caption' ? DEFAULT_CAPTION_MODEL : DEFAULT_ASR_MODEL,
      )
      .option('--batch-size <n>', 'items run through the model together', '16')
      .option('--workers <n>', 'worker processes (each with its own backend)', '1')
      .option('--resume', 'continue an interrupted run: skip items already in --out')
      .option(
        '--retry-failed',
        'continue a run and process again the items that failed in it (implies --resume)',
      )
      .option('--shard <i/n>', 'only the i-th of n deterministic parts (for n machines)', '1/1')
      .option('--beam <n>', 'beam size (1 = greedy)', '4')
      .option('--json', 'print the summary as JSON')
      .option(
        '--queue <url>',
        'instead of running here: enqueue on redis[s]://[user:pass@]host:port/db for `attend worker`s',
      )
      .option('--name <job>', 'queue (job) name, with --queue')
      .action(async (input: string, options: BatchCliOptions, command: Command) => {
        if (options.queue) {
          if (options.hotwords || options.hotwordsFile || options.punctuate)
            throw new AttendError(
              `${options.punctuate ? '--punctuate' : '--hotwords'} with --queue: queued items are decoded with the settings of each \`attend worker\`: give it the ${options.punctuate ? 'flag' : 'hotwords'}`,
            );
          if (!options.name) throw new AttendError('--queue needs --name JOB');
          const items = listInputs(input, task).filter((item) =>
            inShard(item.id, parseShard(options.shard)),
          );
          const { added, present } = await withQueue(options.queue, options.name, (queue) =>
            enqueueItems(queue, task, items),
          );
          console.log(`queue ${options.name}: added ${added} items, ${present} were already there`);
          return;
        }
        if (!options.out) throw new AttendError('--out <file> is needed (or --queue to enqueue)');
        const wording = task === 'transcribe' ? wordingOptions(options) : {};
        const runtime = await startRuntime(command);
        const summary = await runBatch({
          task,
          input,
          out: options.out,
          model: options.model!,
          batchSize: positiveInteger('--batch-size', options.batchSize),
          workers: positiveInteger('--workers', options.workers),
          resume: options.retryFailed ? 'retry-failed' : options.resume ? 'resume' : 'fresh',
          shard: parseShard(options.shard),
          beam: positiveInteger('--beam', options.beam),
          ...wording,
          backend: runtime.backend,
        });
        console.log(options.json ? JSON.stringify(summary) : formatSummary(summary));
        if (summary.failures > 0) process.exitCode = 1;
      });
  }
  batch
    .command('merge')
    .description('join shard outputs into one results file (one line per item, sorted by id)')
    .argument('<inputs...>', 'shard outputs')
    .requiredOption('--out <file>', 'merged results')
    .action((inputs: string[], options: { out: string }) => {
      console.log(`${mergeOutputs(inputs, options.out)} items in ${options.out}`);
    });
  batch
    .command('status')
    .description('progress of a queued batch: waiting, active, done, failed, items/s, ETA')
    .requiredOption('--queue <url>', 'redis[s]://[user:pass@]host:port/db')
    .requiredOption('--name <job>', 'queue (job) name')
    .option('--json', 'print one JSON object')
    .action(async (options: { queue: string; name: string; json?: boolean }) => {
      await withQueue(options.queue, options.name, async (queue) => {
        const s = await queueStatus(queue);
        if (options.json)
          console.log(
            JSON.stringify({
              ...s,
              etaSeconds: Number.isFinite(s.etaSeconds) ? s.etaSeconds : null,
            }),
          );
        else
          console.log(
            `${options.name}: waiting ${s.waiting}, active ${s.active}, delayed ${s.delayed}, done ${s.done}, failed ${s.failed}; ${s.itemsPerSecond.toFixed(2)} items/s, ETA ${formatDuration(s.etaSeconds)}`,
          );
      });
    });
  batch
    .command('collect')
    .description("write a queued batch's results as the JSONL a local batch writes (sorted by id)")
    .requiredOption('--queue <url>', 'redis[s]://[user:pass@]host:port/db')
    .requiredOption('--name <job>', 'queue (job) name')
    .requiredOption('--out <file>', 'results file')
    .action(async (options: { queue: string; name: string; out: string }) => {
      await withQueue(options.queue, options.name, async (queue) => {
        const records = await collectRecords(queue);
        writeJsonl(options.out, records);
        const failed = records.filter((r) => r.error).length;
        console.log(`${records.length} items (${failed} failed) in ${options.out}`);
      });
    });
}
