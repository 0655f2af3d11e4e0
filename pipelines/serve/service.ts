import { AttendError } from '../../src/errors.js';
import type { PunctuationModel } from '../../src/models/punctuation.js';
import { alignAudio } from '../align.js';
import { type CaptionPipeline, type CaptionResult, createCaptionPipeline } from '../caption.js';
import { type ListenOptions, type LiveUtterance, transcribeStream } from '../listen.js';
import { loadPunctuation, punctuateTranscript } from '../punctuate.js';
import { MicroBatcher } from '../queue/micro-batcher.js';
import {
  type AsrPipeline,
  createAsrPipeline,
  type LoadedAudio,
  type Transcript,
} from '../transcribe.js';

/** What one transcription request may choose; the checkpoint's decoding.json fills the rest. */
export interface TranscribeSettings {
  readonly beamSize?: number;
  readonly hotwords?: readonly string[];
  readonly hotwordBonus?: number;
}

export interface CaptionSettings {
  readonly beamSize: number;
}

/** Counters /health reports: batches < requests shows concurrent requests were batched. */
export interface ServiceStats {
  transcribe: { requests: number; batches: number };
  caption: { requests: number; batches: number };
  align: { requests: number };
  listen: { sessions: number };
}

/** An item's result, or the error that belongs to it alone. */
type Outcome<O> = { ok: O } | { error: unknown };

interface Pending<I, S> {
  readonly input: I;
  readonly settings: S;
}

/**
 * Runs a micro-batch: items with the same settings (beam, hotwords) go through the model
 * together. If a group fails, each of its items is tried alone, so that one poisonous input
 * cannot fail the requests that happened to share its batch.
 */
export async function runGrouped<I, S, O>(
  items: readonly Pending<I, S>[],
  infer: (inputs: I[], settings: S) => O[] | Promise<O[]>,
  onBatch: () => void,
): Promise<Outcome<O>[]> {
  const outcomes: Outcome<O>[] = new Array(items.length);
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = JSON.stringify(item.settings);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const indices of groups.values()) {
    const settings = items[indices[0]!]!.settings;
    onBatch();
    try {
      const outputs = await infer(
        indices.map((i) => items[i]!.input),
        settings,
      );
      indices.forEach((i, k) => {
        outcomes[i] = { ok: outputs[k]! };
      });
    } catch {
      for (const i of indices) {
        try {
          const [output] = await infer([items[i]!.input], settings);
          outcomes[i] = { ok: output! };
        } catch (error) {
          outcomes[i] = { error };
        }
      }
    }
  }
  return outcomes;
}

function unwrap<O>(outcome: Outcome<O>): O {
  if ('error' in outcome) throw outcome.error;
  return outcome.ok;
}

export interface ServiceOptions {
  readonly models: { readonly transcribe: string; readonly caption: string };
  /** Most requests of one task put through the model together. */
  readonly batchSize: number;
  /** How long the first request of a batch waits for company (ms). */
  readonly waitMs: number;
  /** A punctuation checkpoint for `punctuate=1`; absent: such requests are refused. */
  readonly punctuationModel?: string;
}

/**
 * The models a server holds, loaded once, and the micro-batchers that put concurrent requests
 * through them together (the queue worker's MicroBatcher: a batch runs while the next gathers).
 */
export class ModelService {
  readonly stats: ServiceStats = {
    transcribe: { requests: 0, batches: 0 },
    caption: { requests: 0, batches: 0 },
    align: { requests: 0 },
    listen: { sessions: 0 },
  };
  private readonly asr: AsrPipeline;
  private readonly captioner: CaptionPipeline;
  private readonly punctuation: PunctuationModel | undefined;
  private readonly transcriptions: MicroBatcher<
    Pending<LoadedAudio, TranscribeSettings>,
    Outcome<Transcript>
  >;
  private readonly captions: MicroBatcher<
    Pending<{ file: string; image: Awaited<ReturnType<CaptionPipeline['load']>> }, CaptionSettings>,
    Outcome<CaptionResult>
  >;

