import { tf } from '../runtime/tf.js';
import type { FeatureConfig, Features } from './features.js';
import { Meyda } from './meyda.js';

interface Basis {
  readonly key: string;
  readonly dft: tf.Tensor2D; // [fftSize, 2·bins]: cos | -sin
  readonly mel: tf.Tensor2D; // [bins, melBands]: meyda's filterbank, transposed
  readonly window: Float32Array;
}

let cached: Basis | undefined;

function basisFor(config: FeatureConfig, windowLength: number, fftSize: number): Basis {
  const key = `${config.sampleRate}/${windowLength}/${fftSize}/${config.melBands}/${tf.getBackend()}`;
  if (cached?.key === key) return cached;
  if (cached) tf.dispose([cached.dft, cached.mel]);
  const bins = fftSize / 2; // meyda's amplitude spectrum keeps bins 0..N/2-1
  const dft = new Float32Array(fftSize * 2 * bins);
  for (let n = 0; n < fftSize; n++) {
    for (let k = 0; k < bins; k++) {
      const angle = (2 * Math.PI * k * n) / fftSize;
      dft[n * 2 * bins + k] = Math.cos(angle);
      dft[n * 2 * bins + bins + k] = -Math.sin(angle);
    }
  }
  // The same filterbank meyda's own extract uses (it builds it on first use for these settings).
  Meyda.bufferSize = fftSize;
  Meyda.sampleRate = config.sampleRate;
  Meyda.melBands = config.melBands;
  Meyda.numberOfMFCCCoefficients = Math.min(config.mfccCoefficients, config.melBands);
  Meyda.windowingFunction = 'rect';
  Meyda.extract('powerSpectrum', new Float32Array(fftSize));
  const bank = Meyda.melFilterBank!;
  const mel = new Float32Array(bins * config.melBands);
  for (let m = 0; m < config.melBands; m++)
    for (let k = 0; k < bins; k++) mel[k * config.melBands + m] = bank[m]![k]!;
  const window = Float32Array.from(
    { length: windowLength },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / windowLength),
  );
  cached = {
    key,
    dft: tf.keep(tf.tensor2d(dft, [fftSize, 2 * bins])),
    mel: tf.keep(tf.tensor2d(mel, [bins, config.melBands])),
    window,
  };
  return cached;
}

/**
 * The same log-mel as computeFeatures (meyda's filterbank, equal within float rounding: see the
 * tests), with the DFT as one matrix product on the current backend. meyda's per-frame JS FFT
 * costs 63 ms per second of audio here, more than the whole real-time budget of transcription;
 * this path takes about 2 ms. Used for training caches and batch work.
 */
export function fastLogMel(samples: Float32Array, config: FeatureConfig): Features {
  const windowLength = Math.round((config.sampleRate * config.windowMs) / 1000);
  const hop = Math.round((config.sampleRate * config.hopMs) / 1000);
  const frames = 1 + Math.floor((samples.length - windowLength) / hop);
  if (frames < 1) throw new Error(`audio is shorter than one ${config.windowMs} ms frame`);
  const fftSize = 2 ** Math.ceil(Math.log2(windowLength));
  const basis = basisFor(config, windowLength, fftSize);
  const framed = new Float32Array(frames * fftSize);
  for (let t = 0; t < frames; t++) {
    const start = t * hop;
    for (let i = 0; i < windowLength; i++)
      framed[t * fftSize + i] = samples[start + i]! * basis.window[i]!;
  }
  const values = tf.tidy(() => {
    const spectrum = tf.matMul(tf.tensor2d(framed, [frames, fftSize]), basis.dft); // [frames, 2·bins]
    const power = spectrum
      .square()
      .reshape([frames, 2, fftSize / 2])
      .sum(1) as tf.Tensor2D;
    return tf.log(tf.matMul(power, basis.mel).add(1e-10)).dataSync() as Float32Array;
  });
  return { frames, dim: config.melBands, values };
}
