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
      return {
        logProbs: tf.logSoftmax(result.logits),
        weights: result.weights,
        state: result.state as StateTree,
      };
    });
    this.replace(out.state as S);
    const arrays = {
      logProbs: out.logProbs.dataSync() as Float32Array,
      weights: out.weights.dataSync() as Float32Array,
    };
    tf.dispose([out.logProbs, out.weights]);
    return arrays;
  }

  /** Reorders the batch (beam search keeping the hypotheses it extends). */
  select(indices: Int32Array): void {
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