  constructor(readonly options: ServiceOptions) {
    this.asr = createAsrPipeline(options.models.transcribe);
    try {
      this.captioner = createCaptionPipeline(options.models.caption);
    } catch (error) {
      this.asr.dispose();
      throw error;
    }
    try {
      this.punctuation = options.punctuationModel
        ? loadPunctuation(options.punctuationModel)
        : undefined;
    } catch (error) {
      this.dispose();
      throw error;
    }
    this.transcriptions = this.batcher(
      (audio, settings) => this.asr.transcribeAudio(audio, settings),
      this.stats.transcribe,
    );
    this.captions = this.batcher(
      (images, settings) => this.captioner.captionImages(images, settings),
      this.stats.caption,
    );
  }

  /** A micro-batcher of one task's requests, counting its batches in `stats`. */
  private batcher<I, S, O>(
    infer: (inputs: I[], settings: S) => O[],
    stats: { batches: number },
  ): MicroBatcher<Pending<I, S>, Outcome<O>> {
    return new MicroBatcher(
      (items) =>
        runGrouped(items, infer, () => {
          stats.batches++;
        }),
      this.options.batchSize,
      this.options.waitMs,
    );
  }

  private checkPunctuation(punctuate: boolean): void {
    if (punctuate && !this.punctuation)
      throw new AttendError(
        'punctuate: this server has no punctuation model (attend serve --punctuation-model DIR)',
      );
  }

  /**
   * Decodes an upload (errors name it) and transcribes it in the next batch; `punctuate` writes
   * the text as sentences.
   */
  async transcribe(
    bytes: Uint8Array,
    name: string,
    settings: TranscribeSettings,
    punctuate = false,
  ): Promise<Transcript> {
    this.stats.transcribe.requests++;
    this.checkPunctuation(punctuate);
    const audio = await this.asr.loadBytes(bytes, name);
    const transcript = unwrap(await this.transcriptions.add({ input: audio, settings }));
    return punctuate ? punctuateTranscript(this.punctuation!, transcript) : transcript;
  }

  /**
   * Where each word of `text` is said in an upload (forced alignment, `attend align`'s). Not
   * batched: the search is per recording, and its encoder pass is a few ms a second of audio.
   */
  async align(bytes: Uint8Array, name: string, text: string): Promise<Transcript> {
    this.stats.align.requests++;
    const audio = await this.asr.loadBytes(bytes, name);
    return alignAudio(this.asr.model, audio, text, this.options.models.transcribe);
  }

  /** Decodes an uploaded image (errors name it) and captions it in the next batch. */
  async caption(bytes: Buffer, name: string, settings: CaptionSettings): Promise<CaptionResult> {
    this.stats.caption.requests++;
    const image = await this.captioner.loadBytes(bytes, name);
    return unwrap(await this.captions.add({ input: { file: name, image }, settings }));
  }

  /** Live transcription of a stream (attend listen's), with this server's models. */
  listen(
    chunks: AsyncIterable<Uint8Array>,
    options: Omit<ListenOptions, 'punctuation'>,
    punctuate: boolean,
  ): AsyncGenerator<LiveUtterance> {
    this.checkPunctuation(punctuate);
    this.stats.listen.sessions++;
    return transcribeStream(this.asr, chunks, {
      ...options,
      ...(punctuate ? { punctuation: this.punctuation! } : {}),
    });
  }

  /** The caption's attention figure (PNG), drawn over the uploaded image. */
  attentionMap(result: CaptionResult, bytes: Buffer): Promise<Buffer> {
    return this.captioner.attentionMap(result, bytes);
  }

  dispose(): void {
    this.asr.dispose();
    this.captioner?.dispose();
    this.punctuation?.dispose();
  }
}
