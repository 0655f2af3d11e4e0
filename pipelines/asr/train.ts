import { join } from 'node:path';
import { readSpeechManifest } from '../../datasets/manifest.js';
import { AttendError } from '../../src/errors.js';
import { charErrorRate, wordErrorRate } from '../../src/metrics/edit-distance.js';
import { AsrModel } from '../../src/models/asr.js';
import { ASR_PRESETS } from '../../src/models/asr-presets.js';
import { tf } from '../../src/runtime/tf.js';
import { BpeTokenizer } from '../../src/text/bpe.js';
import { CharacterTokenizer, SPECIALS } from '../../src/text/characters.js';
import type { SpeechTokenizer } from '../../src/text/tokenizer.js';
import {
  type LoopSettings,
  runOrigin,
  runTraining,
  type TrainState,
} from '../../src/train/loop.js';
import { presetNamed, startingModel } from '../../src/train/start.js';
import { shuffleInPlace } from '../../src/util/random.js';
import { type CachedUtterance, corpusFeatures } from './feature-cache.js';
import { specAugment } from './spec-augment.js';
import { drawWarpFactor, warpFeatures } from './vocal-tract-warp.js';

/** A corpus mixed into training; `times` copies of its utterances per epoch (default 1). */
export interface MixedCorpus {
  readonly dir: string;
  readonly times?: number;
}

/** `DIR` or `DIR:N` (N copies per epoch: a small corpus, such as real speech, weighs more). */
export function parseMixedCorpus(value: string): MixedCorpus {
  const match = /^(.+):(\d+)$/.exec(value);
  if (!match) return { dir: value };
  const times = Number(match[2]);
  if (times < 1) throw new AttendError(`--mix ${value}: the number of copies must be at least 1`);
  return { dir: match[1]!, times };
}

/** The --mix flags that give `mix` again, for a card's retrain line. */
export const mixFlags = (mix: readonly MixedCorpus[] = []): string =>
  mix.map(({ dir, times = 1 }) => ` --mix ${dir}${times > 1 ? `:${times}` : ''}`).join('');

export interface TrainAsrOptions extends LoopSettings {
  readonly data: string; // folder with train.jsonl and dev.jsonl
  readonly preset: string;
  readonly batchFrames: number;
  readonly devUtterances: number;
  /** `chars` or `bpe:N`; a resumed run keeps the tokenizer it started with. */
  readonly tokenizer?: string;
  /** Other corpora whose train.jsonl joins the training set (e.g. real speech). */
  readonly mix?: readonly MixedCorpus[];
  /** VTLP warp factors [low, high] for log-mel features; undefined for none. */
  readonly vtlp?: readonly [number, number];
}

/** Batches of similar length, at most `batchFrames` padded frames each, in a seeded order. */
export function lengthBatches(
  items: readonly CachedUtterance[],
  batchFrames: number,
  random: () => number,
): number[][] {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.frames - items[b]!.frames);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const longest = items[i]!.frames;
    if (current.length > 0 && (current.length + 1) * longest > batchFrames) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length) batches.push(current);
  return shuffleInPlace(batches, random);
}

/** Training-time augmentation: SpecAugment always, VTLP where the features are log-mel bands. */
interface Augmentation {
  readonly random: () => number;
  /** Warp factor range; undefined for no VTLP. */
  readonly vtlp?: readonly [number, number];
  readonly nyquist: number;
}

function augment(u: CachedUtterance, dim: number, how: Augmentation): Float32Array {
  const { values } = how.vtlp
    ? warpFeatures({ ...u, dim }, drawWarpFactor(how.random, how.vtlp), how.nyquist)
    : u;
  return specAugment(values, u.frames, dim, how.random);
}

function toBatch(
  items: readonly CachedUtterance[],
  indices: number[],
  tokenizer: SpeechTokenizer,
  dim: number,
  augmentation?: Augmentation,
) {
  const chosen = indices.map((i) => items[i]!);
  const frames = Math.max(...chosen.map((u) => u.frames));
  const values = new Float32Array(chosen.length * frames * dim);
  chosen.forEach((u, b) => {
    values.set(augmentation ? augment(u, dim, augmentation) : u.values, b * frames * dim);
  });
  return {
    features: tf.tensor3d(values, [chosen.length, frames, dim]),
    lengths: chosen.map((u) => u.frames),
    targets: chosen.map((u) => tokenizer.encode(u.text)),
  };
}

