import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readCocoCaptions } from '../../../datasets/captions/coco.js';
import { readFlickrTokens } from '../../../datasets/captions/flickr.js';
import { buildSceneCorpus, planScenes } from '../../../datasets/scenes/build.js';
import { readAsteriskPrompts } from '../../../datasets/speech/asterisk.js';
import { DEFAULT_SNR_DB } from '../../../datasets/speech/augment.js';
import { buildSpeechCorpus, planCorpus, shardOf } from '../../../datasets/speech/build.js';
import { readLibriSpeech } from '../../../datasets/speech/librispeech.js';
import { readSentenceSources, SENTENCE_SOURCES } from '../../../datasets/speech/sentences.js';
import {
  FEMALE_F0_VOICES,
  PITCH_SHIFTED_VOICES,
  VARIED_VOICES,
  VOICES,
} from '../../../datasets/speech/voices.js';
import { buildTimedCorpus } from '../../../datasets/speech/word-times.js';
import { corpusFeatures } from '../../../pipelines/asr/feature-cache.js';
import { parseShard } from '../../../pipelines/batch/shard.js';
import { DEFAULT_FEATURES, type FeatureConfig } from '../../audio/features.js';
import { AttendError } from '../../errors.js';
import { readModelFile } from '../../io/checkpoint.js';
import type { AsrConfig } from '../../models/asr.js';
import { writeJsonl } from '../../util/jsonl.js';
import { startRuntime } from '../context.js';
import { namedChoices, numberRange, positiveInteger } from '../parse.js';
import { Progress } from '../progress.js';

interface SpeechOptions {
  out: string;
  utterances: string;
  jobs: string;
  seed: string;
  voices: string;
  text: string;
  snr: string;
  shard?: string;
}

