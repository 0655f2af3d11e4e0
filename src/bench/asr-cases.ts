import { readdirSync } from 'node:fs';
import { alignAudio } from '../../pipelines/align.js';
import { transcribeStream } from '../../pipelines/listen.js';
import { createAsrPipeline } from '../../pipelines/transcribe.js';
import { AsrModel } from '../models/asr.js';
import { ASR_PRESETS } from '../models/asr-presets.js';
import { projectPath } from '../paths.js';
import type { BackendId } from '../runtime/candidates.js';
import { tf } from '../runtime/tf.js';
import { CharacterTokenizer } from '../text/characters.js';
import { adamStepWorkload, type Workload } from './blocks.js';
import type { BenchCase } from './cases.js';
import { benchAsrModel, samplesStream } from './fixtures.js';

const FRAMES = 300; // 3 s of 10 ms frames

/** One training step (forward, backward, Adam) of the `small` ASR preset on three-second utterances. */
function asrTrainStep(utterances: number) {
  const tokenizer = CharacterTokenizer.english();
  const model = new AsrModel(ASR_PRESETS.small!(tokenizer.size), tokenizer);
  model.build();
  const features = tf.randomNormal(
    [utterances, FRAMES, model.config.encoder.inputDim],
    0,
    1,
    'float32',
    3,
  ) as tf.Tensor3D;
  const targets = Array.from({ length: utterances }, () =>
    tokenizer.encode('the quick brown fox jumps over the lazy dog'),
  );
  const batch = { features, lengths: Array<number>(utterances).fill(FRAMES), targets };
  return adamStepWorkload(() => model.losses(batch, true).loss, model.params.list(), [
    features,
    model,
  ]);
}

const onlyFast = (backend: BackendId, full: boolean): string | undefined =>
  ['cpu', 'wasm'].includes(backend) && !full
    ? 'minutes on this backend; run with --full'
    : undefined;

/**
 * Real-time factor of transcription (seconds of compute per second of audio) with the shipped
 * model (asr-en, or asr-en-wip until it ships) on the sample WAVs, one file at a time as
 * `attend transcribe` runs them: decode, resample, features, encoder, and the model's own decoding
 * settings (decoding.json: beam 4, joint CTC, its LM).
 */
function transcribeRtf(): Workload {
  const files = readdirSync(projectPath('samples'))
    .filter((name) => name.endsWith('.wav'))
    .map((name) => projectPath('samples', name));
  const pipeline = createAsrPipeline(benchAsrModel());
  let audioSeconds = 1;
  return {
    step: async () => {
      audioSeconds = 0;
      for (const file of files) {
        const [result] = await pipeline.transcribe([file]);
        audioSeconds += result!.duration;
      }
    },
    value: (seconds) => seconds / audioSeconds,
    dispose: () => pipeline.dispose(),
  };
}

/** What the sample WAVs say (samples/README.md). */
const SAMPLE_TEXTS: Record<string, string> = {
  'speech-16k-mono.wav': 'The weather is lovely today, so we will walk to the park.',
  'speech-44k-stereo-24bit.wav': 'Please call me when you get home tonight.',
};

/**
 * Real-time factor of `attend align` on the sample WAVs and their texts: decode, resample,
 * features, encoder and CTC head, and the Viterbi search through the text.
 */
function alignRtf(): Workload {
  const pipeline = createAsrPipeline(benchAsrModel(), 'none');
  let audioSeconds = 1;
  return {
    step: async () => {
      audioSeconds = 0;
      for (const [name, text] of Object.entries(SAMPLE_TEXTS)) {
        const audio = await pipeline.load(projectPath('samples', name));
        audioSeconds += alignAudio(pipeline.model, audio, text, 'bench').duration;
      }
    },
    value: (seconds) => seconds / audioSeconds,
    dispose: () => pipeline.dispose(),
  };
}

/**
 * `attend listen`'s latency: a stream of the sample WAVs, each followed by a second of silence,
 * arrives in 0.1 s chunks; the row is the mean time from handing over the chunk that completes an
 * utterance's pause to the utterance's transcript coming out (resampling, features, decoding).
 */
function listenLatency(): Workload {
  const pipeline = createAsrPipeline(benchAsrModel());
  let stream: Uint8Array | undefined;
  let latencies: number[] = [];
  return {
    step: async () => {
      // The sample WAVs, each followed by a second of silence.
      stream ??= await samplesStream(
        readdirSync(projectPath('samples')).filter((n) => n.endsWith('.wav')),
        1,
        1,
      );
      latencies = [];
      let handedOver = 0;
      const bytes = stream;
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += 3200) {
          handedOver = performance.now();
          yield bytes.subarray(i, i + 3200);
        }
      }
      for await (const _ of transcribeStream(pipeline, chunks(), { name: 'bench' }))
        latencies.push(performance.now() - handedOver);
    },
    value: () => latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    dispose: () => pipeline.dispose(),
  };
}

export const ASR_CASES: BenchCase[] = [
  {
    name: 'asr/transcribe/rtf',
    unit: 'RTF',
    create: transcribeRtf,
  },
  {
    name: 'asr/align/rtf',
    unit: 'RTF',
    create: alignRtf,
  },
  {
    name: 'asr/listen/latency',
    unit: 'ms',
    skip: onlyFast,
    create: listenLatency,
  },
  // 16 utterances: the row's history; 32: the batch the GPU comparison uses (as caption's 32 images).
  ...[16, 32].map(
    (utterances): BenchCase => ({
      name:
        utterances === 16
          ? 'asr/train-small/utt-per-s'
          : `asr/train-small-b${utterances}/utt-per-s`,
      unit: 'utt/s',
      items: utterances,
      skip: onlyFast,
      create: () => asrTrainStep(utterances),
    }),
  ),
];
