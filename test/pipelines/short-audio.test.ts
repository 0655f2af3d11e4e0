import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsrPipeline, createAsrPipeline } from '../../pipelines/transcribe.js';
import { projectPath } from '../../src/paths.js';
import { ready } from '../helpers/runtime.js';

describe('audio too short to hold speech', () => {
  let pipeline: AsrPipeline;
  beforeAll(async () => {
    await ready;
    pipeline = createAsrPipeline();
  });
  afterAll(() => pipeline.dispose());

  it('transcribes as nothing, beside a real recording in the same batch', async () => {
    // 50 ms of a loud 440 Hz tone: not silence, but under the 7 feature frames the encoder needs
    // (it crashed the native backend's reductions before).
    const tone = Float32Array.from(
      { length: 800 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000),
    );
    const speech = await pipeline.load(projectPath('samples', 'speech-16k-mono.wav'));
    const alone = pipeline.transcribeAudio([speech])[0]!.text;
    const [short, real] = pipeline.transcribeAudio([{ file: 'tone.wav', samples: tone }, speech]);
    expect(short!.text).toBe('');
    expect(short!.segments).toEqual([]);
    expect(real!.text).toBe(alone);
    expect(alone.split(' ').length).toBeGreaterThan(5);
  });
});
