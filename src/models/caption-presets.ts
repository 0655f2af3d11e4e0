import type { RecurrentDecoderConfig } from '../decoder/types.js';
import type { CaptionConfig } from './caption.js';

/** Model sizes `attend train caption --preset NAME` knows. */
export const CAPTION_PRESETS: Record<string, (vocabSize: number) => CaptionConfig> = {
  /**
   * Show-Attend-and-Tell on 64×64 scenes: ResNet to an 8×8 grid of 128-wide regions, one LSTM with
   * additive attention, the gate β and the doubly-stochastic penalty.
   */
  small: (vocabSize) => ({
    task: 'caption',
    encoder: {
      imageSize: 64,
      stemChannels: 32,
      stemStride: 2,
      stages: [64, 128],
      blocksPerStage: 1,
      dim: 128,
      dropout: 0.1,
    },
    decoder: {
      type: 'recurrent',
      vocabSize,
      memoryDim: 128,
      embedDim: 64,
      units: 256,
      layers: 1,
      attention: { kind: 'additive', units: 128 },
      inputFeeding: true,
      gate: true,
      dropout: 0.1,
    },
    labelSmoothing: 0,
    attentionPenalty: 0.1,
  }),
  /** `small` with hard (stochastic) attention trained by REINFORCE (SAT's "hard" model). */
  'small-hard': (vocabSize) => {
    const soft = CAPTION_PRESETS.small!(vocabSize);
    const decoder = soft.decoder as RecurrentDecoderConfig;
    return { ...soft, decoder: { ...decoder, attention: { ...decoder.attention, mode: 'hard' } } };
  },
  /** For tests and smoke runs. */
  tiny: (vocabSize) => ({
    task: 'caption',
    encoder: {
      imageSize: 32,
      stemChannels: 8,
      stemStride: 1,
      stages: [16, 32],
      blocksPerStage: 1,
      dim: 32,
      dropout: 0,
    },
    decoder: {
      type: 'recurrent',
      vocabSize,
      memoryDim: 32,
      embedDim: 16,
      units: 48,
      layers: 1,
      attention: { kind: 'additive', units: 32 },
      inputFeeding: true,
      gate: true,
      dropout: 0,
    },
    labelSmoothing: 0,
    attentionPenalty: 0.1,
  }),
};
