/**
 * The tensor-level test suites as one program, for a machine without vitest (the GPU machine):
 * kernel exactness against cpu (gradients included), the attention family, the shared decoder,
 * dropout, layer norm, the fused LSTM cell and additive attention, CTC and the CTC prefix scorer, on ATTEND_BACKEND (e.g. webgpu).
 * Built by scripts/device/build.sh; run as `node .gpu/suites.mjs`.
 */
import '../../test/native-kernels.test.js';
import '../../test/attention/family.test.js';
import '../../test/attention/efficient.test.js';
import '../../test/decoder/decoder.test.js';
import '../../test/nn/dropout.test.js';
import '../../test/nn/layer-norm.test.js';
import '../../test/nn/lstm-cell.test.js';
import '../../test/attention/additive-fused.test.js';
import '../../test/attention/softmax-fused.test.js';
import '../../test/train/ctc.test.js';
import '../../test/search/ctc-prefix.test.js';
import '../../test/train/flat-adam.test.js';
// Last: 500 training steps of a recurrent model, the slowest suite on a dispatch-bound GPU.
import '../../test/decoder/toy-reverse.test.js';
import { tf } from '../../src/runtime/tf.js';
import { runRegistered } from './vitest-shim.js';

const started = performance.now();
const { passed, failed } = await runRegistered();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\n${passed} passed, ${failed} failed on ${tf.getBackend()} in ${seconds} s`);
process.exit(failed ? 1 : 0);
