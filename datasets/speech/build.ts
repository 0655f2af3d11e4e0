import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { resample, toMono16k } from '../../src/audio/resample.js';
import { encodeWav16 } from '../../src/audio/wav.js';
import { prng } from '../../src/util/random.js';
import { manifestAudioPaths, type SpeechItem } from '../manifest.js';
import { applyCondition, DEFAULT_SNR_DB, drawCondition } from './augment.js';
import { fortuneSentences, SENTENCE_SOURCES, type Split, sentenceSplit } from './sentences.js';
import { drawShift, synthesize, VOICES, type Voice, voiceId } from './voices.js';

export interface SpeechCorpusOptions {
  readonly out: string;
  /** Total utterances over the three splits (90% train, 5% dev, 5% test). */
  readonly utterances: number;
  readonly jobs?: number;
  readonly seed?: number;
  readonly sentences?: readonly string[];
  /** Where `sentences` came from, for corpus.json (default: Debian's fortunes, the default sentences). */
  readonly textSources?: readonly string[];
  readonly voices?: readonly Voice[];
  /**
   * Room noise SNR range in dB (default DEFAULT_SNR_DB). The SNR is of the whole signal: a voice
   * whose energy sits in its fundamental (flite's slt) has far less SNR in its formant bands.
   */
  readonly snrDb?: readonly [number, number];
  /** Build only plan items whose index ≡ index (mod count), index 0-based: one process per core. */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onItem?: (failed: boolean) => void;
}

/** The plan items this process builds (all of them without a shard). */
export function shardOf<T>(plan: readonly T[], shard?: SpeechCorpusOptions['shard']): T[] {
  return shard ? plan.filter((_, i) => i % shard.count === shard.index) : [...plan];
}

export interface PlannedUtterance {
  readonly id: string;
  readonly split: Split;
  readonly text: string;
  readonly voice: Voice;
  readonly seed: number;
}

/** An utterance's `audio` in its manifest line: relative to the corpus folder. */
const manifestAudio = (item: PlannedUtterance) => join('wav', item.split, `${item.id}.wav`);

const SHARES: Record<Split, number> = { train: 0.9, dev: 0.05, test: 0.05 };
/** Share of training utterances that are speed-perturbed, and the speed factors drawn from. */
const TRAIN_PERTURBED_SHARE = 0.7;
const TRAIN_SPEED_RANGE = [0.88, 1.2] as const;

/**
 * Which sentence each utterance says and in which voice: test sentences only in held-out voices,
 * train and dev sentences only in the others. Deterministic for a seed, so a resumed or repeated
 * build plans the same corpus.
 */
