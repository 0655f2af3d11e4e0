/**
 * attend as a library (`import { createAsrPipeline, initRuntime } from 'attend'`): what the CLI is
 * built from. Start with initRuntime() (it picks the backend, as `attend doctor` reports), then a
 * pipeline, or the pieces below for models of your own.
 */

export { type TrainAsrOptions, trainAsr } from '../pipelines/asr/train.js';
export { type TrainCaptionOptions, trainCaption } from '../pipelines/caption/train.js';
export type { CaptionPipeline, CaptionResult } from '../pipelines/caption.js';
export { createCaptionPipeline, DEFAULT_CAPTION_MODEL } from '../pipelines/caption.js';
export { type ListenOptions, type LiveUtterance, transcribeStream } from '../pipelines/listen.js';
export { type RunningServer, type ServeOptions, startServer } from '../pipelines/serve/server.js';
export type {
  AsrPipeline,
  AttentionRow,
  Segment,
  TranscribeOptions,
  Transcript,
  WordTiming,
} from '../pipelines/transcribe.js';
export { createAsrPipeline, DEFAULT_ASR_MODEL } from '../pipelines/transcribe.js';

// Attention: one interface, every kind from one registry; masks are keep-masks.
export { causalMask, combineMasks, maskedSoftmax, windowMask } from './attention/masking.js';
export { createAttention } from './attention/registry.js';
export { buildPattern, denseMask, type SparsePattern } from './attention/sparse-patterns.js';
export type {
  AttendInput,
  AttendOutput,
  Attention,
  AttentionConfig,
  AttentionDims,
  AttentionKind,
  AttentionState,
} from './attention/types.js';
// Audio front end.
export { decodeAudioBytes, decodeAudioFile } from './audio/decode.js';
export {
  cmvn,
  computeFeatures,
  DEFAULT_FEATURES,
  type FeatureConfig,
  type Features,
} from './audio/features.js';
export { downmix, resample, toMono16k } from './audio/resample.js';
// The shared decoder both models use.
export { createDecoder } from './decoder/index.js';
export type { Decoder, DecoderConfig } from './decoder/types.js';
export { AttendError } from './errors.js';
// Checkpoints and models.
export { readCheckpoint } from './io/checkpoint.js';
export { NgramLm } from './lm/ngram.js';
export { WordNgram } from './lm/word-ngram.js';
// Metrics.
export { type CaptionPair, corpusBleu } from './metrics/bleu.js';
export { ciderD, scoreCaptions } from './metrics/cider.js';
export { type ConfidenceScores, confidenceScores } from './metrics/confidence.js';
export { charErrorRate, type ErrorRate, wordErrorRate } from './metrics/edit-distance.js';
export { type KeywordScores, keywordScores } from './metrics/keywords.js';
export { type AsrConfig, AsrModel, asrFeatures, padFeatures } from './models/asr.js';
export { ASR_PRESETS } from './models/asr-presets.js';
export { type CaptionConfig, CaptionModel } from './models/caption.js';
export { CAPTION_PRESETS } from './models/caption-presets.js';
export { WRITERS } from './output/writers.js';
// Runtime: the backend choice, and the tfjs namespace every tensor above belongs to.
export { initRuntime, type RuntimeReport, selectBackend } from './runtime/select.js';
export { tf } from './runtime/tf.js';
// Search over either decoder.
export { DEFAULT_DECODING, type DecodingOptions, decode, type Hypothesis } from './search/index.js';
export { BpeTokenizer } from './text/bpe.js';
export { CharacterTokenizer } from './text/characters.js';
export { WordTokenizer } from './text/words.js';
export { loadImage, type RgbImage } from './vision/image.js';
