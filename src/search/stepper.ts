import { type StateTree, stateTensors, tidyTree } from '../decoder/state.js';
import type { Decoder } from '../decoder/types.js';
import { tf } from '../runtime/tf.js';

/**
 * Runs decoder steps outside any long-lived tidy: each step's state replaces the previous one and
 * the tensors no longer referenced are freed, so memory stays flat however long the output.
 */
export class Stepper<S extends StateTree> {
  private readonly keep: Set<tf.Tensor>;

  /** Starts from decoder.initState(memory, mask); memory and mask stay the caller's. */
  constructor(
    private readonly decoder: Decoder<S>,
    memory: tf.Tensor3D,
    memoryMask: tf.Tensor2D,
  ) {
    this.keep = new Set([memory, memoryMask]);
    this.state = tidyTree(() => decoder.initState(memory, memoryMask));
  }

  state: S;

  /** One step for `tokens` [B]: log-probabilities [B, V] and attention weights [B, Tk] as arrays. */
  step(tokens: Int32Array): { logProbs: Float32Array; weights: Float32Array } {
    const previous = this.state;
    const out = tidyTree(() => {
      const result = this.decoder.step(tf.tensor1d(tokens, 'int32'), previous);
      return { logits: result.logits, weights: result.weights, state: result.state as StateTree };
    });
    this.replace(out.state as S);
    const arrays = {
      // A step's rows are a few beams by a small vocabulary: normalised here rather than by
      // six more tensor ops per step (their dispatch, not their arithmetic, is what costs).
      logProbs: logSoftmaxRows(Float32Array.from(out.logits.dataSync()), out.logits.shape[1]!),
      weights: out.weights.dataSync() as Float32Array,
    };
    tf.dispose([out.logits, out.weights]);
    return arrays;
  }

  /** Reorders the batch (beam search keeping the hypotheses it extends); the identity is free. */
  select(indices: Int32Array): void {
    if (indices.every((index, i) => index === i)) return;
    const previous = this.state;
    const next = tidyTree(() => this.decoder.selectState(previous, tf.tensor1d(indices, 'int32')));
    this.replace(next as S);
  }

  private replace(next: S): void {
    const live = new Set(stateTensors(next));
    for (const tensor of stateTensors(this.state)) {
      if (!live.has(tensor) && !this.keep.has(tensor)) tensor.dispose();
    }
    this.state = next;
  }

  dispose(): void {
    for (const tensor of stateTensors(this.state)) if (!this.keep.has(tensor)) tensor.dispose();
  }
}

/** Log-softmax of each `width`-long row of `logits`, in place (accumulated in float64). */
export function logSoftmaxRows(logits: Float32Array, width: number): Float32Array {
  for (let start = 0; start < logits.length; start += width) {
    const row = logits.subarray(start, start + width);
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const logNormaliser = max + Math.log(sum);
    for (let v = 0; v < width; v++) row[v] = row[v]! - logNormaliser;
  }
  return logits;
}
