import type { Command } from 'commander';
import { readSpeechManifest } from '../../../datasets/manifest.js';
import { createAsrPipeline } from '../../../pipelines/transcribe.js';
import { isUserFacing } from '../../errors.js';
import { charErrorRate, wordErrorRate } from '../../metrics/edit-distance.js';
import { startRuntime } from '../context.js';
import { Progress } from '../progress.js';
import { DEFAULT_ASR_MODEL } from './transcribe.js';

interface EvalOptions {
  model: string;
  data: string;
  beam: string;
  limit?: string;
  json?: boolean;
}

export function evalCommand(program: Command): void {
  const evaluate = program.command('eval').description('measure a model on held-out data');
  evaluate
    .command('asr')
    .description('WER and CER of a speech model on a JSONL manifest (audio, text)')
    .requiredOption('--data <manifest>', 'e.g. <corpus>/test.jsonl')
    .option('--model <dir>', 'ASR checkpoint folder', DEFAULT_ASR_MODEL)
    .option('--beam <n>', 'beam size (1 = greedy)', '4')
    .option('--limit <n>', 'only the first N utterances')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalOptions, command: Command) => {
      await startRuntime(command);
      const items = readSpeechManifest(options.data).slice(
        0,
        options.limit ? Number(options.limit) : undefined,
      );
      const pipeline = createAsrPipeline(options.model);
      const pairs: [string, string][] = [];
      const failures: string[] = [];
      const progress = new Progress(items.length, 'eval asr', 'utt');
      const started = performance.now();
      let audioSeconds = 0;
      try {
        for (const item of items) {
          try {
            const [result] = await pipeline.transcribe([item.audio], {
              beamSize: Number(options.beam),
            });
            pairs.push([item.text, result!.text]);
            audioSeconds += result!.duration;
            progress.tick();
          } catch (error) {
            if (!isUserFacing(error)) throw error;
            failures.push(error.message);
            progress.tick(true);
          }
        }
      } finally {
        progress.finish();
        pipeline.dispose();
      }
      const wer = wordErrorRate(pairs);
      const cer = charErrorRate(pairs);
      const rtf = (performance.now() - started) / 1000 / Math.max(audioSeconds, 1e-9);
      const summary = {
        model: options.model,
        data: options.data,
        utterances: pairs.length,
        failures: failures.length,
        beam: Number(options.beam),
        wer: wer.rate,
        cer: cer.rate,
        rtf,
      };
      if (options.json) {
        console.log(JSON.stringify(summary));
      } else {
        console.log(`${pairs.length} utterances (${failures.length} failed), beam ${options.beam}`);
        console.log(
          `WER ${(wer.rate * 100).toFixed(2)}% (${wer.errors}/${wer.total})  CER ${(cer.rate * 100).toFixed(2)}% (${cer.errors}/${cer.total})  RTF ${rtf.toFixed(3)}`,
        );
        for (const [ref, hyp] of pairs.slice(0, 5)) console.log(`  ref: ${ref}\n  hyp: ${hyp}`);
      }
      if (failures.length) process.exitCode = 1;
    });
}
