/**
 * Deepens a trained speech model's encoder: ADD self-attention layers appended after its own, each
 * starting as the identity (its attention and feed-forward output projections zero: a pre-norm
 * layer then adds nothing to its input), so the grown model transcribes exactly as the original
 * until fine-tuning (`attend train asr --init OUT`) trains the new layers. Checks that on a
 * random batch before it saves.
 *   npx tsx scripts/asr-grow.ts checkpoints/asr-en /tmp/asr-grown 3
 */
import { AsrModel } from '../src/models/asr.js';
import { initRuntime } from '../src/runtime/select.js';
import { tf } from '../src/runtime/tf.js';

const [from, out, add] = process.argv.slice(2);
if (!from || !out || !add) throw new Error('usage: asr-grow.ts FROM_DIR OUT_DIR ADD_LAYERS');
await initRuntime();
const original = AsrModel.load(from);
const layers = original.config.encoder.layers;
const grown = new AsrModel(
  { ...original.config, encoder: { ...original.config.encoder, layers: layers + Number(add) } },
  original.tokenizer,
);
grown.build();
const old = original.params.variables();
for (const [name, variable] of Object.entries(grown.params.variables())) {
  const index = /^encoder\/layer(\d+)\//.exec(name)?.[1];
  if (index === undefined || Number(index) < layers) variable.assign(old[name]!);
  else if (/\/(attention\/wo|ffn2)\//.test(name)) variable.assign(tf.zerosLike(variable));
}
// The same encoder output and losses on a random batch: the new layers are the identity.
const features = tf.randomNormal([2, 200, original.config.encoder.inputDim], 0, 1, 'float32', 7);
const encodings = [original, grown].map((model) =>
  tf.tidy(() => model.encode(features as tf.Tensor3D, [200, 150]).memory),
);
const gap = tf.tidy(() => encodings[0]!.sub(encodings[1]!).abs().max().dataSync()[0]!);
if (!(gap < 1e-4)) throw new Error(`grown encoder differs from the original by ${gap}`);
await grown.save(out);
console.log(
  `${out}: ${layers} + ${add} encoder layers, ${grown.params.size()} parameters (was ${original.params.size()}); encoder output gap ${gap.toExponential(1)}`,
);
