import sharp from 'sharp';
import type { AttentionRow } from '../output/transcript.js';
import { matrixImage } from '../vision/heatmap.js';
import type { Features } from './features.js';

/**
 * The transcription figure: decoder-step × encoder-frame attention on top, the log-mel
 * spectrogram under it on the same time axis (the encoder's frames are 4 feature frames each),
 * so one sees which stretch of audio each character was read from.
 */
export async function renderSpeechAttention(
  attention: readonly AttentionRow[],
  features: Features,
  pixelsPerFrame = 2,
): Promise<Buffer> {
  const steps = Math.max(1, attention.length);
  const encoderFrames = attention.reduce(
    (n, row) => Math.max(n, row.start + row.weights.length),
    1,
  );
  const width = Math.max(1, features.frames * pixelsPerFrame);
  const rowHeight = Math.max(3, Math.min(12, Math.round(600 / steps)));
  const attentionHeight = steps * rowHeight;
  const spectrogramHeight = features.dim * 2;
  // Attention covers encoderFrames × 4 feature frames; pad the matrix to the feature length.
  const covered = Math.min(features.frames, encoderFrames * 4);
  const matrix = new Float32Array(steps * encoderFrames);
  attention.forEach((row, s) => {
    matrix.set(row.weights, s * encoderFrames + row.start);
  });
  const attentionWidth = Math.max(1, Math.round((covered / features.frames) * width));
  const top = matrixImage(matrix, steps, encoderFrames, attentionWidth, attentionHeight);
  // features.values is [frames, dim]; the picture wants rows = mel bands.
  const bands = new Float32Array(features.dim * features.frames);
  for (let t = 0; t < features.frames; t++)
    for (let m = 0; m < features.dim; m++)
      bands[m * features.frames + t] = features.values[t * features.dim + m]!;
  const bottom = matrixImage(bands, features.dim, features.frames, width, spectrogramHeight, true);
  return sharp({
    create: {
      width,
      height: attentionHeight + 4 + spectrogramHeight,
      channels: 3,
      background: '#ffffff',
    },
  })
    .composite([
      {
        input: top,
        raw: { width: attentionWidth, height: attentionHeight, channels: 3 },
        left: 0,
        top: 0,
      },
      {
        input: bottom,
        raw: { width, height: spectrogramHeight, channels: 3 },
        left: 0,
        top: attentionHeight + 4,
      },
    ])
    .png()
    .toBuffer();
}
