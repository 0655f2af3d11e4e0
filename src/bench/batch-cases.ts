import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../../pipelines/batch/run.js';
import { projectPath } from '../paths.js';
import { tf } from '../runtime/tf.js';
import type { Workload } from './blocks.js';
import type { BenchCase } from './cases.js';
import { benchAsrModel } from './fixtures.js';

const MODELS = {
  transcribe: benchAsrModel(),
  caption: projectPath('checkpoints', 'caption-scenes'),
};
const PATTERN = { transcribe: /\.wav$/i, caption: /\.(png|jpe?g|webp)$/i };

/**
 * A whole `attend batch` run over `items` copies of the sample inputs, worker start-up and model
 * loading included (what a user waits for), as items/s.
 */
function batchRun(task: 'transcribe' | 'caption', workers: number, items: number): Workload {
  const dir = mkdtempSync(join(tmpdir(), 'attend-bench-batch-'));
  const inputs = join(dir, 'inputs');
  mkdirSync(inputs);
  const samples = readdirSync(projectPath('samples')).filter((n) => PATTERN[task].test(n));
  for (let i = 0; i < items; i++) {
    const name = samples[i % samples.length]!;
    copyFileSync(projectPath('samples', name), join(inputs, `${i}-${name}`));
  }
  let run = 0;
  return {
    step: async () => {
      await runBatch({
        task,
        input: inputs,
        out: join(dir, `out${run++}.jsonl`),
        model: MODELS[task],
        batchSize: 16,
        workers,
        resume: 'fresh',
        shard: { index: 0, count: 1 },
        beam: 4,
        backend: tf.getBackend() === 'native' ? 'native' : undefined,
        quiet: true,
      });
    },
    value: (seconds) => items / seconds,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const needs = (task: 'transcribe' | 'caption') => (): string | undefined =>
  existsSync(join(MODELS[task], 'model.json'))
    ? undefined
    : `no shipped model in ${MODELS[task]} yet`;

export const BATCH_CASES: BenchCase[] = (['caption', 'transcribe'] as const).flatMap((task) =>
  [1, 2].map(
    (workers): BenchCase => ({
      name: `batch/${task}/workers${workers}/items-per-s`,
      unit: 'items/s',
      skip: needs(task),
      create: () => batchRun(task, workers, task === 'caption' ? 128 : 16),
    }),
  ),
);
