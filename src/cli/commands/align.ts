import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { alignAudio } from '../../../pipelines/align.js';
import { createAsrPipeline, DEFAULT_ASR_MODEL } from '../../../pipelines/transcribe.js';
import { AttendError } from '../../errors.js';
import { readStdin, STDIN } from '../../io/stdin.js';
import { WRITERS } from '../../output/writers.js';
import { startRuntime } from '../context.js';
import { emitTranscripts, longRecordingProgress } from './transcribe.js';

interface AlignOptions {
  text?: string;
  model: string;
  format: keyof typeof WRITERS;
  timestamps?: boolean;
  outputDir?: string;
}

/** The words said: --text, or the text file ('-': standard input). */
async function textToAlign(textFile: string | undefined, options: AlignOptions): Promise<string> {
  if (options.text !== undefined && textFile !== undefined)
    throw new AttendError('give the text as a file or as --text, not both');
  if (options.text !== undefined) return options.text;
  if (textFile === undefined)
    throw new AttendError(
      'what was said is missing: attend align AUDIO TEXT_FILE (or --text "...")',
    );
  if (textFile === STDIN) return (await readStdin()).toString('utf8');
  if (!existsSync(textFile)) throw new AttendError(`${textFile}: no such text file`);
  return readFileSync(textFile, 'utf8');
}

/** `attend align`: word times of a known text in a recording (CTC forced alignment). */
export function alignCommand(program: Command): void {
  program
    .command('align')
    .description(
      'word times of a known text in a recording (forced alignment): subtitles from a script, timings for a corpus',
    )
    .argument('<audio>', 'the recording (any format transcribe reads)')
    .argument('[text-file]', "what is said in it ('-': standard input)")
    .option('--text <words>', 'the text itself, instead of a file')
    .option('--model <dir>', 'ASR checkpoint folder (its CTC head aligns)', DEFAULT_ASR_MODEL)
    .option('--format <format>', 'tsv (a word per row), json, srt, vtt or txt', 'tsv')
    .option('--timestamps', 'txt output with [start --> end] segment times')
    .option('--output-dir <dir>', 'write <dir>/<audio>.<format> instead of printing')
    .action(
      async (
        audio: string,
        textFile: string | undefined,
        options: AlignOptions,
        command: Command,
      ) => {
        const writer = WRITERS[options.format];
        if (!writer)
          throw new AttendError(
            `--format: '${options.format}' is not one of ${Object.keys(WRITERS).join(', ')}`,
          );
        if (audio === STDIN && textFile === STDIN)
          throw new AttendError('the audio and the text cannot both come from standard input');
        const text = await textToAlign(textFile, options);
        await startRuntime(command);
        const pipeline = createAsrPipeline(options.model, 'none');
        try {
          const loaded = await pipeline.load(audio);
          const bar = longRecordingProgress(audio, 'align');
          const aligned = alignAudio(pipeline.model, loaded, text, options.model, bar.update);
          bar.finish();
          emitTranscripts([aligned], writer, options);
        } finally {
          pipeline.dispose();
        }
      },
    );
}
