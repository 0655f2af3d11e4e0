import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { passagesOf } from '../../../datasets/punctuation/text.js';
import { DEFAULT_PUNCTUATION_MODEL, loadPunctuation } from '../../../pipelines/punctuate.js';
import {
  baselineScores,
  evaluateOnRecognised,
  evaluatePunctuation,
  type RecognisedUtterance,
} from '../../../pipelines/punctuation/evaluate.js';
import { defaultPassages } from '../../../pipelines/punctuation/train.js';
import { AttendError } from '../../errors.js';
import type { PunctuationScores } from '../../metrics/punctuation.js';
import { startRuntime } from '../context.js';

interface EvalPunctuationOptions {
  model: string;
  split: string;
  textFile?: string;
  hypotheses?: string;
  json?: boolean;
}

const line = (label: string, s: PunctuationScores) =>
  `${label}: ${Object.entries(s.marks)
    .map(
      ([mark, m]) =>
        `'${mark}' F1 ${m.f1.toFixed(3)} (P ${m.precision.toFixed(2)} R ${m.recall.toFixed(2)})`,
    )
    .join(
      '  ',
    )}  mean ${s.markF1.toFixed(3)}  capitals F1 ${s.capitals.f1.toFixed(3)}  casing ${(100 * s.casingAccuracy).toFixed(1)}%`;

/** `attend eval punctuation`: marks and capitals on held-out written text, against the rule. */
export function evalPunctuationCommand(evaluate: Command): void {
  evaluate
    .command('punctuation')
    .description(
      "punctuation and casing F1 on held-out text: the fortunes' test sentences, or your own written text",
    )
    .option('--model <dir>', 'punctuation checkpoint folder', DEFAULT_PUNCTUATION_MODEL)
    .option('--split <name>', "the built-in text's dev or test sentences", 'test')
    .option(
      '--text-file <file>',
      'score on this written text instead (sentences with marks and capitals)',
    )
    .option(
      '--hypotheses <file>',
      'score on recognised speech instead: the JSONL of `attend eval asr --hypotheses` (matched words only)',
    )
    .option('--json', 'print one JSON object')
    .action(async (options: EvalPunctuationOptions, command: Command) => {
      if (options.hypotheses) {
        await scoreRecognised(options, command);
        return;
      }
      if (options.split !== 'dev' && options.split !== 'test')
        throw new AttendError(`--split: '${options.split}' is not one of dev, test`);
      const passages = options.textFile
        ? passagesOf([readText(options.textFile)])
        : defaultPassages().filter((p) => p.split === options.split);
      if (passages.length === 0)
        throw new AttendError(
          `${options.textFile ?? options.split}: no sentences to score (3+ plain words, a capital first, a mark last)`,
        );
      await startRuntime(command);
      const model = loadPunctuation(options.model);
      const scores = (() => {
        try {
          return evaluatePunctuation(model, passages);
        } finally {
          model.dispose();
        }
      })();
      const baseline = baselineScores(passages);
      const summary = {
        checkpoint: options.model,
        data: options.textFile ?? `fortunes+asterisk ${options.split}`,
        passages: passages.length,
        words: scores.words,
        scores,
        baseline,
      };
      if (options.json) console.log(JSON.stringify(summary));
      else {
        console.log(`${passages.length} passages, ${scores.words} words`);
        console.log(line('model', scores));
        console.log(line('rule (capital first, full stop last)', baseline));
      }
    });
}

/** `--hypotheses`: the model on what the recogniser wrote, against how the sentences were written. */
async function scoreRecognised(options: EvalPunctuationOptions, command: Command): Promise<void> {
  const file = options.hypotheses!;
  const utterances = readText(file)
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      let row: Partial<RecognisedUtterance>;
      try {
        row = JSON.parse(line) as Partial<RecognisedUtterance>;
      } catch {
        throw new AttendError(`${file}:${i + 1}: not a JSON line`);
      }
      if (typeof row.reference !== 'string' || typeof row.hypothesis !== 'string')
        throw new AttendError(
          `${file}:${i + 1}: no "reference" and "hypothesis" (attend eval asr --hypotheses writes them)`,
        );
      return row as RecognisedUtterance;
    });
  const written = new Map(
    defaultPassages()
      .filter((p) => p.words.filter((w) => w.mark >= 2).length === 1)
      .map((p) => [p.words.map((w) => w.word).join(' '), p.words] as const),
  );
  await startRuntime(command);
  const model = loadPunctuation(options.model);
  try {
    const scores = evaluateOnRecognised(model, utterances, written);
    if (options.json)
      console.log(JSON.stringify({ checkpoint: options.model, data: file, ...scores }));
    else {
      console.log(
        `${scores.utterances} of ${utterances.length} utterances have a written sentence to score against`,
      );
      console.log(line('model', scores.model));
      console.log(line('rule (capital first, full stop last)', scores.baseline));
    }
  } finally {
    model.dispose();
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new AttendError(`${file}: cannot read this file`);
  }
}
