import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '../../pipelines/batch/run.js';
import { tf } from '../runtime/tf.js';
import { saveTinyCaptioner, writeScenes } from './fixtures.js';

export interface MemorySample {
  readonly items: number;
  readonly tensors: number;
  readonly rssMiB: number;
}

/**
 * A batch caption job over `items` manifest rows with a tiny untrained model (in this process),
 * sampling tf.memory().numTensors and RSS every `every` items: both should stay flat.
 */
export async function batchMemory(items: number, every: number): Promise<MemorySample[]> {
  const dir = mkdtempSync(join(tmpdir(), 'attend-batch-memory-'));
  try {
    await saveTinyCaptioner(join(dir, 'model'));
    await writeScenes(dir, 8, 32, '');
    const rows = Array.from({ length: items }, (_, i) =>
      JSON.stringify({ id: String(i).padStart(6, '0'), image: `${i % 8}.png` }),
    );
    writeFileSync(join(dir, 'manifest.jsonl'), `${rows.join('\n')}\n`);
    const samples: MemorySample[] = [];
    const sample = (n: number) =>
      samples.push({
        items: n,
        tensors: tf.memory().numTensors,
        rssMiB: process.memoryUsage().rss / 2 ** 20,
      });
    await runBatch({
      task: 'caption',
      input: join(dir, 'manifest.jsonl'),
      out: join(dir, 'out.jsonl'),
      model: join(dir, 'model'),
      batchSize: 32,
      workers: 1,
      resume: 'fresh',
      shard: { index: 0, count: 1 },
      beam: 1,
      quiet: true,
      onRecord: (n) => {
        if (n === 1 || n % every === 0) sample(n);
      },
    });
    return samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
