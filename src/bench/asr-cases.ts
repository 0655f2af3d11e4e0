import { AsrModel } from '../models/asr.js';
import { ASR_PRESETS } from '../models/asr-presets.js';
import type { BackendId } from '../runtime/candidates.js';
import { tf } from '../runtime/tf.js';
import { CharacterTokenizer } from '../text/characters.js';
import type { BenchCase } from './cases.js';

const UTTERANCES = 16;
const FRAMES = 300; // 3 s of 10 ms frames

/** One training step (forward, backward, Adam) of the `small` ASR preset on 16 three-second utterances. */
function asrTrainStep() {
  const tokenizer = CharacterTokenizer.english();
  const model = new AsrModel(ASR_PRESETS.small!(tokenizer.size), tokenizer);
  model.build();
  const features = tf.randomNormal(
    [UTTERANCES, FRAMES, model.config.encoder.inputDim],
    0,
    1,
    'float32',
    3,
  ) as tf.Tensor3D;
  const targets = Array.from({ length: UTTERANCES }, () =>
    tokenizer.encode('the quick brown fox jumps over the lazy dog'),
  );
  const batch = { features, lengths: Array<number>(UTTERANCES).fill(FRAMES), targets };
  const optimizer = tf.train.adam(1e-4);
  return {
    step: () => {
      const loss = optimizer.minimize(
        () => model.losses(batch, true).loss,
        true,
        model.params.list(),
      );
      loss?.dataSync();
      loss?.dispose();
    },
    dispose: () => {
      optimizer.dispose();
      features.dispose();
      model.dispose();
    },
  };
}

const onlyFast = (backend: BackendId, full: boolean): string | undefined =>
  ['cpu', 'wasm'].includes(backend) && !full
    ? 'minutes on this backend; run with --full'
    : undefined;

export const ASR_CASES: BenchCase[] = [
  {
    name: 'asr/train-small/utt-per-s',
    unit: 'utt/s',
    items: UTTERANCES,
    skip: onlyFast,
    create: asrTrainStep,
  },
];
