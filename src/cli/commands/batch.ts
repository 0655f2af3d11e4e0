import type { Command } from 'commander';
import type { BatchTask } from '../../../pipelines/batch/inputs.js';
import { mergeOutputs } from '../../../pipelines/batch/merge.js';
import { runBatch } from '../../../pipelines/batch/run.js';
import { parseShard } from '../../../pipelines/batch/shard.js';
import { formatSummary } from '../../../pipelines/batch/summary.js';
import { AttendError } from '../../errors.js';
import { startRuntime } from '../context.js';
import { DEFAULT_CAPTION_MODEL } from './caption.js';
import { DEFAULT_ASR_MODEL } from './transcribe.js';

interface BatchCliOptions {
  out: string;
  model?: string;
  batchSize: string;
  workers: string;
  resume?: boolean;
  shard: string;
  beam: string;
  json?: boolean;
}

const count = (name: string, value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new AttendError(`${name}: '${value}' is not a positive integer`);
  return n;
};

export function batchCommand(program: Command): void {
  const batch = program
    .command('batch')
    .description('process a whole dataset: resumable JSONL output, worker processes, shards');
  for (const task of ['transcribe', 'caption'] as const satisfies readonly BatchTask[]) {
    batch
      .command(task)
      .description(
        `${task} every item of a folder, glob or manifest (JSONL/CSV with a path column and optional ${task === 'transcribe' ? 'text' : 'captions'})`,
      )
      .argument('<input>', 'folder, glob (quoted) or manifest')
      .requiredOption('--out <file>', 'results, one JSON line per item')
      .option(
        '--model <dir>',
        'checkpoint folder',
        task === 'transcribe' ? DEFAULT_ASR_MODEL : DEFAULT_CAPTION_MODEL,
      )
      .option('--batch-size <n>', 'items run through the model together', '16')
      .option('--workers <n>', 'worker processes (each with its own backend)', '1')
      .option('--resume', 'continue an interrupted run: skip items already in --out')
      .option('--shard <i/n>', 'only the i-th of n deterministic parts (for n machines)', '1/1')
      .option('--beam <n>', 'beam size (1 = greedy)', '4')
      .option('--json', 'print the summary as JSON')
      .action(async (input: string, options: BatchCliOptions, command: Command) => {
        const runtime = await startRuntime(command);
        const summary = await runBatch({
          task,
          input,
          out: options.out,
          model: options.model!,
          batchSize: count('--batch-size', options.batchSize),
          workers: count('--workers', options.workers),
          resume: Boolean(options.resume),
          shard: parseShard(options.shard),
          beam: count('--beam', options.beam),
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
}
