import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSpeechManifest } from '../../datasets/manifest.js';
import { Progress } from '../../src/cli/progress.js';
import { loadVariables, saveVariables } from '../../src/io/checkpoint.js';
import { charErrorRate, wordErrorRate } from '../../src/metrics/edit-distance.js';
import { AsrModel } from '../../src/models/asr.js';
import { ASR_PRESETS } from '../../src/models/asr-presets.js';
import { tf } from '../../src/runtime/tf.js';
import { CharacterTokenizer } from '../../src/text/characters.js';
import { prng } from '../../src/util/random.js';
import { type CachedUtterance, featureCache } from './feature-cache.js';
import { specAugment } from './spec-augment.js';

export interface TrainAsrOptions {
  readonly data: string; // folder with train.jsonl and dev.jsonl
  readonly out: string; // checkpoint folder: latest/, best/, train-state.json
  readonly preset: string;
  readonly steps: number;
  readonly maxMinutes: number;
  readonly batchFrames: number;
  readonly peakLr: number;
  readonly warmup: number;
  readonly evalEvery: number;
  readonly devUtterances: number;
  readonly patience: number;
  readonly seed: number;
}

interface TrainState {
  step: number;
  epoch: number;
  bestWer: number;
  evalsWithoutGain: number;
  history: {
    step: number;
    loss: number;
    ctc: number;
    attention: number;
    devWer?: number;
    devCer?: number;
    seconds: number;
  }[];
  secondsTrained: number;
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
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  return batches;
}

function toBatch(
  items: readonly CachedUtterance[],
  indices: number[],
  tokenizer: CharacterTokenizer,
  dim: number,
  random?: () => number,
) {
  const chosen = indices.map((i) => items[i]!);
  const frames = Math.max(...chosen.map((u) => u.frames));
  const values = new Float32Array(chosen.length * frames * dim);
  chosen.forEach((u, b) => {
    values.set(random ? specAugment(u.values, u.frames, dim, random) : u.values, b * frames * dim);
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

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => g.square().sum()))).dataSync()[0]!;
    const scale = norm > maxNorm ? maxNorm / norm : 1;
    return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.mul(scale)]));
  });
}

async function saveTraining(
  model: AsrModel,
  optimizer: tf.AdamOptimizer,
  state: TrainState,
  out: string,
  card: unknown,
): Promise<void> {
  // Written beside, then swapped in: a crash mid-save leaves the previous checkpoint intact.
  const staging = join(out, 'latest.saving');
  rmSync(staging, { recursive: true, force: true });
  await model.save(staging, card);
  // Adam names its moments after tfjs's variable names, which differ between processes: save them
  // under the parameters' own names instead.
  const byVariable = new Map(
    Object.entries(model.params.variables()).map(([key, v]) => [v.name, key]),
  );
  const rename = (name: string) =>
    name.replace(
      /^(.*)\/(m|v)$/,
      (_, variable: string, moment: string) => `${byVariable.get(variable) ?? variable}/${moment}`,
    );
  const weights = await optimizer.getWeights();
  await saveVariables(
    join(staging, 'optimizer'),
    Object.fromEntries(weights.map((w) => [rename(w.name), w.tensor])),
  );
  writeFileSync(join(staging, 'train-state.json'), `${JSON.stringify(state, null, 2)}\n`);
  rmSync(join(out, 'latest'), { recursive: true, force: true });
  renameSync(staging, join(out, 'latest'));
}

/**
 * Trains (or resumes training of) an ASR model: length-bucketed batches with SpecAugment, Adam
 * with warmup and inverse-square-root decay, gradient clipping, periodic dev WER, the best model
 * kept in <out>/best, and the latest (with optimizer state) in <out>/latest for resuming.
 * Stops at `steps`, after `maxMinutes`, on SIGINT/SIGTERM, or when dev WER stops improving.
 */
