import { tf } from '../runtime/tf.js';
import { BOS, EOS, PAD } from '../text/characters.js';

/** Decoder inputs `<s> y`, outputs `y </s>` and the mask of real positions, padded to one length. */
export interface TeacherForcing {
  readonly inputs: tf.Tensor2D; // [B, L] int32
  readonly outputs: tf.Tensor2D; // [B, L] int32
  readonly mask: tf.Tensor2D; // [B, L] float, 1 where a target token (or </s>) is
}

export function teacherForcing(targets: readonly (readonly number[])[]): TeacherForcing {
  const length = Math.max(...targets.map((t) => t.length)) + 1;
  const pad = (ids: number[]) => [...ids, ...Array<number>(length - ids.length).fill(PAD)];
  return {
    inputs: tf.tensor2d(
      targets.map((t) => pad([BOS, ...t])),
      undefined,
      'int32',
    ),
    outputs: tf.tensor2d(
      targets.map((t) => pad([...t, EOS])),
      undefined,
      'int32',
    ),
    mask: tf.tensor2d(
      targets.map((t) => Array.from({ length }, (_, i) => (i <= t.length ? 1 : 0))),
    ),
  };
}
