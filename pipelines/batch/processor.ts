import { AttendError, isUserFacing } from '../../src/errors.js';
import { alignAudio } from '../align.js';
import { createCaptionPipeline } from '../caption.js';
import { loadPunctuation, punctuateTranscript } from '../punctuate.js';
import { createAsrPipeline, type LoadedAudio, type TranscribeOptions } from '../transcribe.js';
import type { BatchItem, BatchTask } from './inputs.js';
import type { BatchRecord } from './output.js';

export interface ProcessorOptions {
  readonly task: BatchTask;
  readonly model: string;
  readonly beam: number;
  /** Words to bias transcription towards (TranscribeOptions.hotwords). */
  readonly hotwords?: readonly string[];
  readonly hotwordBonus?: number;
  /** Transcription only: write the text as sentences with this punctuation checkpoint. */
  readonly punctuationModel?: string;
}

/** Turns a chunk of items into records; one model load, reused for every chunk. */
export interface Processor {
  process(items: readonly BatchItem[]): Promise<BatchRecord[]>;
  dispose(): void;
}

const INTERNAL = 'internal error: ';
const message = (error: unknown): string => {
  if (isUserFacing(error)) return error.message;
  return `${INTERNAL}${error instanceof Error ? error.message : String(error)}`;
};

/**
 * An error that is not the input's fault (out of memory, a backend failure): worth retrying,
 * unlike a corrupt or missing file, whose error names the file and is final.
 */
export const isTransient = (record: BatchRecord): boolean =>
  Boolean(record.error?.startsWith(INTERNAL));

/**
 * Loads every item of the chunk (a bad one becomes an error record), then runs the good ones
 * through the model as one batch. If the batch itself fails, each item is retried alone so that
 * one poisonous input cannot take its neighbours down with it.
 */
export function createProcessor(options: ProcessorOptions): Processor {
  const decoding = { beamSize: options.beam };
  const run =
    options.task === 'transcribe'
      ? asrRunner(
          options.model,
          {
            ...decoding,
            ...(options.hotwords ? { hotwords: options.hotwords } : {}),
            ...(options.hotwordBonus === undefined ? {} : { hotwordBonus: options.hotwordBonus }),
          },
          options.punctuationModel,
        )
      : options.task === 'align'
        ? alignRunner(options.model)
        : captionRunner(options.model, decoding);
  // An aligned record's text is its reference: scoring one against the other says nothing.
  const keepsReferences = options.task !== 'align';
  return {
    async process(items) {
      const records: BatchRecord[] = [];
      const loaded: { item: BatchItem; data: unknown }[] = [];
      for (const item of items) {
        if (item.error) {
          records.push({ id: item.id, input: item.input, error: item.error });
          continue;
        }
        try {
          loaded.push({ item, data: await run.load(item) });
        } catch (error) {
          records.push({ id: item.id, input: item.input, error: message(error) });
        }
      }
      const started = performance.now();
      const finish = (chunk: typeof loaded) => {
        const outputs = run.infer(chunk.map((l) => l.data));
        const share = (performance.now() - started) / 1000 / Math.max(1, chunk.length);
        chunk.forEach(({ item }, i) => {
          records.push({
            id: item.id,
            input: item.input,
            ...outputs[i]!,
            ...(item.references && keepsReferences ? { references: item.references } : {}),
            seconds: Number(share.toFixed(4)),
          });
        });
      };
      try {
        finish(loaded);
      } catch {
        for (const one of loaded) {
          try {
            finish([one]);
          } catch (error) {
            records.push({ id: one.item.id, input: one.item.input, error: message(error) });
          }
        }
      }
      return records;
    },
    dispose: () => run.dispose(),
  };
}

interface Runner {
  load(item: BatchItem): Promise<unknown>;
  infer(data: unknown[]): Partial<BatchRecord>[];
  dispose(): void;
}

function asrRunner(model: string, decoding: TranscribeOptions, punctuationModel?: string): Runner {
  const punctuation = punctuationModel ? loadPunctuation(punctuationModel) : undefined;
  const pipeline = createAsrPipeline(model);
  return {
    load: (item) => pipeline.load(item.input),
    infer: (audio) =>
      pipeline
        .transcribeAudio(audio as Parameters<typeof pipeline.transcribeAudio>[0], decoding)
        .map((t) => (punctuation ? punctuateTranscript(punctuation, t) : t))
        .map((t) => ({ text: t.text, duration: Number(t.duration.toFixed(3)) })),
    dispose: () => {
      pipeline.dispose();
      punctuation?.dispose();
    },
  };
}

function captionRunner(model: string, decoding: { beamSize: number }): Runner {
  const pipeline = createCaptionPipeline(model);
  return {
    load: async ({ input }) => ({ file: input, image: await pipeline.load(input) }),
    infer: (images) =>
      pipeline
        .captionImages(images as Parameters<typeof pipeline.captionImages>[0], decoding)
        .map((c) => ({
          caption: c.caption,
          ...(c.novelty === undefined ? {} : { novelty: c.novelty }),
        })),
    dispose: () => pipeline.dispose(),
  };
}

/** Each item's manifest `text` forced through its audio; a row without text is its error. */
function alignRunner(model: string): Runner {
  const pipeline = createAsrPipeline(model, 'none');
  return {
    load: async (item) => {
      const text = item.references?.[0];
      if (!text?.trim())
        throw new AttendError(
          `${item.input}: no text to align (align reads a manifest with a "text" for each audio)`,
        );
      return { audio: await pipeline.load(item.input), text };
    },
    infer: (data) =>
      (data as { audio: LoadedAudio; text: string }[]).map(({ audio, text }) => {
        const aligned = alignAudio(pipeline.model, audio, text, model);
        return {
          text: aligned.text,
          words: aligned.words,
          duration: Number(aligned.duration.toFixed(3)),
        };
      }),
    dispose: () => pipeline.dispose(),
  };
}
