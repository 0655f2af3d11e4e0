import { spawnSync } from 'node:child_process';
import { synthesize, VOICES } from '../../datasets/speech/voices.js';
import { DEFAULT_FEATURES } from '../../src/audio/features.js';
import { toMono16k } from '../../src/audio/resample.js';
import type { AsrConfig } from '../../src/models/asr.js';
import { ASR_PRESETS } from '../../src/models/asr-presets.js';

export const hasEspeak = spawnSync('which', ['espeak-ng']).status === 0;

export const TINY_PHRASES = [
  'open the door',
  'the red cat',
  'good morning',
  'stop right there',
  'turn left now',
  'a big blue boat',
  'call me later',
  'seven green apples',
  'where is home',
  'quiet please',
];

/** Ten short phrases spoken by espeak-ng at 16 kHz. */
export async function tinySpeech(): Promise<{ text: string; samples: Float32Array }[]> {
  const voice = VOICES.find((v) => v.name === 'en-us')!;
  return Promise.all(
    TINY_PHRASES.map(async (text) => ({
      text,
      samples: await toMono16k(await synthesize(voice, text, { rate: 1.1, pitch: 50 })),
    })),
  );
}

/** The `tiny` preset with 40 mel bands (cheaper features for a quick overfit). */
export const tinyAsrConfig = (vocabSize: number): AsrConfig => {
  const preset = ASR_PRESETS.tiny!(vocabSize);
  return {
    ...preset,
    features: { ...DEFAULT_FEATURES, melBands: 40 },
    encoder: { ...preset.encoder, inputDim: 40 },
  };
};
