import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listInputs } from '../../pipelines/batch/inputs.js';
import { enqueueItems, queueStatus, withQueue } from '../../pipelines/queue/jobs.js';
import { hasRedis, startRedis } from '../../pipelines/queue/local-redis.js';
import { projectPath } from '../paths.js';
import type { Workload } from './blocks.js';
import type { BenchCase } from './cases.js';

const MODEL = projectPath('checkpoints', 'caption-scenes');
const ITEMS = 128;

/**
 * The queue path end to end, like the batch rows: a local redis-server, `ITEMS` sample images
 * enqueued, `workers` `attend worker` processes started, timed until every item is done (worker
 * start-up included, as in batch/caption/workers<n>). Compare with those rows for the overhead.
 */
function queueRun(workers: number): Workload {
  const dir = mkdtempSync(join(tmpdir(), 'attend-bench-queue-'));
  const inputs = join(dir, 'inputs');
  mkdirSync(inputs);
  const samples = readdirSync(projectPath('samples')).filter((n) => /\.(png|jpe?g|webp)$/i.test(n));
  for (let i = 0; i < ITEMS; i++)
    copyFileSync(
      projectPath('samples', samples[i % samples.length]!),
      join(inputs, `${i}-${samples[i % samples.length]}`),
    );
  const items = listInputs(inputs, 'caption');
  const redis = startRedis();
  let run = 0;
  return {
    step: async () => {
      const { url } = await redis;
      const name = `bench-${run++}`;
      await withQueue(url, name, (queue) => enqueueItems(queue, 'caption', items));
      const children = Array.from({ length: workers }, () =>
        spawn(
          process.execPath,
          [
            projectPath('bin', 'attend.js'),
            'worker',
            '--queue',
            url,
            '--name',
            name,
            '--model',
            MODEL,
            '--batch-size',
            '16',
          ],
          {
            stdio: 'ignore',
            env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
          },
        ),
      );
      try {
        for (;;) {
          const status = await withQueue(url, name, queueStatus);
          if (status.done + status.failed >= ITEMS) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await Promise.all(
          children.map(
            (c) =>
              new Promise((resolve) => {
                c.once('exit', resolve);
                c.kill('SIGTERM');
              }),
          ),
        );
      }
    },
    value: (seconds) => ITEMS / seconds,
    dispose: () => {
      void redis.then((r) => r.stop());
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const skip = (): string | undefined =>
  !hasRedis
    ? 'no redis-server here'
    : existsSync(join(MODEL, 'model.json'))
      ? undefined
      : `no shipped model in ${MODEL} yet`;

export const QUEUE_CASES: BenchCase[] = [1, 2].map((workers) => ({
  name: `queue/caption/workers${workers}/items-per-s`,
  unit: 'items/s',
  skip,
  create: () => queueRun(workers),
}));
