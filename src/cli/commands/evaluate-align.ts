import type { Command } from 'commander';
import { readTimedManifest } from '../../../datasets/speech/word-times.js';
import { evaluateTimings } from '../../../pipelines/asr/evaluate-timings.js';
import { createAsrPipeline, DEFAULT_ASR_MODEL } from '../../../pipelines/transcribe.js';
import type { TimingScores } from '../../metrics/word-times.js';
import { startRuntime } from '../context.js';
import { positiveInteger } from '../parse.js';
import { Progress } from '../progress.js';

interface EvalAlignOptions {
  model: string;
  data: string;
  limit?: string;
  json?: boolean;
}

const row = (label: string, s: TimingScores) =>
  `${label.padEnd(28)} ${String(s.words).padStart(5)} words  start ${(1000 * s.meanStartError).toFixed(0).padStart(4)} ms  end ${(1000 * s.meanEndError).toFixed(0).padStart(4)} ms  bias ${(1000 * s.startBias).toFixed(0)}/${(1000 * s.endBias).toFixed(0)} ms  within 50/100/200 ms: ${[s.within['0.05'], s.within['0.1'], s.within['0.2']].map((x) => `${(100 * x).toFixed(1)}%`).join(' / ')}`;

/** `attend eval align`: word-time errors against a corpus with true word times. */
export function evalAlignCommand(evaluate: Command): void {
  evaluate
    .command('align')
    .description(
      "word-time accuracy against true word times (`attend dataset timings`): forced alignment, and transcription's times from CTC and from attention",
    )
    .requiredOption('--data <file>', 'timed manifest (JSONL with "words": [{word, start, end}])')
    .option('--model <dir>', 'speech checkpoint folder', DEFAULT_ASR_MODEL)
    .option('--limit <n>', 'only the first n utterances')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalAlignOptions, command: Command) => {
      const all = readTimedManifest(options.data);
      const items = options.limit ? all.slice(0, positiveInteger('--limit', options.limit)) : all;
      await startRuntime(command);
      const pipeline = createAsrPipeline(options.model);
      const progress = new Progress(items.length, 'eval align', 'utterances');
      try {
        const report = await evaluateTimings(pipeline, items, { onItem: () => progress.tick() });
        progress.finish();
        if (options.json) {
          console.log(JSON.stringify({ checkpoint: options.model, data: options.data, ...report }));
          return;
        }
        console.log(`${report.utterances} utterances of ${options.data}, ${options.model}`);
        console.log(row('attend align (known text)', report.forced));
        console.log(row('transcribe (CTC times)', report.transcribed));
        console.log(row('transcribe, attention times', report.transcribedByAttention));
      } finally {
        pipeline.dispose();
      }
    });
}
