import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpeechItem } from '../../datasets/manifest.js';
import { AttendError, isUserFacing } from '../../src/errors.js';
import { charErrorRate, wordErrorRate } from '../../src/metrics/edit-distance.js';
import type { AdaptationOptions } from '../../src/models/asr-adapt.js';
import type { AsrPipeline, LoadedAudio, TranscribeOptions } from '../transcribe.js';

/** The decoding settings tuned on dev data for one checkpoint (its decoding.json). */
export interface TunedDecoding {
  readonly beamSize: number;
  readonly ctcWeight: number;
  readonly lmWeight: number;
  readonly lexiconWeight?: number;
  readonly wordLmWeight?: number;
  /** Warp factors decoded per utterance (test-time VTLN); absent: no warping. */
  readonly warps?: readonly number[];
  /** Test-time adaptation per utterance (adaptToUtterance); absent: none. */
  readonly adapt?: AdaptationOptions;
  readonly tunedOn?: string;
  readonly devWer?: number;
  readonly devCer?: number;
}

export const decodingPath = (checkpoint: string) => join(checkpoint, 'decoding.json');

/** A checkpoint's tuned decoding settings, if it has them. */
export function readTunedDecoding(checkpoint: string): TunedDecoding | undefined {
  const file = decodingPath(checkpoint);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TunedDecoding;
  } catch (error) {
    throw new AttendError(`${file}: not a decoding settings file (${(error as Error).message})`);
  }
}

export interface AsrScores {
  /** [reference, hypothesis] per decoded item, in manifest order; `scored` holds their items. */
  readonly pairs: [string, string][];
  readonly scored: SpeechItem[];
  /** Each scored item's word confidences, parallel to its hypothesis's words. */
  readonly confidences: (number | undefined)[][];
  readonly failures: string[];
  readonly wer: ReturnType<typeof wordErrorRate>;
  readonly cer: ReturnType<typeof charErrorRate>;
  /** Seconds of compute per second of audio, one file at a time. */
  readonly rtf: number;
  /** WER and CER of each speaker's utterances, where the manifest names speakers. */
  readonly bySpeaker: Record<string, { utterances: number; wer: number; cer: number }>;
}

/** Scores per speaker, in the order speakers first appear. */
export function scoresBySpeaker(pairs: readonly [string, string][], speakers: readonly string[]) {
  const groups = new Map<string, [string, string][]>();
  pairs.forEach((pair, i) => {
    const speaker = speakers[i];
    if (!speaker) return; // manifests without speakers
    const group = groups.get(speaker) ?? [];
    group.push(pair);
    groups.set(speaker, group);
  });
  return Object.fromEntries(
    [...groups].map(([speaker, group]) => [
      speaker,
      {
        utterances: group.length,
        wer: wordErrorRate(group).rate,
        cer: charErrorRate(group).rate,
      },
    ]),
  );
}

/** Transcribes items one at a time (a single stream, for the real-time factor) and scores them. */
export async function scoreAsr(
  pipeline: AsrPipeline,
  items: readonly SpeechItem[],
  decoding: TranscribeOptions,
  tick: (failed: boolean) => void = () => {},
): Promise<AsrScores> {
  const pairs: [string, string][] = [];
  const scored: SpeechItem[] = [];
  const confidences: (number | undefined)[][] = [];
  const failures: string[] = [];
  let audioSeconds = 0;
  let computeSeconds = 0;
  for (const item of items) {
    try {
      const started = performance.now(); // reading and resampling the file count too
      const audio = await pipeline.load(item.audio);
      const [result] = pipeline.transcribeAudio([audio], decoding);
      computeSeconds += (performance.now() - started) / 1000;
      pairs.push([item.text, result!.text]);
      scored.push(item);
      confidences.push(result!.words.map((w) => w.confidence));
      audioSeconds += result!.duration;
      tick(false);
    } catch (error) {
      if (!isUserFacing(error)) throw error;
      failures.push(error.message);
      tick(true);
    }
  }
  return {
    pairs,
    scored,
    confidences,
    failures,
    wer: wordErrorRate(pairs),
    cer: charErrorRate(pairs),
    rtf: computeSeconds / Math.max(audioSeconds, 1e-9),
    bySpeaker: scoresBySpeaker(
      pairs,
      scored.map((item) => item.speaker),
    ),
  };
}

