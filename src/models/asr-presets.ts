import { DEFAULT_FEATURES } from '../audio/features.js';
import type { AsrConfig } from './asr.js';

/** Model sizes `attend train asr --preset NAME` knows. */
export const ASR_PRESETS: Record<string, (vocabSize: number) => AsrConfig> = {
  /** ~3.5 M parameters: what 2 CPU cores can train in hours. */
  small: (vocabSize) => ({
    task: 'asr',
    features: DEFAULT_FEATURES,
    encoder: {
      inputDim: DEFAULT_FEATURES.melBands,
      subsampleChannels: 32,
      dim: 144,
      layers: 6,
      ffnDim: 576,
      selfAttention: { kind: 'multi-head', heads: 4, dim: 144 },
      dropout: 0.1,
    },
    decoder: {
      type: 'transformer',
      vocabSize,
      memoryDim: 144,
      dim: 144,
      heads: 4,
      layers: 2,
      ffnDim: 576,
      dropout: 0.1,
    },
    ctcWeight: 0.3,
    labelSmoothing: 0.1,
  }),
  /**
   * small with a Conformer convolution module (15 frames, 0.6 s) in each encoder layer: 2.68 M
   * parameters with characters (small: 2.28 M); a training step (16 × 6 s) 1.46 s median against
   * small's 1.09 s on 2 cores (native, with its depthwise kernel).
   */
  'small-conformer': (vocabSize) => {
    const small = ASR_PRESETS.small!(vocabSize);
    return { ...small, encoder: { ...small.encoder, convKernel: 15 } };
  },
  /** For tests and smoke runs. */
  tiny: (vocabSize) => ({
    task: 'asr',
    features: DEFAULT_FEATURES,
    encoder: {
      inputDim: DEFAULT_FEATURES.melBands,
      subsampleChannels: 8,
      dim: 64,
      layers: 1,
      ffnDim: 128,
      selfAttention: { kind: 'multi-head', heads: 2, dim: 64 },
      dropout: 0,
    },
    decoder: {
      type: 'transformer',
      vocabSize,
      memoryDim: 64,
      dim: 64,
      heads: 2,
      layers: 1,
      ffnDim: 128,
      dropout: 0,
    },
    ctcWeight: 0.3,
    labelSmoothing: 0,
  }),
};
