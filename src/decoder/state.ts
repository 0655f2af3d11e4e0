import { tf } from '../runtime/tf.js';

/** A decoder state: plain objects, arrays, numbers and tensors whose first axis is the batch. */
export type StateTree =
  | tf.Tensor
  | number
  | undefined
  | readonly StateTree[]
  | { readonly [key: string]: StateTree };

/** Applies fn to every tensor of a state tree, keeping its structure. */
export function mapTensors<T extends StateTree>(tree: T, fn: (t: tf.Tensor) => tf.Tensor): T {
  if (tree instanceof tf.Tensor) return fn(tree) as T;
  if (Array.isArray(tree)) return tree.map((x) => mapTensors(x, fn)) as unknown as T;
  if (tree && typeof tree === 'object') {
    return Object.fromEntries(
      Object.entries(tree).map(([key, value]) => [key, mapTensors(value as StateTree, fn)]),
    ) as T;
  }
  return tree;
}

/** Every tensor in a state tree (to keep or dispose them). */
export function stateTensors(tree: StateTree): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  mapTensors(tree, (t) => {
    out.push(t);
    return t;
  });
  return out;
}

/** Reorders the batch of every tensor (beam search keeping the hypotheses it extends). */
export function selectBatch<T extends StateTree>(tree: T, indices: tf.Tensor1D): T {
  return mapTensors(tree, (t) => tf.gather(t, indices, 0));
}

/** tf.tidy for functions returning state trees (tidy's own types do not admit readonly trees). */
export function tidyTree<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
