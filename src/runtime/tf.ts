// The one place the project imports TensorFlow.js from, so that the engine is shared, the Node
// banner ("Looks like you are running TensorFlow.js in Node.js...") is silenced, and our gradient
// fixes are registered before any model is built.
import * as tf from '@tensorflow/tfjs';
import { installGradientFixes } from './gradients.js';

tf.env().set('IS_TEST', true);
installGradientFixes();

export type { Rank, Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
export { tf };