export function datasetCommand(program: Command): void {
  const dataset = program.command('dataset').description('build training data');
  dataset
    .command('speech')
    .description('synthesise a read-speech corpus with espeak-ng, flite and festival (resumable)')
    .requiredOption('--out <dir>', 'output folder (wav/ and train/dev/test.jsonl)')
    .option('--utterances <n>', 'total utterances over the three splits', '10000')
    .option('--jobs <n>', 'synthesis processes at once', '2')
    .option('--seed <n>', 'corpus seed', '1')
    .option(
      '--shard <i/n>',
      'build only the i-th of every n utterances (1 <= i <= n): n processes, one per core, into the same --out',
    )
    .option(
      '--voices <sets>',
      "comma-separated: 'default' (train, dev and held-out test voices); extra training-only speakers (train and dev only): 'pitch-shifted' (flite and festival voices raised 700 cents) or 'varied' (more espeak-ng accent+variant pairs; flite and festival voices with female-like formant and pitch shifts) or 'female-f0' (flite awb and kal16 speaking at a female F0 themselves, formants raised)",
      'default',
    )
    .option(
      '--text <sources>',
      `comma-separated sentence sources: ${Object.entries(SENTENCE_SOURCES)
        .map(([name, source]) => `'${name}' (apt: ${source.packages})`)
        .join(', ')}; each sentence keeps its fixed split whatever the source`,
      'fortunes',
    )
    .option(
      '--snr <low,high>',
      'room noise SNR range in dB, drawn per utterance (of the whole signal: lower it to train for voices whose formants are weak)',
      DEFAULT_SNR_DB.join(','),
    )
    .action(async (options: SpeechOptions) => {
      const utterances = positiveInteger('--utterances', options.utterances);
      const voices = namedChoices('--voices', options.voices, {
        default: VOICES,
        'pitch-shifted': PITCH_SHIFTED_VOICES,
        varied: VARIED_VOICES,
        'female-f0': FEMALE_F0_VOICES,
      }).flat();
      const textSources = namedChoices('--text', options.text, SENTENCE_SOURCES);
      const sentences = readSentenceSources(textSources);
      const settings = {
        out: options.out,
        utterances,
        jobs: Number(options.jobs),
        seed: Number(options.seed),
        voices,
        sentences,
        textSources: textSources.map((source) => source.title),
        snrDb: numberRange('--snr', options.snr),
        shard: options.shard === undefined ? undefined : parseShard(options.shard),
      };
      const total = shardOf(planCorpus(settings), settings.shard).length;
      const progress = new Progress(total, 'speech corpus', 'utt');
      const result = await buildSpeechCorpus({
        ...settings,
        onItem: (failed) => progress.tick(failed),
      });
      progress.finish();
      console.log(
        `wrote ${result.written}, already there ${result.skipped}, failed ${result.failures.length}`,
      );
      for (const failure of result.failures.slice(0, 10)) console.log(`  failed: ${failure}`);
      if (result.failures.length) process.exitCode = 1;
    });
  dataset
    .command('scenes')
    .description('render a captioned scene corpus: shapes, colours, sizes, counts, relations')
    .requiredOption('--out <dir>', 'output folder (images/ and train/dev/test.jsonl)')
    .option('--train <n>', 'training scenes', '20000')
    .option(
      '--eval <n>',
      'dev scenes and test scenes (half of test holds held-out combinations)',
      '1000',
    )
    .option('--size <px>', 'image side in pixels', '64')
    .option('--seed <n>', 'corpus seed', '1')
    .action(async (options: Record<string, string>) => {
      const settings = {
        out: options.out!,
        trainScenes: positiveInteger('--train', options.train!),
        evalScenes: positiveInteger('--eval', options.eval!),
        imageSize: positiveInteger('--size', options.size!),
        seed: Number(options.seed),
      };
      const progress = new Progress(planScenes(settings).length, 'scene corpus', 'images');
      const counts = await buildSceneCorpus({ ...settings, onItem: () => progress.tick() });
      progress.finish();
      console.log(
        `train ${counts.train}, dev ${counts.dev}, test ${counts.test} scenes in ${settings.out}`,
      );
    });
  dataset
    .command('captions')
    .description(
      'turn a COCO captions JSON or a Flickr8k/30k token file into a caption manifest (JSONL)',
    )
    .option('--coco <file>', 'e.g. annotations/captions_train2017.json')
    .option('--flickr <file>', 'e.g. Flickr8k.token.txt')
    .option(
      '--split-list <file>',
      'Flickr: only the images this list names (e.g. Flickr_8k.trainImages.txt)',
    )
    .requiredOption('--images <dir>', 'folder holding the images')
    .requiredOption('--out <file>', 'manifest to write, e.g. data/coco/train.jsonl')
    .action(
      (options: {
        coco?: string;
        flickr?: string;
        splitList?: string;
        images: string;
        out: string;
      }) => {
        if (Boolean(options.coco) === Boolean(options.flickr))
          throw new AttendError('give exactly one of --coco or --flickr');
        const items = options.coco
          ? readCocoCaptions(options.coco, options.images)
          : readFlickrTokens(options.flickr!, options.images, options.splitList);
        writeJsonl(options.out, items);
        console.log(
          `${items.length} images, ${items.reduce((n, i) => n + i.captions.length, 0)} captions in ${options.out}`,
        );
      },
    );
  dataset
    .command('librispeech')
    .description(
      'turn a LibriSpeech subset folder (e.g. LibriSpeech/dev-clean) into a speech manifest (JSONL)',
    )
    .requiredOption('--root <dir>', 'the subset folder')
    .requiredOption('--out <file>', 'manifest to write, e.g. data/librispeech/dev.jsonl')
    .action((options: { root: string; out: string }) => {
      const items = readLibriSpeech(options.root);
      writeJsonl(options.out, items);
      const hours = items.reduce((sum, item) => sum + item.duration, 0) / 3600;
      console.log(`${items.length} utterances (${hours.toFixed(2)} h) in ${options.out}`);
      // A transcript line whose FLAC is absent fails training hours later: say so now.
      const unread = items.filter((item) => item.duration === 0);
      if (unread.length > 0) {
        console.warn(
          `attend: ${unread.length} listed FLAC file(s) missing or unreadable, e.g. ${unread[0]!.audio}`,
        );
      }
    });
  dataset
    .command('asterisk')
    .description(
      "real recorded speech from Debian's Asterisk prompts (8 kHz, one speaker): train/dev/test.jsonl",
    )
    .requiredOption('--out <dir>', 'corpus folder for the manifests (the WAVs stay in /usr/share)')
    .action((options: { out: string }) => {
      const items = readAsteriskPrompts();
      mkdirSync(options.out, { recursive: true });
      for (const split of ['train', 'dev', 'test'] as const) {
        const chosen = items.filter((i) => i.split === split).map(({ split: _, ...item }) => item);
        writeJsonl(join(options.out, `${split}.jsonl`), chosen);
      }
      console.log(`${items.length} prompts in ${options.out}`);
    });
  dataset
    .command('timings')
    .description(
      "a word-timing test set: held-out sentences spoken by festival's voices with each word's true start and end (<out>/timed.jsonl, for `attend eval align`)",
    )
    .requiredOption('--out <dir>', 'corpus folder (wav/ and timed.jsonl)')
    .option('--utterances <n>', 'sentences, shared among the installed voices', '150')
    .option('--seed <n>', 'which sentences', '1')
    .action(async (options: { out: string; utterances: string; seed: string }) => {
      const { written, voices } = await buildTimedCorpus({
        out: options.out,
        utterances: positiveInteger('--utterances', options.utterances),
        seed: positiveInteger('--seed', options.seed),
      });
      console.log(
        `${written} utterances (${voices.join(', ')}) in ${join(options.out, 'timed.jsonl')}`,
      );
    });
  dataset
    .command('features')
    .description(
      "compute a speech corpus's features into <dir>/cache once, where `attend train asr` finds them (one process a corpus, in parallel)",
    )
    .requiredOption('--data <dir...>', 'corpus folders (train.jsonl, dev.jsonl, ...)')
    .option('--splits <list>', 'which manifests of each corpus', 'train,dev')
    .option(
      '--model <dir>',
      "the feature settings of this speech checkpoint (default: the presets', 80-band log-mel)",
    )
    .action(
      async (options: { data: string[]; splits: string; model?: string }, command: Command) => {
        // The log-mel's DFT is a matrix product on the current backend: without this it runs on
        // tfjs's pure-JS cpu backend, about 400 ms an utterance instead of a few.
        const runtime = await startRuntime(command);
        console.log(`backend: ${runtime.backend}`);
        const splits = options.splits.split(',').map((split) => {
          if (split !== 'train' && split !== 'dev' && split !== 'test')
            throw new AttendError(`--splits: '${split}' is not train, dev or test`);
          return split;
        });
        const features = options.model ? checkpointFeatures(options.model) : DEFAULT_FEATURES;
        for (const corpus of options.data)
          for (const split of splits) {
            const manifest = join(corpus, `${split}.jsonl`);
            const cache = await corpusFeatures(corpus, split, features);
            const frames = cache.utterances.reduce((sum, u) => sum + u.frames, 0);
            const unreadable = cache.failures.length
              ? `, ${cache.failures.length} unreadable (left out of training)`
              : '';
            const how = cache.reused ? 'already cached' : 'cached';
            console.log(
              `${manifest}: ${cache.utterances.length} utterances, ${frames} frames ${how}${unreadable}`,
            );
            for (const failure of cache.failures.slice(0, 10))
              console.log(`  unreadable: ${failure}`);
          }
      },
    );
}

/** The feature settings a speech checkpoint was trained with (its model.json, weights untouched). */
function checkpointFeatures(dir: string): FeatureConfig {
  const config = readModelFile(dir).config as Partial<AsrConfig> | undefined;
  if (config?.task !== 'asr' || !config.features)
    throw new AttendError(`${dir}: not a speech checkpoint (its model.json has no ASR config)`);
  return config.features;
}
