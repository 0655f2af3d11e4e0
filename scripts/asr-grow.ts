/**
 * Grows a trained speech model's encoder without changing what it computes, for fine-tuning
 * (`attend train asr --init OUT`) to train the new parts:
 * - `layers N`: N self-attention layers appended after its own, each starting as the identity
 *   (attention and feed-forward output projections zero: a pre-norm layer then adds nothing);
 * - `conv K`: a Conformer convolution module in every layer (kernel K frames), its last
 *   projection zero, so the branch adds nothing.
 * Checks the encoder output on a random batch before it saves.
 *   npx tsx scripts/asr-grow.ts checkpoints/asr-en /tmp/asr-grown layers 3
 *   npx tsx scripts/asr-grow.ts checkpoints/asr-en /tmp/asr-conformer conv 15
 */
import type { AudioEncoderConfig } from '../src/encoders/audio.js';
import { AsrModel } from '../src/models/asr.js';
import { initRuntime } from '../src/runtime/select.js';
import { tf } from '../src/runtime/tf.js';

const [from, out, what, amount] = process.argv.slice(2);
if (!from || !out || (what !== 'layers' && what !== 'conv') || !amount)
  throw new Error('usage: asr-grow.ts FROM_DIR OUT_DIR layers N | conv KERNEL');
await initRuntime();
const original = AsrModel.load(from);
const encoder = original.config.encoder;
const layers = encoder.layers;
const grownEncoder: AudioEncoderConfig =
  what === 'layers'
    ? { ...encoder, layers: layers + Number(amount) }
    : { ...encoder, convKernel: Number(amount) };
const grown = new AsrModel({ ...original.config, encoder: grownEncoder }, original.tokenizer);
grown.build();
const old = original.params.variables();
/** A new parameter that must start at zero for the grown part to be the identity. */
const zeroed = (name: string): boolean =>
  /\/(attention\/wo|ffn2)\//.test(name) || /\/conv\/pointwise2\//.test(name);
for (const [name, variable] of Object.entries(grown.params.variables())) {
  if (old[name]) variable.assign(old[name]);
  else if (zeroed(name)) variable.assign(tf.zerosLike(variable));
}
const features = tf.randomNormal([2, 200, encoder.inputDim], 0, 1, 'float32', 7);
const encodings = [original, grown].map((model) =>
  tf.tidy(() => model.encode(features as tf.Tensor3D, [200, 150]).memory),
);
const gap = tf.tidy(() => encodings[0]!.sub(encodings[1]!).abs().max().dataSync()[0]!);
if (!(gap < 1e-4)) throw new Error(`grown encoder differs from the original by ${gap}`);
await grown.save(out);
console.log(
  `${out}: ${what} ${amount}, ${grown.params.size()} parameters (was ${original.params.size()}); encoder output gap ${gap.toExponential(1)}`,
);
