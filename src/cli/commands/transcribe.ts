import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_PUNCTUATION_MODEL,
  loadPunctuation,
  punctuateTranscript,
} from '../../../pipelines/punctuate.js';
import {
  createAsrPipeline,
  DEFAULT_ASR_MODEL,
  DEFAULT_HOTWORD_BONUS,
  type Transcript,
} from '../../../pipelines/transcribe.js';
import { renderSpeechAttention } from '../../audio/attention-map.js';
import { AttendError } from '../../errors.js';
import { asrFeatures } from '../../models/asr.js';
import { type AdaptationOptions, DEFAULT_ADAPTATION } from '../../models/asr-adapt.js';
import { type TranscriptWriter, WRITERS } from '../../output/writers.js';
import { startRuntime } from '../context.js';
import { reportBadInput } from '../input-errors.js';
import {
  ATTENTION_MAP_HELP,
  attentionMapPath,
  checkDistinctStems,
  inputStem,
} from '../output-paths.js';
import {
  namedChoices,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  weightList,
  wordList,
} from '../parse.js';
import { Progress } from '../progress.js';

/** The decoding flags `transcribe` and `eval asr` share, as commander gives them (strings). */
export interface FusionFlags {
  lmWeight?: string;
  lexiconWeight?: string;
  ctcWeight?: string;
  wordLmWeight?: string;
  warps?: string;
  adapt?: string;
  adaptLr?: string;
  adaptParams?: string;
  hotwords?: string;
  hotwordsFile?: string;
  hotwordBonus?: string;
}

interface TranscribeOptions extends FusionFlags, PunctuationFlags {
  model: string;
  beam?: string;
  format: keyof typeof WRITERS;
  timestamps?: boolean;
  attentionMap?: string;
  outputDir?: string;
  lm?: string;
}

/** The fusion flags transcribe and eval share. */
export function fusionOptions(command: Command): Command {
  command
    .option('--lm <file>', "n-gram language model (default: the model's lm.json), or 'none'")
    .option('--lm-weight <w>', "language model weight (default: the model's decoding.json)")
    .option(
      '--lexicon-weight <w>',
      "penalty weight per word not in the LM's lexicon (default: decoding.json)",
    )
    .option('--ctc-weight <w>', 'joint CTC/attention weight (default: the training weight)')
    .option(
      '--word-lm-weight <w>',
      "word n-gram weight, when the model has a word-lm.json.gz (default: decoding.json's, else 0)",
    )
    .option(
      '--warps <list>',
      "vocal-tract warp factors to decode each utterance with, best kept, e.g. 0.9,1,1.1 (test-time VTLN; default: decoding.json's, else 1)",
    )
    .option(
      '--adapt <steps>',
      "test-time adaptation: this many label-free steps on each utterance's encoder before decoding it (SUTA; 0 = off; default: decoding.json's, else 0)",
    )
    .option(
      '--adapt-lr <rate>',
      'learning rate of --adapt',
      String(DEFAULT_ADAPTATION.learningRate),
    )
    .option(
      '--adapt-params <which>',
      "what --adapt moves: 'norms' (encoder layer norms) or 'front' (those and the conv subsampling)",
      DEFAULT_ADAPTATION.parameters,
    );
  return hotwordFlags(command);
}

/** --punctuate and --punctuation-model (transcribe, listen, batch transcribe, worker). */
export function punctuationFlags(command: Command): Command {
  return command
    .option('--punctuate', 'write sentences: punctuation and capitals from a text model')
    .option(
      '--punctuation-model <dir>',
      'punctuation checkpoint folder',
      DEFAULT_PUNCTUATION_MODEL,
    );
}

export interface PunctuationFlags {
  punctuate?: boolean;
  punctuationModel?: string;
}

/** The punctuation checkpoint the flags ask for, if any. */
export const punctuationModelOf = (options: PunctuationFlags): string | undefined =>
  options.punctuate ? (options.punctuationModel ?? DEFAULT_PUNCTUATION_MODEL) : undefined;

/** The flags that shape a transcript's words beyond decoding: hotwords and punctuation. */
export type WordingFlags = HotwordFlags & PunctuationFlags;

/** --hotwords... and --punctuate... on a command (listen, batch transcribe, worker). */
export const wordingFlags = (command: Command): Command => hotwordFlags(punctuationFlags(command));

/** What the wording flags ask for: the hotword settings and the punctuation checkpoint. */
export function wordingOptions(options: WordingFlags): {
  hotwords?: string[];
  hotwordBonus?: number;
  punctuationModel?: string;
} {
  const punctuationModel = punctuationModelOf(options);
  return { ...hotwordOptions(options), ...(punctuationModel ? { punctuationModel } : {}) };
}