export async function trainAsr(options: TrainAsrOptions): Promise<TrainState> {
  mkdirSync(options.out, { recursive: true });
  const latest = join(options.out, 'latest');
  const resuming = existsSync(join(latest, 'train-state.json'));
  const tokenizer = CharacterTokenizer.english();
  const preset = ASR_PRESETS[options.preset];
  if (!preset)
    throw new Error(
      `unknown preset '${options.preset}' (have ${Object.keys(ASR_PRESETS).join(', ')})`,
    );
  const model = resuming ? AsrModel.load(latest) : new AsrModel(preset(tokenizer.size), tokenizer);
  if (!resuming) model.build();
  const config = model.config;
  const cacheDir = join(options.data, 'cache');
  mkdirSync(cacheDir, { recursive: true });
  const train = await featureCache(
    readSpeechManifest(join(options.data, 'train.jsonl')),
    config.features,
    cacheDir,
    'train',
  );
  const devAll = await featureCache(
    readSpeechManifest(join(options.data, 'dev.jsonl')),
    config.features,
    cacheDir,
    'dev',
  );
  const dev = devAll.slice(0, options.devUtterances);
  const optimizer = tf.train.adam(options.peakLr, 0.9, 0.98, 1e-9);
  const state: TrainState = resuming
    ? (JSON.parse(readFileSync(join(latest, 'train-state.json'), 'utf8')) as TrainState)
    : {
        step: 0,
        epoch: 0,
        bestWer: Number.POSITIVE_INFINITY,
        evalsWithoutGain: 0,
        history: [],
        secondsTrained: 0,
      };
  if (resuming) {
    // Adam matches its moments to variables by position, and params.list() keeps creation order.
    const saved = loadVariables(join(latest, 'optimizer')).tensors;
    const variables = model.params.variables();
    const restore = (name: string) =>
      name.replace(
        /^(.*)\/(m|v)$/,
        (_, key: string, moment: string) => `${variables[key]?.name ?? key}/${moment}`,
      );
    await optimizer.setWeights(
      Object.entries(saved).map(([name, tensor]) => ({ name: restore(name), tensor })),
    );
  }
  const dim = config.encoder.inputDim;
  const started = performance.now();
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  // Ctrl-C, or a scheduler's SIGTERM: finish the step, save, stop.
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const card = () => ({
    task: 'asr',
    data: options.data,
    parameters: model.params.size(),
    steps: state.step,
    secondsTrained: Math.round(state.secondsTrained),
    bestDevWer: state.bestWer,
    preset: options.preset,
    retrain: `attend train asr --data ${options.data} --out ${options.out} --preset ${options.preset}`,
  });
  const deadline = started + options.maxMinutes * 60_000;
  const progress = new Progress(options.steps - state.step, 'train asr', 'steps', deadline);
  let lastLoss = { loss: 0, ctc: 0, attention: 0 };
  try {
    while (!stopping && state.step < options.steps) {
      const random = prng(options.seed * 1000 + state.epoch);
      for (const indices of lengthBatches(train, options.batchFrames, random)) {
        if (stopping || state.step >= options.steps) break;
        const stepStart = performance.now();
        const batch = toBatch(train, indices, tokenizer, dim, random);
        const step = state.step + 1;
        // tfjs reads the rate on every update, so the schedule just sets it (the field is protected).
        (optimizer as unknown as { learningRate: number }).learningRate =
          options.peakLr * Math.min(step / options.warmup, Math.sqrt(options.warmup / step));
        const parts: { ctc?: number; attention?: number } = {};
        const { value, grads } = tf.variableGrads(() => {
          const losses = model.losses(batch, true);
          parts.ctc = losses.ctc.dataSync()[0];
          parts.attention = losses.attention.dataSync()[0];
          return losses.loss;
        }, model.params.list());
        const clipped = clipByGlobalNorm(grads, 5);
        optimizer.applyGradients(clipped as Parameters<typeof optimizer.applyGradients>[0]);
        lastLoss = {
          loss: value.dataSync()[0]!,
          ctc: parts.ctc ?? 0,
          attention: parts.attention ?? 0,
        };
        tf.dispose([value, ...Object.values(grads), ...Object.values(clipped), batch.features]);
        state.step = step;
        state.secondsTrained += (performance.now() - stepStart) / 1000;
        progress.tick();
        const timeUp = (performance.now() - started) / 60000 >= options.maxMinutes;
        if (step % options.evalEvery === 0 || timeUp) {
          const { wer, cer } = evaluate(model, dev, options.batchFrames);
          state.history.push({
            step,
            ...lastLoss,
            devWer: wer,
            devCer: cer,
            seconds: Math.round(state.secondsTrained),
          });
          process.stderr.write(
            `\nstep ${step} loss ${lastLoss.loss.toFixed(3)} (ctc ${lastLoss.ctc.toFixed(3)}, att ${lastLoss.attention.toFixed(3)}) dev WER ${(wer * 100).toFixed(1)}% CER ${(cer * 100).toFixed(1)}%\n`,
          );
          if (wer < state.bestWer) {
            state.bestWer = wer;
            state.evalsWithoutGain = 0;
            await model.save(join(options.out, 'best'), { ...card(), devWer: wer, devCer: cer });
          } else if (++state.evalsWithoutGain >= options.patience) {
            process.stderr.write(
              `dev WER has not improved for ${options.patience} evaluations: stopping early\n`,
            );
            stopping = true;
          }
          await saveTraining(model, optimizer, state, options.out, card());
        }
        if (timeUp) stopping = true;
      }
      if (!stopping) state.epoch++;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress.finish();
    await saveTraining(model, optimizer, state, options.out, card());
    optimizer.dispose();
    model.dispose();
  }
  return state;
}
