import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AttendError } from '../src/errors.js';
import { averageCheckpoints } from '../src/io/average-checkpoints.js';
import {
  CARD_FILE,
  loadLayersModel,
  loadVariables,
  readSideFile,
  saveLayersModel,
  saveVariables,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
} from '../src/io/checkpoint.js';
import { checkpointHealth } from '../src/io/checkpoint-health.js';
import { selectBackend } from '../src/runtime/select.js';
import { tf } from '../src/runtime/tf.js';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'attend-ckpt-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
beforeAll(async () => {
  await selectBackend({ backend: 'cpu', env: {} });
});

function smallModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 8, activation: 'tanh' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

describe('checkpoint folders', () => {
  it('save and reload a LayersModel with identical outputs, plus tokenizer and card', async () => {
    const dir = freshDir();
    const model = smallModel();
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 3);
    const before = (model.predict(x) as tf.Tensor).dataSync().slice();
    await saveLayersModel(model, dir, {
      config: { kind: 'toy', units: 8 },
      tokenizer: { tokens: ['<pad>', 'a', 'b'] },
      card: { name: 'toy', metrics: {} },
    });
    const loaded = await loadLayersModel(dir);
    const after = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(readSideFile<{ tokens: string[] }>(dir, TOKENIZER_FILE)?.tokens).toEqual([
      '<pad>',
      'a',
      'b',
    ]);
    expect(readSideFile<{ name: string }>(dir, CARD_FILE)?.name).toBe('toy');
    tf.dispose([x]);
    model.dispose();
    loaded.dispose();
  });

  it('health: a whole checkpoint reads as usable, a Git LFS pointer or a missing folder as why not', async () => {
    const dir = freshDir();
    const model = smallModel();
    await saveLayersModel(model, dir, { config: { task: 'toy' } });
    model.dispose();
    expect(checkpointHealth(dir)).toMatchObject({ task: 'toy', bytes: expect.any(Number) });
    expect(checkpointHealth(dir).problem).toBeUndefined();
    // What a clone without git-lfs leaves in place of the weights.
    writeFileSync(
      join(dir, WEIGHTS_FILE),
      'version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 6085664\n',
    );
    expect(checkpointHealth(dir).problem).toMatch(
      /weights\.bin: \d+ bytes but model\.json expects/,
    );
    expect(checkpointHealth(join(dir, 'nowhere')).problem).toMatch(/no such checkpoint folder/);
  });

  it('refuses a weights.bin with one byte flipped, naming the file', async () => {
    const dir = freshDir();
    const model = smallModel();
    await saveLayersModel(model, dir);
    const path = join(dir, WEIGHTS_FILE);
    const bytes = readFileSync(path);
    bytes[17] = bytes[17]! ^ 0x01;
    writeFileSync(path, bytes);
    const load = loadLayersModel(dir);
    await expect(load).rejects.toThrow(AttendError);
    await expect(load).rejects.toThrow(`${path}: checksum mismatch`);
    model.dispose();
  });

  it('refuses a truncated weights.bin, saying it is truncated', async () => {
    const dir = freshDir();
    await saveVariables(dir, { w: tf.ones([10, 10]) });
    const path = join(dir, WEIGHTS_FILE);
    truncateSync(path, 123);
    expect(() => loadVariables(dir)).toThrow(
      `${path}: 123 bytes but model.json expects 400: the file is truncated or belongs to another checkpoint`,
    );
  });

  it('round-trips named variables of several dtypes with their config', async () => {
    const dir = freshDir();
    const tensors = {
      'encoder/w': tf.randomNormal([3, 5], 0, 1, 'float32', 9),
      'decoder/embedding': tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      step: tf.scalar(42, 'int32'),
    };
    await saveVariables(dir, tensors, { config: { dModel: 5 } });
    const { tensors: loaded, config } = loadVariables(dir);
    expect(config).toEqual({ dModel: 5 });
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(loaded[name]!.dtype).toBe(tensor.dtype);
      expect(loaded[name]!.shape).toEqual(tensor.shape);
      expect(Array.from(loaded[name]!.dataSync())).toEqual(Array.from(tensor.dataSync()));
    }
    tf.dispose([...Object.values(tensors), ...Object.values(loaded)]);
  });

  it('names the folder when it is not a checkpoint', () => {
    const dir = freshDir();
    expect(() => loadVariables(join(dir, 'nope'))).toThrow(
      `${join(dir, 'nope')}: no such checkpoint folder`,
    );
    writeFileSync(join(dir, 'model.json'), '{"format": "something-else"}');
    expect(() => loadVariables(dir)).toThrow('not an attend checkpoint');
    writeFileSync(join(dir, 'model.json'), '{not json');
    expect(() => loadVariables(dir)).toThrow(/model\.json: not valid JSON/);
  });

  it('averages checkpoints of one model, and names the one that is another model', async () => {
    const [a, b, c, out] = [freshDir(), freshDir(), freshDir(), freshDir()];
    await saveVariables(a, { w: tf.tensor1d([1, 2, 3]), b: tf.scalar(4) }, { card: { name: 'x' } });
    await saveVariables(b, { w: tf.tensor1d([3, 4, 5]), b: tf.scalar(0) });
    await saveVariables(c, { w: tf.tensor1d([3, 4]), b: tf.scalar(0) });
    expect(await averageCheckpoints([a, b], out)).toBe(2);
    const { tensors } = loadVariables(out);
    expect(Array.from(tensors.w!.dataSync())).toEqual([2, 3, 4]);
    expect(tensors.b!.dataSync()[0]).toBe(2);
    expect(readSideFile<{ averagedFrom: string[] }>(out, CARD_FILE)?.averagedFrom).toEqual([a, b]);
    await expect(averageCheckpoints([a, c], out)).rejects.toThrow(
      `${c}: not the same model as ${a} (w differs in shape)`,
    );
  });
});