/** --hotwords, --hotwords-file and --hotword-bonus (transcribe, eval asr, batch transcribe). */
export function hotwordFlags(command: Command): Command {
  return command
    .option(
      '--hotwords <list>',
      'comma-separated words to bias the beam search towards (names, jargon; see --hotword-bonus)',
    )
    .option('--hotwords-file <file>', 'more hotwords, one word or phrase per line')
    .option(
      '--hotword-bonus <w>',
      'score bonus per character of a hotword, kept only when the whole word is written',
      String(DEFAULT_HOTWORD_BONUS),
    );
}

export type HotwordFlags = Pick<FusionFlags, 'hotwords' | 'hotwordsFile' | 'hotwordBonus'>;

/** --hotwords and --hotwords-file as one list (absent both: no biasing). */
export function hotwordOptions(options: HotwordFlags): {
  hotwords?: string[];
  hotwordBonus?: number;
} {
  const fromFile = options.hotwordsFile ? readHotwordsFile(options.hotwordsFile) : [];
  const hotwords = [...wordList(options.hotwords ?? ''), ...fromFile.map((w) => w.trim())].filter(
    Boolean,
  );
  if (hotwords.length === 0) return {};
  return {
    hotwords,
    hotwordBonus: nonNegativeNumber(
      '--hotword-bonus',
      options.hotwordBonus ?? String(DEFAULT_HOTWORD_BONUS),
    ),
  };
}

function readHotwordsFile(file: string): string[] {
  if (!existsSync(file)) throw new AttendError(`${file}: no such hotwords file`);
  return readFileSync(file, 'utf8').split(/\r?\n/);
}

/** --adapt / --adapt-lr / --adapt-params as adaptation settings (absent --adapt: the default). */
function adaptation(options: { adapt?: string; adaptLr?: string; adaptParams?: string }): {
  adapt?: AdaptationOptions;
} {
  if (options.adapt === undefined) return {};
  const [parameters] = namedChoices(
    '--adapt-params',
    options.adaptParams ?? DEFAULT_ADAPTATION.parameters,
    {
      norms: 'norms',
      front: 'front',
    } as const,
  );
  return {
    adapt: {
      steps: nonNegativeInteger('--adapt', options.adapt),
      learningRate: positiveNumber(
        '--adapt-lr',
        options.adaptLr ?? String(DEFAULT_ADAPTATION.learningRate),
      ),
      parameters,
    },
  };
}

/** --warps: positive factors (a vocal tract 0.5-2× as long is no voice). */
function warpList(value: string): number[] {
  const warps = weightList('--warps', value);
  if (warps.some((w) => w < 0.5 || w > 2))
    throw new AttendError(`--warps: factors must lie in [0.5, 2] (got ${value})`);
  return warps;
}

/** --lm-weight / --ctc-weight / --warps as decoding settings (absent flags keep the defaults). */
export function fusionWeights(options: FusionFlags) {
  return {
    ...adaptation(options),
    ...hotwordOptions(options),
    ...(options.wordLmWeight === undefined
      ? {}
      : { wordLmWeight: nonNegativeNumber('--word-lm-weight', options.wordLmWeight) }),
    ...(options.warps === undefined ? {} : { warps: warpList(options.warps) }),
    ...(options.lexiconWeight === undefined
      ? {}
      : { lexiconWeight: nonNegativeNumber('--lexicon-weight', options.lexiconWeight) }),
    ...(options.lmWeight === undefined
      ? {}
      : { lmWeight: nonNegativeNumber('--lm-weight', options.lmWeight) }),
    ...(options.ctcWeight === undefined
      ? {}
      : { ctcWeight: nonNegativeNumber('--ctc-weight', options.ctcWeight) }),
  };
}

/**
 * A map is drawn at 2 px per 10 ms and 3 px or more per character: a minute is already a
 * 12,000 px wide picture, and its matrix grows with the square of the length.
 */
const MAX_MAP_SECONDS = 60;

/** A progress bar for a recording long enough to be many pieces (nothing for short ones). */
export function longRecordingProgress(file: string, verb = 'transcribe') {
  let bar: Progress | undefined;
  let shown = 0;
  return {
    update: (done: number, total: number) => {
      if (total < 8) return;
      bar ??= new Progress(total, `${verb} ${file}`, 'pieces');
      for (; shown < done; shown++) bar.tick();
    },
    finish: () => bar?.finish(),
  };
}

