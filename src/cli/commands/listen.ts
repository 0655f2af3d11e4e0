import { createReadStream, existsSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { type LiveUtterance, transcribeStream } from '../../../pipelines/listen.js';
import { listenUrl, transcribeRemotely } from '../../../pipelines/listen-remote.js';
import { loadPunctuation } from '../../../pipelines/punctuate.js';
import { createAsrPipeline, DEFAULT_ASR_MODEL } from '../../../pipelines/transcribe.js';
import { AttendError } from '../../errors.js';
import { STDIN } from '../../io/stdin.js';
import { subtitleCue, VTT_HEADER } from '../../output/writers.js';
import { AsyncQueue } from '../../util/async-queue.js';
import { startRuntime } from '../context.js';
import { positiveInteger, positiveNumber } from '../parse.js';
import { type WordingFlags, wordingFlags, wordingOptions } from './transcribe.js';

interface ListenFlags extends WordingFlags {
  model: string;
  beam?: string;
  format: string;
  raw?: string;
  rawChannels: string;
  pause: string;
  maxSeconds: string;
  partial?: string;
  server?: string;
}

/** The stream to read: standard input (refused when it is a terminal), a file or a FIFO. */
function openSource(source: string): { name: string; stream: Readable } {
  if (source === STDIN) {
    if (process.stdin.isTTY)
      throw new AttendError(
        `${STDIN}: standard input is a terminal; pipe a recorder into it (sox -d -t wav - | attend listen)`,
      );
    return { name: 'standard input', stream: process.stdin };
  }
  if (!existsSync(source)) throw new AttendError(`${source}: no such file`);
  if (statSync(source).isDirectory()) throw new AttendError(`${source}: is a folder, not a stream`);
  return { name: source, stream: createReadStream(source) };
}

/**
 * The stream's chunks until it ends or the user stops listening (Ctrl-C, SIGTERM): a stop ends
 * the stream as its end would, so the utterance in progress is still transcribed and printed.
 */
function untilInterrupted(stream: Readable): AsyncIterable<Uint8Array> {
  const chunks = new AsyncQueue<Uint8Array>();
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => chunks.end());
  stream.on('error', (error) => chunks.fail(error));
  const stop = () => {
    stream.destroy();
    chunks.end();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return chunks;
}

const FORMATS = ['txt', 'json', 'srt', 'vtt'] as const;
type ListenFormat = (typeof FORMATS)[number];

/**
 * Prints utterances as they come: JSON a line each; text as `[start --> end] text`, interim ones
 * starting "~ " (on a terminal, rewritten in place until the utterance is finished); SRT and
 * WebVTT a cue per finished utterance (a live recording's subtitles, `> live.srt`).
 */
function utteranceWriter(format: ListenFormat): (u: LiveUtterance) => void {
  const terminal = Boolean(process.stdout.isTTY);
  let cues = 0;
  return (u) => {
    if (format === 'json') console.log(JSON.stringify(u));
    else if (format === 'srt' || format === 'vtt') {
      if (u.partial) return;
      if (format === 'vtt' && cues === 0) process.stdout.write(VTT_HEADER);
      console.log(subtitleCue(format, ++cues, u.start, u.end, u.text));
    } else {
      const line = `${u.partial ? '~ ' : ''}[${u.start.toFixed(2)} --> ${u.end.toFixed(2)}] ${u.text}`;
      if (terminal) process.stdout.write(`\r\x1b[K${line}${u.partial ? '' : '\n'}`);
      else console.log(line);
    }
  };
}

export function listenCommand(program: Command): void {
  const command = program
    .command('listen')
    .description(
      'live speech to text: reads a WAV (or raw PCM) stream and prints each utterance once its pause arrives',
    )
    .argument('[source]', "'-' (standard input) or a file or FIFO to read as a stream", STDIN)
    .option('--model <dir>', 'ASR checkpoint folder', DEFAULT_ASR_MODEL)
    .option('--beam <n>', "beam size (1 = greedy; default: the model's decoding.json, else 4)")
    .option(
      '--format <format>',
      'txt ([start --> end] text), json (a line per utterance), srt or vtt (a cue per utterance)',
      'txt',
    )
    .option('--raw <rate>', 'headerless signed 16-bit little-endian PCM at this sample rate')
    .option('--raw-channels <n>', 'channels of --raw input', '1')
    .option('--pause <seconds>', 'a pause this long ends an utterance', '0.5')
    .option('--max-seconds <s>', 'longest utterance before a cut at its quietest moment', '10')
    .option(
      '--server <url>',
      'send the stream to an attend serve (ws://HOST:8080) and print what it answers; nothing is loaded here',
    )
    .option(
      '--partial <seconds>',
      'also show the utterance in progress every this many seconds (a line starting "~ ", rewritten in place on a terminal; JSON: "partial": true)',
    );
  wordingFlags(command).action(async (source: string, options: ListenFlags, command: Command) => {
    if (!(FORMATS as readonly string[]).includes(options.format))
      throw new AttendError(`--format: '${options.format}' is not one of ${FORMATS.join(', ')}`);
    const raw = options.raw
      ? {
          sampleRate: positiveInteger('--raw', options.raw),
          channels: positiveInteger('--raw-channels', options.rawChannels),
        }
      : undefined;
    const pauseSeconds = positiveNumber('--pause', options.pause);
    const maxSeconds = positiveNumber('--max-seconds', options.maxSeconds);
    const { name, stream } = openSource(source);
    const chunks = untilInterrupted(stream);
    const show = utteranceWriter(options.format as ListenFormat);
    if (options.server) {
      const { hotwords, hotwordBonus, punctuationModel } = wordingOptions(options);
      const url = listenUrl(options.server, {
        name,
        raw: raw ? String(raw.sampleRate) : undefined,
        'raw-channels': raw ? String(raw.channels) : undefined,
        pause: String(pauseSeconds),
        'max-seconds': String(maxSeconds),
        partial: options.partial,
        beam: options.beam,
        hotwords: hotwords?.join(','),
        'hotword-bonus': hotwords ? String(hotwordBonus) : undefined,
        punctuate: punctuationModel ? '1' : undefined,
      });
      for await (const u of transcribeRemotely(url, chunks)) show(u);
      return;
    }
    await startRuntime(command);
    const { punctuationModel, ...hotwords } = wordingOptions(options);
    const punctuation = punctuationModel ? loadPunctuation(punctuationModel) : undefined;
    const pipeline = createAsrPipeline(options.model);
    try {
      const utterances = transcribeStream(pipeline, chunks, {
        name,
        ...(raw ? { raw } : {}),
        pauseSeconds,
        maxSeconds,
        ...(options.partial
          ? { partialSeconds: positiveNumber('--partial', options.partial) }
          : {}),
        ...(punctuation ? { punctuation } : {}),
        decoding: {
          ...(options.beam ? { beamSize: positiveInteger('--beam', options.beam) } : {}),
          ...hotwords,
        },
      });
      for await (const u of utterances) show(u);
    } finally {
      pipeline.dispose();
      punctuation?.dispose();
    }
  });
}