/** One JSON line per decoded item (audio, speaker, reference, hypothesis, word errors), for error analysis. */
export function hypothesisLines(scores: AsrScores): string {
  return scores.pairs
    .map(([reference, hypothesis], i) => {
      const item = scores.scored[i]!;
      const { errors, total } = wordErrorRate([[reference, hypothesis]]);
      const confidences = scores.confidences[i];
      return `${JSON.stringify({ audio: item.audio, speaker: item.speaker, reference, hypothesis, wordErrors: errors, words: total, ...(confidences?.length ? { confidences } : {}) })}\n`;
    })
    .join('');
}

/**
 * Grid search over the joint CTC weight and the LM weight on dev items (decoded once, in
 * batches of 8); the lowest WER (then CER) wins and is written to <checkpoint>/decoding.json.
 */
export async function tuneDecoding(
  pipeline: AsrPipeline,
  checkpoint: string,
  items: readonly SpeechItem[],
  grid: {
    beamSize: number;
    ctcWeights: readonly number[];
    lmWeights: readonly number[];
    lexiconWeights: readonly number[];
    wordLmWeights?: readonly number[];
  },
  report: (line: string) => void,
  tunedOn: string,
): Promise<TunedDecoding> {
  const audio: (LoadedAudio & { text: string })[] = [];
  for (const item of items) audio.push({ ...(await pipeline.load(item.audio)), text: item.text });
  let best: TunedDecoding | undefined;
  const lmWeights = pipeline.lm ? grid.lmWeights : [0];
  const lexiconWeights = pipeline.lm?.lexicon.length ? grid.lexiconWeights : [0];
  const wordLmWeights = pipeline.wordLm ? (grid.wordLmWeights ?? [0]) : [0];
  const cells = grid.ctcWeights.flatMap((ctcWeight) =>
    lmWeights.flatMap((lmWeight) =>
      lexiconWeights.flatMap((lexiconWeight) =>
        wordLmWeights.map((wordLmWeight) => ({ ctcWeight, lmWeight, lexiconWeight, wordLmWeight })),
      ),
    ),
  );
  for (const { ctcWeight, lmWeight, lexiconWeight, wordLmWeight } of cells) {
    const pairs: [string, string][] = [];
    for (let i = 0; i < audio.length; i += 8) {
      const chunk = audio.slice(i, i + 8);
      const out = pipeline.transcribeAudio(chunk, {
        beamSize: grid.beamSize,
        ctcWeight,
        lmWeight,
        lexiconWeight,
        wordLmWeight,
      });
      chunk.forEach((a, j) => {
        pairs.push([a.text, out[j]!.text]);
      });
    }
    const devWer = wordErrorRate(pairs).rate;
    const devCer = charErrorRate(pairs).rate;
    report(
      `ctc ${ctcWeight} lm ${lmWeight} lexicon ${lexiconWeight}${pipeline.wordLm ? ` words ${wordLmWeight}` : ''}: WER ${(devWer * 100).toFixed(2)}% CER ${(devCer * 100).toFixed(2)}%`,
    );
    const better =
      !best || devWer < best.devWer! || (devWer === best.devWer && devCer < best.devCer!);
    if (better)
      best = {
        beamSize: grid.beamSize,
        ctcWeight,
        lmWeight,
        lexiconWeight,
        ...(pipeline.wordLm ? { wordLmWeight } : {}),
        tunedOn,
        devWer,
        devCer,
      };
  }
  if (!best) throw new AttendError('--tune: nothing to try (empty grid)');
  writeFileSync(decodingPath(checkpoint), `${JSON.stringify(best, null, 2)}\n`);
  return best;
}
