import { AttendError } from '../errors.js';
import { tf } from '../runtime/tf.js';
import {
  CARD_FILE,
  loadVariables,
  readSideFile,
  saveVariables,
  TOKENIZER_FILE,
} from './checkpoint.js';

/**
 * Averages the weights of several checkpoints of one model (as ESPnet averages its best
 * snapshots): nearby points of one training run average to a flatter, usually better, model.
 * Every checkpoint must hold the same variables in the same shapes; config, tokenizer and card
 * come from the first, the card noting what was averaged.
 */
export async function averageCheckpoints(dirs: readonly string[], out: string): Promise<number> {
  if (dirs.length === 0) throw new AttendError('nothing to average: name checkpoint folders');
  const loaded = dirs.map((dir) => ({ dir, ...loadVariables(dir) }));
  const first = loaded[0]!;
  const names = Object.keys(first.tensors).sort();
  const shapeOf = (c: (typeof loaded)[number], name: string) => c.tensors[name]!.shape.join('x');
  const mismatchOf = (other: (typeof loaded)[number]): string | undefined => {
    if (Object.keys(other.tensors).sort().join('\n') !== names.join('\n'))
      return 'holds other variables';
    const reshaped = names.find((name) => shapeOf(other, name) !== shapeOf(first, name));
    return reshaped && `${reshaped} differs in shape`;
  };
  for (const other of loaded.slice(1)) {
    const mismatch = mismatchOf(other);
    if (mismatch) {
      tf.dispose(loaded.map((c) => c.tensors));
      throw new AttendError(`${other.dir}: not the same model as ${first.dir} (${mismatch})`);
    }
  }
  const averaged = tf.tidy(() =>
    Object.fromEntries(
      names.map((name) => [
        name,
        tf.div(tf.addN(loaded.map((c) => c.tensors[name]!)), loaded.length),
      ]),
    ),
  );
  try {
    const card = readSideFile<Record<string, unknown>>(first.dir, CARD_FILE) ?? {};
    await saveVariables(out, averaged, {
      config: first.config,
      tokenizer: readSideFile(first.dir, TOKENIZER_FILE),
      card: { ...card, averagedFrom: dirs },
    });
  } finally {
    tf.dispose([averaged, ...loaded.map((c) => c.tensors)]);
  }
  return names.length;
}