export function transcribeCommand(program: Command): void {
  const transcribe = fusionOptions(program.command('transcribe'))
    .description('speech to text: WAV (any rate, any channels), FLAC, MP3, OGG, AIFF, M4A, WebM')
    .argument('<files...>', "audio files ('-': standard input)")
    .option('--model <dir>', 'ASR checkpoint folder', DEFAULT_ASR_MODEL)
    .option('--beam <n>', "beam size (1 = greedy; default: the model's decoding.json, else 4)")
    .option('--format <format>', 'txt, json, srt, vtt or tsv (a word per row)', 'txt')
    .option('--timestamps', 'txt output with [start --> end] segment times')
    .option('--attention-map <path>', `${ATTENTION_MAP_HELP}, over the spectrogram`)
    .option(
      '--output-dir <dir>',
      'write <dir>/<input>.<format> for each input instead of printing',
    );
  punctuationFlags(transcribe).action(
    async (files: string[], options: TranscribeOptions, command: Command) => {
      await startRuntime(command);
      const writer = WRITERS[options.format];
      if (!writer)
        throw new AttendError(
          `--format: '${options.format}' is not one of ${Object.keys(WRITERS).join(', ')}`,
        );
      // Subtitles belong to one recording: several files' cues in one stream would overlap.
      if (files.length > 1 && !options.outputDir && writer.perFile)
        throw new AttendError(
          `--format ${options.format} with ${files.length} files: subtitles are per file; add --output-dir DIR to write one .${writer.extension} for each`,
        );
      if (options.outputDir) checkDistinctStems(files);
      const punctuationModel = punctuationModelOf(options);
      const punctuation = punctuationModel ? loadPunctuation(punctuationModel) : undefined;
      const pipeline = createAsrPipeline(options.model, options.lm);
      const decoding = {
        ...(options.beam ? { beamSize: positiveInteger('--beam', options.beam) } : {}),
        ...fusionWeights(options),
      };
      const results: Transcript[] = [];
      const decoded = new Map<string, Float32Array>(); // kept only for attention maps
      try {
        for (const file of files) {
          try {
            const audio = await pipeline.load(file);
            const bar = longRecordingProgress(file);
            results.push(
              ...pipeline.transcribeAudio([audio], { ...decoding, onPieces: bar.update }),
            );
            bar.finish();
            if (options.attentionMap) {
              const seconds = audio.samples.length / 16000;
              if (seconds > MAX_MAP_SECONDS)
                throw new AttendError(
                  `${file}: no attention map: ${seconds.toFixed(0)} s is longer than the ${MAX_MAP_SECONDS} s a map shows (cut it first, e.g. sox ${file} part.wav trim 0 ${MAX_MAP_SECONDS})`,
                );
              decoded.set(file, audio.samples);
            }
          } catch (error) {
            reportBadInput(error);
          }
        }
        if (options.attentionMap) {
          for (const result of results) {
            if (!decoded.has(result.file)) continue; // too long to draw
            const out = attentionMapPath(options.attentionMap, result.file, results.length);
            const features = asrFeatures(decoded.get(result.file)!, pipeline.model.config.features);
            writeFileSync(out, await renderSpeechAttention(result.attention, features));
          }
        }
      } finally {
        pipeline.dispose();
      }
      const written = punctuation
        ? results.map((t) => punctuateTranscript(punctuation, t))
        : results;
      punctuation?.dispose();
      emitTranscripts(written, writer, options);
    },
  );
}

/** Transcripts to stdout in the chosen format, or one file each under --output-dir. */
export function emitTranscripts(
  results: readonly Transcript[],
  writer: TranscriptWriter,
  options: Pick<TranscribeOptions, 'outputDir' | 'timestamps' | 'format'>,
): void {
  if (options.outputDir) {
    mkdirSync(options.outputDir, { recursive: true });
    for (const result of results) {
      const out = join(options.outputDir, `${inputStem(result.file)}.${writer.extension}`);
      writeFileSync(out, `${writer.format([result])}\n`);
      console.error(`wrote ${out}`);
    }
  } else if (options.timestamps && options.format === 'txt') {
    const label = (t: Transcript) => (results.length > 1 ? `${t.file}\t` : '');
    for (const t of results)
      for (const s of t.segments)
        console.log(`${label(t)}[${s.start.toFixed(2)} --> ${s.end.toFixed(2)}] ${s.text}`);
  } else if (results.length) {
    console.log(writer.format(results));
  }
}
