// The one place the project imports TensorFlow.js from, so that the engine is shared, the Node
// banner ("Looks like you are running TensorFlow.js in Node.js...") is silenced, and our gradient
// fixes are registered before any model is built.
//
// PROD silences tfjs's warnings. (IS_TEST would too, but it also makes the engine count data ids
// around every kernel call to hunt leaks: slower, and it throws on wasm's fused matMul.)
import * as tf from '@tensorflow/tfjs';
import { installGradientFixes } from './gradients.js';

tf.env().set('PROD', true);
installGradientFixes();

export type { Rank, Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
export { tf };
