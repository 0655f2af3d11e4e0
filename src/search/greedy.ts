import type { Decoder } from '../decoder/types.js';
import type { tf } from '../runtime/tf.js';
import { Stepper } from './stepper.js';
import type { DecodingOptions, Hypothesis } from './types.js';

/** Batched greedy decoding: the most likely token at every step, until the end token. */
export function greedySearch(
  decoder: Decoder,
  memory: tf.Tensor3D,
  memoryMask: tf.Tensor2D,
  options: Pick<DecodingOptions, 'startToken' | 'endToken' | 'maxLength'>,
): Hypothesis[][] {
  const [batch, length] = memory.shape;
  const stepper = new Stepper(decoder, memory, memoryMask);
  const tokens = new Int32Array(batch).fill(options.startToken);
  const hyps = Array.from({ length: batch }, () => ({
    tokens: [] as number[],
    tokenLogProbs: [] as number[],
    logProb: 0,
    weights: [] as Float32Array[],
    finished: false,
  }));
  try {
    for (let t = 0; t < options.maxLength && hyps.some((h) => !h.finished); t++) {
      const { logProbs, weights } = stepper.step(tokens);
      const vocab = logProbs.length / batch;
      hyps.forEach((hyp, b) => {
        if (hyp.finished) return;
        let best = 0;
        for (let v = 1; v < vocab; v++)
          if (logProbs[b * vocab + v]! > logProbs[b * vocab + best]!) best = v;
        hyp.logProb += logProbs[b * vocab + best]!;
        hyp.weights.push(weights.slice(b * length, (b + 1) * length));
        if (best === options.endToken) hyp.finished = true;
        else {
          hyp.tokens.push(best);
          hyp.tokenLogProbs.push(logProbs[b * vocab + best]!);
        }
        tokens[b] = best;
      });
    }
  } finally {
    stepper.dispose();
  }
  return hyps.map((h) => [{ ...h, score: h.logProb }]);
}
