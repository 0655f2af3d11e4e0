import type { Command } from 'commander';
import { readSentenceSources, SENTENCE_SOURCES } from '../../../datasets/speech/sentences.js';
import { type MixedCorpus, parseMixedCorpus, trainAsr } from '../../../pipelines/asr/train.js';
import { fitCaptionDomain } from '../../../pipelines/caption/domain.js';
import { trainCaption } from '../../../pipelines/caption/train.js';
import { trainTokenLm } from '../../../pipelines/lm/train.js';
import { trainPunctuation } from '../../../pipelines/punctuation/train.js';
import { AttendError } from '../../errors.js';
import { averageCheckpoints } from '../../io/average-checkpoints.js';
import type { LoopSettings } from '../../train/loop.js';
import { NOVELTY_MARGIN } from '../../vision/image-domain.js';
import { startRuntime } from '../context.js';
import {
  namedChoices,
  nonNegativeInteger,
  nonNegativeNumber,
  numberRange,
  positiveInteger,
  positiveNumber,
} from '../parse.js';

/** `--vtlp 0.9,1.1` → [0.9, 1.1]; `off` → undefined. */
function warpRange(text: string): readonly [number, number] | undefined {
  if (text === 'off') return undefined;
  const [low, high] = numberRange('--vtlp', text);
  if (!(low > 0.5 && high < 2))
    throw new AttendError(`--vtlp: '${text}' is not 'off' or LOW,HIGH within 0.5-2 (e.g. 0.9,1.1)`);
  return [low, high];
}

interface LmCommandOptions {
  data: string[];
  model: string;
  order: string;
  weight: string;
  text?: string;
  textFile: string[];
  out?: string;
  wordOrder?: string;
  smoothing: string;
  wordSmoothing: string;
}

/** The n-gram smoothings `train lm` offers. */
const SMOOTHINGS = { 'kneser-ney': 'kneser-ney', 'witten-bell': 'witten-bell' } as const;