export function planCorpus(options: SpeechCorpusOptions): PlannedUtterance[] {
  const sentences = options.sentences ?? fortuneSentences();
  const voices = options.voices ?? VOICES;
  const seed = options.seed ?? 1;
  const plan: PlannedUtterance[] = [];
  for (const split of ['train', 'dev', 'test'] as const) {
    const pool = sentences.filter((s) => sentenceSplit(s) === split);
    const speakers = voices.filter((v) => v.heldOut === (split === 'test'));
    if (pool.length === 0 || speakers.length === 0) continue;
    const random = prng(seed * 7919 + split.length);
    const order = pool
      .map((s) => ({ s, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.s);
    const count = Math.round(options.utterances * SHARES[split]);
    for (let i = 0; i < count; i++) {
      const text = order[i % order.length]!;
      const voice = speakers[Math.floor(random() * speakers.length)]!;
      const id = createHash('sha1')
        .update(`${voiceId(voice)}|${text}|${i}`)
        .digest('hex')
        .slice(0, 12);
      plan.push({ id, split, text, voice, seed: seed * 100003 + plan.length });
    }
  }
  return plan;
}

async function buildOne(
  item: PlannedUtterance,
  out: string,
  snrDb: readonly [number, number],
): Promise<SpeechItem> {
  const random = prng(item.seed);
  const prosody = {
    rate: 0.8 + random() * 0.45,
    pitch: 30 + random() * 40,
    // drawn only for shifted voices, so other voices' utterances stay as earlier corpora had them
    ...(item.voice.shift ? { shift: drawShift(random, item.voice.shift) } : {}),
  };
  const audio = await synthesize(item.voice, item.text, prosody);
  const condition = drawCondition(random, snrDb);
  let speech = await toMono16k(audio);
  // Training voices only: speed perturbation scales pitch and formants together, like a shorter
  // or longer vocal tract, so the few engine voices stand in for many more speakers. Dev and test
  // draw nothing here, so they stay exactly the utterances earlier corpora had.
  if (item.split === 'train' && random() < TRAIN_PERTURBED_SHARE) {
    const speed = TRAIN_SPEED_RANGE[0] + random() * (TRAIN_SPEED_RANGE[1] - TRAIN_SPEED_RANGE[0]);
    speech = await resample(speech, Math.round(16000 * speed), 16000);
  }
  const samples = await applyCondition(speech, condition, random);
  const path = join(out, manifestAudio(item));
  writeFileSync(path, encodeWav16({ sampleRate: 16000, channels: [samples] }));
  return {
    audio: manifestAudio(item),
    text: item.text,
    duration: Number((samples.length / 16000).toFixed(3)),
    speaker: voiceId(item.voice),
  };
}

/**
 * Once every planned utterance is in the manifests, rewrites them in plan order: lines are
 * appended as utterances finish (two jobs, or shards, finish out of order), and a corpus built
 * again must list the same "first 300 test utterances". The last shard to finish sorts; writes go
 * through a temporary file and a rename.
 */
export function sortManifestsWhenComplete(
  plan: readonly PlannedUtterance[],
  manifests: Record<Split, string>,
): boolean {
  const rank = new Map(plan.map((item, i) => [manifestAudio(item), i]));
  const bySplit = (['train', 'dev', 'test'] as const).map((split) => {
    const file = manifests[split];
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line.trim())
      : [];
    const entries = new Map<string, string>();
    for (const line of lines) {
      try {
        entries.set((JSON.parse(line) as SpeechItem).audio, line);
      } catch {
        // a line cut by a crash: that utterance is missing, so the corpus is not complete
      }
    }
    return { file, entries };
  });
  if ([...rank.keys()].some((audio) => !bySplit.some(({ entries }) => entries.has(audio))))
    return false;
  for (const { file, entries } of bySplit) {
    if (entries.size === 0) continue;
    const sorted = [...entries].sort(
      (a, b) => (rank.get(a[0]) ?? Infinity) - (rank.get(b[0]) ?? Infinity),
    );
    writeFileSync(`${file}.sorting`, `${sorted.map(([, line]) => line).join('\n')}\n`);
    renameSync(`${file}.sorting`, file);
  }
  return true;
}

/**
 * Synthesises the corpus into `out`: wav/<split>/<id>.wav and <split>.jsonl manifests, one line
 * appended per finished utterance, so an interrupted build resumes where it stopped.
 */
export async function buildSpeechCorpus(
  options: SpeechCorpusOptions,
): Promise<{ written: number; skipped: number; failures: string[] }> {
  const fullPlan = planCorpus(options);
  const plan = shardOf(fullPlan, options.shard);
  const snrDb = options.snrDb ?? DEFAULT_SNR_DB;
  const manifests: Record<Split, string> = {
    train: join(options.out, 'train.jsonl'),
    dev: join(options.out, 'dev.jsonl'),
    test: join(options.out, 'test.jsonl'),
  };
  const done = new Set<string>();
  for (const split of ['train', 'dev', 'test'] as const) {
    mkdirSync(join(options.out, 'wav', split), { recursive: true });
    for (const path of await manifestAudioPaths(manifests[split])) done.add(path);
  }
  const todo = plan.filter((item) => !done.has(manifestAudio(item)));
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const item = todo[next++]!;
      try {
        const entry = await buildOne(item, options.out, snrDb);
        appendFileSync(manifests[item.split], `${JSON.stringify(entry)}\n`);
        options.onItem?.(false);
      } catch (error) {
        failures.push(
          `${item.id} (${voiceId(item.voice)}): ${error instanceof Error ? error.message : String(error)}`,
        );
        options.onItem?.(true);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 2) }, worker));
  sortManifestsWhenComplete(fullPlan, manifests);
  const textSources = options.textSources ?? [SENTENCE_SOURCES.fortunes.title];
  writeFileSync(
    join(options.out, 'corpus.json'),
    `${JSON.stringify({ source: `${textSources.join(' and ')} spoken by espeak-ng, flite and festival`, trainSpeedPerturbation: { share: TRAIN_PERTURBED_SHARE, range: TRAIN_SPEED_RANGE }, utterances: fullPlan.length, snrDb, voices: (options.voices ?? VOICES).map((v) => ({ id: voiceId(v), heldOut: v.heldOut })), seed: options.seed ?? 1 }, null, 2)}\n`,
  );
  return { written: todo.length - failures.length, skipped: plan.length - todo.length, failures };
}
