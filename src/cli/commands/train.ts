import type { Command } from 'commander';
import { trainAsr } from '../../../pipelines/asr/train.js';
import { AttendError } from '../../errors.js';
import { startRuntime } from '../context.js';

const positive = (name: string, value: string): number => {
  const n = Number(value);
  if (!(n > 0)) throw new AttendError(`${name}: '${value}' is not a positive number`);
  return n;
};

export function trainCommand(program: Command): void {
  const train = program
    .command('train')
    .description('train or fine-tune a model (resumes from <out>/latest)');
  train
    .command('asr')
    .description('train a speech recogniser on a corpus folder (train.jsonl, dev.jsonl)')
    .requiredOption('--data <dir>', 'corpus folder, e.g. from `attend dataset speech`')
    .requiredOption(
      '--out <dir>',
      'checkpoint folder: best/ (the model to use) and latest/ (to resume)',
    )
    .option('--preset <name>', 'model size: small or tiny', 'small')
    .option('--steps <n>', 'stop after this many steps in total', '100000')
    .option('--max-minutes <m>', 'stop (with a checkpoint) after this long', '100000')
    .option('--batch-frames <n>', 'padded feature frames per batch', '6000')
    .option('--lr <x>', 'peak learning rate', '0.001')
    .option('--warmup <n>', 'warm-up steps', '1000')
    .option('--eval-every <n>', 'steps between dev evaluations and checkpoints', '500')
    .option('--dev-utterances <n>', 'dev utterances decoded at each evaluation', '200')
    .option('--patience <n>', 'evaluations without improvement before stopping', '10')
    .option('--seed <n>', 'data order seed', '1')
    .action(async (o: Record<string, string>, command: Command) => {
      await startRuntime(command);
      const state = await trainAsr({
        data: o.data!,
        out: o.out!,
        preset: o.preset!,
        steps: positive('--steps', o.steps!),
        maxMinutes: positive('--max-minutes', o.maxMinutes!),
        batchFrames: positive('--batch-frames', o.batchFrames!),
        peakLr: positive('--lr', o.lr!),
        warmup: positive('--warmup', o.warmup!),
        evalEvery: positive('--eval-every', o.evalEvery!),
        devUtterances: positive('--dev-utterances', o.devUtterances!),
        patience: positive('--patience', o.patience!),
        seed: Number(o.seed),
      });
      console.log(
        `stopped at step ${state.step}; best dev WER ${(state.bestWer * 100).toFixed(1)}%`,
      );
    });
}
