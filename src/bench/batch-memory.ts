import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawScene } from '../../datasets/scenes/layout.js';
import { renderScene } from '../../datasets/scenes/render.js';
import { runBatch } from '../../pipelines/batch/run.js';
import { CaptionModel } from '../models/caption.js';
import { CAPTION_PRESETS } from '../models/caption-presets.js';
import { tf } from '../runtime/tf.js';
import { WordTokenizer } from '../text/words.js';
import { prng } from '../util/random.js';

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
    const tokenizer = WordTokenizer.fromCaptions([
      'a small red circle left of a large blue square',
    ]);
    const model = new CaptionModel(CAPTION_PRESETS.tiny!(tokenizer.size), tokenizer);
    model.build();
    await model.save(join(dir, 'model'));
    model.dispose();
    for (let i = 0; i < 8; i++) {
      const random = prng(i);
      writeFileSync(join(dir, `${i}.png`), await renderScene(drawScene(random, 32), 32, random));
    }
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
      resume: false,
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