/** Greedy decoding of dev utterances: corpus WER and CER. */
export function evaluate(
  model: AsrModel,
  items: readonly CachedUtterance[],
  batchFrames: number,
  beamSize = 1,
) {
  const pairs: [string, string][] = [];
  const dim = model.config.encoder.inputDim;
  for (const indices of lengthBatches(items, batchFrames, () => 0.5)) {
    const batch = toBatch(items, indices, model.tokenizer, dim);
    const hyps = model.transcribeFeatures(batch.features, batch.lengths, {
      beamSize,
      lengthPenalty: beamSize > 1 ? 0.6 : 0,
      maxLength: 200,
    });
    batch.features.dispose();
    indices.forEach((index, b) => {
      pairs.push([items[index]!.text, model.tokenizer.decode(hyps[b]![0]!.tokens)]);
    });
  }
  return { wer: wordErrorRate(pairs).rate, cer: charErrorRate(pairs).rate, pairs };
}

/** `chars` (the default) or `bpe:N` (N tokens learned from the training transcripts). */
function newTokenizer(spec: string, trainManifest: string): SpeechTokenizer {
  if (spec === 'chars') return CharacterTokenizer.english();
  const size = Number(/^bpe:(\d+)$/.exec(spec)?.[1]);
  if (!(size > SPECIALS.length + 1))
    throw new AttendError(`--tokenizer: '${spec}' is not 'chars' or 'bpe:N' (e.g. bpe:256)`);
  return BpeTokenizer.learn(
    readSpeechManifest(trainManifest).map((u) => u.text),
    size,
  );
}

/**
 * Trains (or resumes from <out>/latest, or fine-tunes from options.init) an ASR model with the
 * shared loop: length-bucketed batches with SpecAugment and VTLP, joint CTC-attention loss, dev WER
 * picking the best checkpoint.
 */
export async function trainAsr(options: TrainAsrOptions): Promise<TrainState> {
  const preset = presetNamed(ASR_PRESETS, options.preset);
  const { model, resumeState } = startingModel(
    options.out,
    options.init,
    (dir) => AsrModel.load(dir),
    () => {
      const fresh = newTokenizer(options.tokenizer ?? 'chars', join(options.data, 'train.jsonl'));
      const built = new AsrModel(preset(fresh.size), fresh);
      built.build();
      return built;
    },
  );
  const tokenizer = model.tokenizer;
  const config = model.config;
  const train: CachedUtterance[] = [];
  const sources: string[] = [];
  for (const { dir, times = 1 } of [{ dir: options.data }, ...(options.mix ?? [])]) {
    const { utterances } = await corpusFeatures(dir, 'train', config.features);
    for (let copy = 0; copy < times; copy++) train.push(...utterances);
    sources.push(`${utterances.length}${times > 1 ? ` ×${times}` : ''} from ${dir}`);
  }
  process.stderr.write(`train asr: ${train.length} utterances an epoch (${sources.join(', ')})\n`);
  const devAll = (await corpusFeatures(options.data, 'dev', config.features)).utterances;
  const dev = devAll.slice(0, options.devUtterances);
  const dim = config.encoder.inputDim;
  const nyquist = config.features.sampleRate / 2;
  // VTLP needs the feature dimensions to be mel bands (not MFCCs or deltas).
  const vtlp =
    config.features.kind === 'logmel' && dim === config.features.melBands
      ? options.vtlp
      : undefined;
  type Batch = ReturnType<typeof toBatch>;
  const origin = runOrigin(options);
  try {
    return await runTraining<Batch>(
      options,
      {
        label: 'train asr',
        model,
        *epoch(random) {
          for (const indices of lengthBatches(train, options.batchFrames, random))
            yield () => toBatch(train, indices, tokenizer, dim, { random, vtlp, nyquist });
        },
        loss(batch) {
          const { loss, ctc, attention } = model.losses(batch, true);
          return { total: loss, parts: { ctc, attention } };
        },
        disposeBatch: (batch) => batch.features.dispose(),
        async evaluate() {
          const { wer, cer } = evaluate(model, dev, options.batchFrames);
          return { score: wer, metrics: { devWer: wer, devCer: cer } };
        },
        card: (state) => ({
          task: 'asr',
          data: options.data,
          parameters: model.params.size(),
          steps: state.step,
          secondsTrained: Math.round(state.secondsTrained),
          bestDevWer: state.best,
          ...origin.card,
          ...(options.mix?.length ? { mix: options.mix } : {}),
          retrain: `attend train asr --data ${options.data} --out ${options.out} ${origin.flag}${mixFlags(options.mix)}`,
        }),
      },
      resumeState,
    );
  } finally {
    model.dispose();
  }
}
