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
  for (const other of loaded.slice(1)) {
    const theirs = Object.keys(other.tensors).sort();
    const mismatch =
      theirs.join('\n') !== names.join('\n')
        ? 'holds other variables'
        : names.find(
            (name) => other.tensors[name]!.shape.join('x') !== first.tensors[name]!.shape.join('x'),
          );
    if (mismatch)
      throw new AttendError(
        `${other.dir}: not the same model as ${first.dir} (${mismatch === 'holds other variables' ? mismatch : `${mismatch} differs in shape`})`,
      );
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
