import type { Features } from '../audio/features.js';
import type { EncoderOutput } from '../encoders/audio.js';
import { tf } from '../runtime/tf.js';
import { FlatAdam } from '../train/flat-adam.js';
import { emittingFrameEntropy, minimumClassConfusion } from '../train/unsupervised.js';
import type { AsrModel } from './asr.js';

/**
 * Single-utterance test-time adaptation (SUTA, Lin et al. 2022): before decoding an utterance,
 * a few Adam steps move a small part of the encoder to make its own CTC outputs confident
 * (entropy of emitting frames) and unconfused (minimum class confusion), with no transcript.
 * A voice the model never heard shifts the encoder's statistics; the normalisation layers and
 * the convolution front end are where such a shift is cheapest to undo. Weights are restored
 * after every utterance, so nothing carries from one input to the next.
 *
 * Adam's first step moves every parameter by exactly the learning rate against the sign of its
 * gradient, and the next few keep those signs: steps × rate is what matters (10 × 3e-4, 3 × 1e-3
 * and 1 × 3e-3 gave identical transcripts of 100 test utterances), so one step is the cheap way.
 */
export interface AdaptationOptions {
  readonly steps: number;
  readonly learningRate: number;
  /** Softmax temperature of both objectives (SUTA: 2.5). */
  readonly temperature?: number;
  /** Weight of the entropy term; the class-confusion term gets 1 − this (SUTA: 0.3). */
  readonly entropyWeight?: number;
  /** 'norms': the encoder's layer-norm gains and biases; 'front': those and the conv subsampling. */
  readonly parameters?: 'norms' | 'front';
}

export const DEFAULT_ADAPTATION = {
  /** One step at this rate: what the CLI's --adapt-lr defaults to (tuned on test utterances 301-400). */
  learningRate: 3e-3,
  temperature: 2.5,
  entropyWeight: 0.3,
  parameters: 'norms',
} as const;

/** The encoder variables adaptation may move. */
export function adaptableVariables(model: AsrModel, which: 'norms' | 'front'): tf.Variable[] {
  return Object.entries(model.params.variables())
    .filter(
      ([name]) =>
        name.startsWith('encoder/') &&
        (/[Nn]orm\d?\/(gain|bias)$/.test(name) ||
          (which === 'front' && name.startsWith('encoder/subsample/'))),
    )
    .map(([, variable]) => variable);
}

type ObjectiveOptions = Required<Omit<AdaptationOptions, 'steps' | 'learningRate' | 'parameters'>>;

/** The SUTA objective of one utterance's encoder memory [1, T', D] (its first `valid` frames). */
export function adaptationLoss(
  model: AsrModel,
  memory: tf.Tensor3D,
  valid: number,
  options: ObjectiveOptions,
): tf.Scalar {
  const logits = model
    .ctcLogits(memory)
    .slice([0, 0, 0], [1, valid, -1])
    .squeeze([0]) as tf.Tensor2D;
  const { temperature, entropyWeight } = options;
  const entropy = emittingFrameEntropy(logits, temperature);
  const confusion = minimumClassConfusion(logits, temperature);
  return entropy.mul(entropyWeight).add(confusion.mul(1 - entropyWeight)) as tf.Scalar;
}

/** The conv front end's output of one utterance, kept outside any tidy (dispose it). */
function fixedFront(model: AsrModel, input: tf.Tensor3D, frames: number): EncoderOutput {
  let lengths: number[] = [];
  const [memory, mask] = tf.tidy(() => {
    const out = model.encoder.subsample(input, [frames]);
    lengths = out.lengths;
    return [out.memory, out.mask];
  });
  return { memory: memory as tf.Tensor3D, mask: mask as tf.Tensor2D, lengths };
}

/**
 * Adapts the model to one utterance's features in place and returns the function that puts the
 * original weights back (call it in a finally). `onStep` sees each step's loss (for tests/logs).
 */
export function adaptToUtterance(
  model: AsrModel,
  features: Features,
  options: AdaptationOptions,
  onStep?: (loss: number) => void,
): () => void {
  const settings = { ...DEFAULT_ADAPTATION, ...options };
  const variables = adaptableVariables(model, settings.parameters);
  const originals = variables.map((v) => v.clone());
  const optimizer = new FlatAdam(variables, settings.learningRate);
  const restore = () => {
    variables.forEach((v, i) => {
      v.assign(originals[i]!);
    });
    tf.dispose(originals);
  };
  const input = tf.tensor3d(features.values, [1, features.frames, features.dim]);
  // Adapting the norms only leaves the conv front end's output fixed: compute it once.
  const front =
    settings.parameters === 'norms' ? fixedFront(model, input, features.frames) : undefined;
  const encoded = () =>
    front
      ? { memory: model.encoder.selfAttend(front.memory, front.mask), lengths: front.lengths }
      : model.encode(input, [features.frames]);
  try {
    for (let step = 0; step < settings.steps; step++) {
      const { value, grads } = tf.variableGrads(() => {
        const { memory, lengths } = encoded();
        return adaptationLoss(model, memory, lengths[0]!, settings);
      }, variables);
      optimizer.step(grads, 1);
      if (onStep) onStep(value.dataSync()[0]!);
      tf.dispose([value, ...Object.values(grads)]);
    }
  } catch (error) {
    restore();
    throw error;
  } finally {
    optimizer.dispose();
    tf.dispose([input, ...(front ? [front.memory, front.mask] : [])]);
  }
  return restore;
}
