// The one place the project imports TensorFlow.js from, so that the engine is shared and the
// Node banner ("Looks like you are running TensorFlow.js in Node.js...") is silenced once.
import * as tf from '@tensorflow/tfjs';

tf.env().set('IS_TEST', true);

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Rank } from '@tensorflow/tfjs';