export function trainCommand(program: Command): void {
  const train = program
    .command('train')
    .description('train or fine-tune a model (resumes from <out>/latest)');
  const loopOptions = (
    command: Command,
    defaults: { lr: string; warmup: string; evalEvery: string },
  ) =>
    command
      .requiredOption(
        '--out <dir>',
        'checkpoint folder: best/ (the model to use) and latest/ (to resume)',
      )
      .option('--steps <n>', 'stop after this many steps in total', '100000')
      .option('--max-minutes <m>', 'stop (with a checkpoint) after this long', '100000')
      .option('--lr <x>', 'peak learning rate', defaults.lr)
      .option('--warmup <n>', 'warm-up steps', defaults.warmup)
      .option(
        '--cooldown <n>',
        'anneal the rate linearly to zero over the last N steps before --steps (0: off)',
        '0',
      )
      .option(
        '--eval-every <n>',
        'steps between dev evaluations and checkpoints',
        defaults.evalEvery,
      )
      .option('--patience <n>', 'evaluations without improvement before stopping', '10')
      .option(
        '--snapshots <n>',
        "keep the model of the last N evaluations in <out>/snapshots (for 'attend train average')",
        '0',
      )
      .option('--seed <n>', 'data order seed', '1')
      .option(
        '--init <checkpoint>',
        'fine-tune: start from this model (its size and tokens; --preset is not used) with a fresh optimizer and schedule',
      );
  const loopSettings = (o: Record<string, string>): LoopSettings => ({
    out: o.out!,
    steps: positiveNumber('--steps', o.steps!),
    maxMinutes: positiveNumber('--max-minutes', o.maxMinutes!),
    peakLr: positiveNumber('--lr', o.lr!),
    warmup: positiveNumber('--warmup', o.warmup!),
    cooldown: nonNegativeInteger('--cooldown', o.cooldown!),
    evalEvery: positiveNumber('--eval-every', o.evalEvery!),
    patience: positiveNumber('--patience', o.patience!),
    snapshots: nonNegativeInteger('--snapshots', o.snapshots!),
    seed: Number(o.seed),
    ...(o.init === undefined ? {} : { init: o.init }),
  });
  loopOptions(
    train
      .command('asr')
      .description('train a speech recogniser on a corpus folder (train.jsonl, dev.jsonl)')
      .requiredOption('--data <dir>', 'corpus folder, e.g. from `attend dataset speech`')
      .option('--preset <name>', 'model size: small or tiny', 'small')
      .option('--batch-frames <n>', 'padded feature frames per batch', '6000')
      .option('--dev-utterances <n>', 'dev utterances decoded at each evaluation', '200')
      .option(
        '--tokenizer <kind>',
        "'chars', or 'bpe:N' for N subword tokens learned from the training text",
        'chars',
      )
      .option(
        '--mix <dir>',
        'another corpus whose train.jsonl joins training, e.g. real speech from `attend dataset asterisk`; DIR:N adds N copies per epoch (repeatable)',
        (value: string, all: MixedCorpus[]) => [...all, parseMixedCorpus(value)],
        [] as MixedCorpus[],
      )
      .option(
        '--vtlp <low,high>',
        "vocal tract length perturbation: warp factors drawn per utterance, or 'off'",
        '0.9,1.1',
      ),
    { lr: '0.001', warmup: '1000', evalEvery: '500' },
  ).action(async (o: Record<string, string>, command: Command) => {
    await startRuntime(command);
    const state = await trainAsr({
      ...loopSettings(o),
      data: o.data!,
      preset: o.preset!,
      batchFrames: positiveNumber('--batch-frames', o.batchFrames!),
      devUtterances: positiveNumber('--dev-utterances', o.devUtterances!),
      mix: (o as unknown as { mix: MixedCorpus[] }).mix,
      tokenizer: o.tokenizer!,
      vtlp: warpRange(o.vtlp!),
    });
    console.log(`stopped at step ${state.step}; best dev WER ${(state.best * 100).toFixed(1)}%`);
  });
  loopOptions(
    train
      .command('caption')
      .description('train an image captioner on a corpus folder (train.jsonl, dev.jsonl)')
      .requiredOption('--data <dir>', 'corpus folder, e.g. from `attend dataset scenes`')
      .option('--preset <name>', 'model size: small or tiny', 'small')
      .option('--batch-size <n>', 'images per step', '32')
      .option('--dev-images <n>', 'dev images captioned at each evaluation', '300')
      .option('--min-word-count <n>', 'rarer training words become <unk>', '2'),
    { lr: '0.002', warmup: '300', evalEvery: '250' },
  ).action(async (o: Record<string, string>, command: Command) => {
    await startRuntime(command);
    const state = await trainCaption({
      ...loopSettings(o),
      data: o.data!,
      preset: o.preset!,
      batchSize: positiveNumber('--batch-size', o.batchSize!),
      devImages: positiveNumber('--dev-images', o.devImages!),
      minWordCount: positiveNumber('--min-word-count', o.minWordCount!),
    });
    console.log(`stopped at step ${state.step}; best dev CIDEr-D ${(-state.best).toFixed(3)}`);
  });
  loopOptions(
    train
      .command('punctuation')
      .description(
        "train punctuation and casing for transcripts on Debian's fortunes and the Asterisk prompts (transcribe --punctuate)",
      )
      .option('--preset <name>', 'model size: small or tiny', 'small')
      .option('--batch-size <n>', 'passages per step', '64')
      .option('--vocabulary <n>', 'words with their own embedding (the most frequent)', '8000')
      .option('--word-dropout <p>', 'chance a training word is read as unknown', '0.1'),
    { lr: '0.001', warmup: '500', evalEvery: '500' },
  ).action(async (o: Record<string, string>, command: Command) => {
    await startRuntime(command);
    const state = await trainPunctuation({
      ...loopSettings(o),
      preset: o.preset!,
      batchSize: positiveInteger('--batch-size', o.batchSize!),
      vocabulary: positiveInteger('--vocabulary', o.vocabulary!),
      wordDropout: nonNegativeNumber('--word-dropout', o.wordDropout!),
    });
    console.log(`stopped at step ${state.step}; best dev score ${(-state.best).toFixed(3)}`);
  });
  train
    .command('lm')
    .description(
      "count an n-gram language model over a corpus's training transcripts, in a speech model's tokens, for beam search to fuse (writes <model>/lm.json)",
    )
    .option(
      '--data <dir>',
      'corpus folder (train.jsonl counted, dev.jsonl scored); repeatable',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .requiredOption('--model <dir>', 'the speech checkpoint whose tokenizer it uses')
    .option(
      '--text-file <file>',
      'your own text (a domain: its words and phrasing), one or more sentences a line, counted whole; repeatable',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option(
      '--text <sources>',
      `comma-separated text without audio, counted too (training-split sentences only): ${Object.keys(SENTENCE_SOURCES).join(', ')}`,
    )
    .option('--order <n>', 'n-gram order (characters: 6-8)', '7')
    .option('--weight <w>', 'default fusion weight stored with it', '0.3')
    .option('--out <file>', 'where to write it (default <model>/lm.json)')
    .option(
      '--word-order <n>',
      'also count a word n-gram of this order over the same text (<model>/word-lm.json.gz), fused with look-ahead (--word-lm-weight)',
    )
    .option(
      '--smoothing <kind>',
      "the token LM's smoothing: 'witten-bell' or 'kneser-ney'",
      'witten-bell',
    )
    .option(
      '--word-smoothing <kind>',
      "the word n-gram's smoothing: 'kneser-ney' or 'witten-bell'",
      'kneser-ney',
    )
    .action((o: LmCommandOptions) => {
      const result = trainTokenLm({
        data: o.data,
        ...(o.text
          ? { text: readSentenceSources(namedChoices('--text', o.text, SENTENCE_SOURCES)) }
          : {}),
        ...(o.textFile.length ? { textFiles: o.textFile } : {}),
        model: o.model,
        order: positiveNumber('--order', o.order),
        weight: Number(o.weight),
        ...(o.out ? { out: o.out } : {}),
        ...(o.wordOrder ? { wordOrder: positiveInteger('--word-order', o.wordOrder) } : {}),
        smoothing: namedChoices('--smoothing', o.smoothing, SMOOTHINGS)[0]!,
        wordSmoothing: namedChoices('--word-smoothing', o.wordSmoothing, SMOOTHINGS)[0]!,
      });
      const dev = (value: number, digits: number) =>
        Number.isNaN(value) ? 'no dev text' : `dev ${value.toFixed(digits)}`;
      console.log(
        `${result.out}: ${result.sentences} sentences; perplexity per token: ${dev(result.devPerplexity, 3)}, train ${result.trainPerplexity.toFixed(3)}`,
      );
      if (result.words)
        console.log(
          `${result.words.out}: ${result.words.vocabulary} words; perplexity per word: ${dev(result.words.devPerplexity, 1)}`,
        );
    });
  train
    .command('domain')
    .description(
      "learn what a captioner's training images look like to its encoder, so that captions of unlike images (a photo, for a model of rendered shapes) carry a novelty above 1 and a warning (writes <model>/domain.json)",
    )
    .requiredOption('--model <dir>', 'the caption checkpoint')
    .requiredOption('--data <dir>', 'its corpus folder (train.jsonl fits, dev.jsonl checks)')
    .option('--images <n>', 'training images used', '4000')
    .option('--held-out-images <n>', 'dev images used', '1000')
    .action(async (o: Record<string, string>, command: Command) => {
      await startRuntime(command);
      const result = await fitCaptionDomain({
        model: o.model!,
        data: o.data!,
        images: positiveInteger('--images', o.images!),
        heldOutImages: positiveInteger('--held-out-images', o.heldOutImages!),
      });
      const { domain } = result;
      console.log(
        `${result.out}: ${domain.dim}-wide features of ${domain.images} training images; novelty 1 at ${NOVELTY_MARGIN}x the farthest of ${domain.heldOutImages} held-out images (their largest: ${result.heldOutMax.toFixed(2)})`,
      );
    });
  train
    .command('average')
    .description(
      'average the weights of checkpoints of one training run (e.g. its <out>/snapshots/*, kept with --snapshots): a flatter, usually better model',
    )
    .argument('<checkpoints...>', 'checkpoint folders of the same model')
    .requiredOption('--out <dir>', 'folder for the averaged checkpoint')
    .action(async (dirs: string[], o: { out: string }, command: Command) => {
      await startRuntime(command);
      const variables = await averageCheckpoints(dirs, o.out);
      console.log(`${o.out}: ${variables} variables averaged over ${dirs.length} checkpoints`);
    });
}
