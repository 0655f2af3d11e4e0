// A toy sequence task for the decoders: reverse a digit string. Small enough to train in seconds,
// hard enough that the attention must learn a real alignment (output t reads input L-1-t).
import { createDecoder } from '../../src/decoder/index.js';
import type { Decoder, DecoderConfig } from '../../src/decoder/types.js';
import { embed, lstmCell, positionalEncoding, zeroLstmState } from '../../src/nn/layers.js';
import { ParamStore } from '../../src/nn/params.js';
import { tf } from '../../src/runtime/tf.js';
import { decode } from '../../src/search/index.js';
import { sequenceCrossEntropy } from '../../src/train/losses.js';
import { prng } from '../../src/util/random.js';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const VOCAB = 13; // specials + digits 0..9 as 3..12

/** Distinct training and held-out digit strings (no held-out string appears in training). */
export function reverseData(train: number, test: number, seed = 1) {
  const next = prng(seed);
  const seen = new Set<string>();
  const draw = (): number[] => {
    for (;;) {
      const length = 3 + Math.floor(next() * 6);
      const digits = Array.from({ length }, () => Math.floor(next() * 10));
      const key = digits.join('');
      if (!seen.has(key)) {
        seen.add(key);
        return digits;
      }
    }
  };
  return { train: Array.from({ length: train }, draw), test: Array.from({ length: test }, draw) };
}

/** Source ids [B, T] with mask, decoder inputs [B, L] (BOS + reversed) and targets (reversed + EOS). */
export function batchOf(strings: number[][]) {
  const maxIn = Math.max(...strings.map((s) => s.length));
  const src = strings.map((s) => [...s.map((d) => d + 3), ...Array(maxIn - s.length).fill(PAD)]);
  const mask = strings.map((s) => [...Array(s.length).fill(1), ...Array(maxIn - s.length).fill(0)]);
  const out = strings.map((s) => [...s].reverse().map((d) => d + 3));
  const inputs = out.map((o) => [BOS, ...o, ...Array(maxIn - o.length).fill(PAD)]);
  const targets = out.map((o) => [...o, EOS, ...Array(maxIn - o.length).fill(PAD)]);
  const targetMask = out.map((o) => [
    ...Array(o.length + 1).fill(1),
    ...Array(maxIn - o.length).fill(0),
  ]);
  return {
    src: tf.tensor2d(src, undefined, 'int32'),
    mask: tf.tensor2d(mask),
    inputs: tf.tensor2d(inputs, undefined, 'int32'),
    targets: tf.tensor2d(targets, undefined, 'int32'),
    targetMask: tf.tensor2d(targetMask),
  };
}

/** Embedding + positions + a masked bidirectional LSTM: memory [B, T, 2·units]. */
export function encode(
  params: ParamStore,
  src: tf.Tensor2D,
  mask: tf.Tensor2D,
  units: number,
): tf.Tensor3D {
  const [batch, length] = src.shape;
  const x = embed(params, src, VOCAB, units).add(positionalEncoding(length, units));
  const steps = tf.unstack(x, 1) as tf.Tensor2D[];
  const keep = tf.unstack(mask.expandDims(2), 1) as tf.Tensor2D[];
  const run = (order: number[], name: string): tf.Tensor2D[] => {
    let state = zeroLstmState(batch, units);
    const outputs: tf.Tensor2D[] = new Array(length);
    for (const t of order) {
      const next = lstmCell(params, steps[t]!, state, units, name);
      const m = keep[t]!;
      // Padding leaves the state as it was, so the backward pass starts at each string's real end.
      state = {
        h: next.h.mul(m).add(state.h.mul(tf.sub(1, m))),
        c: next.c.mul(m).add(state.c.mul(tf.sub(1, m))),
      };
      outputs[t] = state.h.mul(m);
    }
    return outputs;
  };
  const forward = run([...Array(length).keys()], 'enc/fw');
  const backward = run([...Array(length).keys()].reverse(), 'enc/bw');
  return tf.stack(
    forward.map((f, t) => tf.concat([f, backward[t]!], 1)),
    1,
  ) as tf.Tensor3D;
}

export interface ToyModel {
  params: ParamStore;
  decoder: Decoder;
  units: number;
}

export function toyModel(
  decoderConfig: (memoryDim: number) => DecoderConfig,
  units = 32,
): ToyModel {
  const params = new ParamStore('', undefined, 7);
  return {
    params,
    units,
    decoder: createDecoder(decoderConfig(2 * units), params.scope('decoder')),
  };
}

/** Trains until the training loss is below `target` or `maxSteps` pass; returns the losses. */
export function trainReverse(
  model: ToyModel,
  train: number[][],
  options: { steps: number; batch: number; lr: number; target: number },
) {
  const optimizer = tf.train.adam(options.lr);
  const losses: number[] = [];
  const lossOf = (batch: ReturnType<typeof batchOf>) => () => {
    const memory = encode(model.params, batch.src, batch.mask, model.units);
    const { logits } = model.decoder.forward(memory, batch.mask, batch.inputs, { training: true });
    return sequenceCrossEntropy(logits, batch.targets, batch.targetMask);
  };
  try {
    for (let step = 0; step < options.steps; step++) {
      const start = (step * options.batch) % train.length;
      const strings = train.slice(start, start + options.batch);
      const batch = batchOf(strings);
      // The first forward pass creates the parameters before the optimizer is told about them.
      if (step === 0)
        tf.tidy(() => {
          lossOf(batch)();
        });
      const loss = optimizer.minimize(lossOf(batch), true, model.params.list())!;
      losses.push(loss.dataSync()[0]!);
      tf.dispose([loss, ...Object.values(batch)]);
      const recent = losses.slice(-20);
      if (recent.length === 20 && recent.reduce((a, b) => a + b, 0) / 20 < options.target) break;
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}

/** Fraction of strings whose decoded output is exactly the reversed string. */
export function exactMatch(model: ToyModel, strings: number[][], beamSize: number): number {
  const batch = batchOf(strings);
  const memory = tf.tidy(() => encode(model.params, batch.src, batch.mask, model.units));
  const results = decode(model.decoder, memory, batch.mask, {
    startToken: BOS,
    endToken: EOS,
    maxLength: 12,
    beamSize,
    lengthPenalty: beamSize > 1 ? 0.6 : 0,
    coveragePenalty: 0,
  });
  tf.dispose([memory, ...Object.values(batch)]);
  const correct = results.filter(
    (hyps, i) =>
      hyps[0]!.tokens.join() ===
      [...strings[i]!]
        .reverse()
        .map((d) => d + 3)
        .join(),
  );
  return correct.length / strings.length;
}
