import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readCaptionManifest } from '../../../datasets/captions/manifest.js';
import { readSpeechManifest } from '../../../datasets/manifest.js';
import { relationScores } from '../../../datasets/scenes/relations.js';
import {
  decodingPath,
  hypothesisLines,
  scoreAsr,
  tuneDecoding,
} from '../../../pipelines/asr/evaluate.js';
import { evaluateCaptions } from '../../../pipelines/caption/evaluate.js';
import { decodeImages } from '../../../pipelines/caption/image-cache.js';
import { DEFAULT_CAPTION_MODEL } from '../../../pipelines/caption.js';
import { createAsrPipeline, DEFAULT_ASR_MODEL } from '../../../pipelines/transcribe.js';
import { AttendError } from '../../errors.js';
import { scoreCaptions } from '../../metrics/cider.js';
import { confidenceScores } from '../../metrics/confidence.js';
import { keywordScores } from '../../metrics/keywords.js';
import { CaptionModel } from '../../models/caption.js';
import { DEFAULT_DECODING } from '../../search/index.js';
import { startRuntime } from '../context.js';
import { positiveInteger, weightList } from '../parse.js';
import { Progress } from '../progress.js';
import { evalAlignCommand } from './evaluate-align.js';
import { evalPunctuationCommand } from './evaluate-punctuation.js';
import { type FusionFlags, fusionOptions, fusionWeights } from './transcribe.js';

interface EvalOptions extends FusionFlags {
  model: string;
  data: string;
  beam?: string;
  limit?: string;
  json?: boolean;
  hypotheses?: string;
  lm?: string;
  tune?: boolean;
  ctcWeights: string;
  lmWeights: string;
  lexiconWeights: string;
  wordLmWeights: string;
}

export function evalCommand(program: Command): void {
  const evaluate = program.command('eval').description('measure a model on held-out data');
  fusionOptions(evaluate.command('asr'))
    .description('WER and CER of a speech model on a JSONL manifest (audio, text)')
    .requiredOption('--data <manifest>', 'e.g. <corpus>/test.jsonl')
    .option('--model <dir>', 'ASR checkpoint folder', DEFAULT_ASR_MODEL)
    .option('--beam <n>', "beam size (1 = greedy; default: decoding.json's, else 4)")
    .option('--limit <n>', 'only the first N utterances')
    .option('--json', 'print one JSON object')
    .option(
      '--hypotheses <file>',
      'also write each utterance (audio, speaker, reference, hypothesis, word errors) to this JSONL file',
    )
    .option(
      '--tune',
      'grid-search the CTC and LM weights on this (dev!) manifest and write the best to <model>/decoding.json',
    )
    .option('--ctc-weights <list>', 'CTC weights --tune tries', '0.3,0.5,0.7')
    .option('--lm-weights <list>', 'LM weights --tune tries', '0,0.2,0.4,0.6')
    .option('--lexicon-weights <list>', 'lexicon weights --tune tries', '0,1,2')
    .option(
      '--word-lm-weights <list>',
      'word LM weights --tune tries (when the model has a word-lm.json.gz)',
      '0,0.2,0.4',
    )
    .action(async (options: EvalOptions, command: Command) => {
      await startRuntime(command);
      const items = readSpeechManifest(options.data).slice(
        0,
        options.limit ? positiveInteger('--limit', options.limit) : undefined,
      );
      const pipeline = createAsrPipeline(options.model, options.lm);
      const beam = options.beam ? { beamSize: positiveInteger('--beam', options.beam) } : {};
      try {
        if (options.tune) {
          const best = await tuneDecoding(
            pipeline,
            options.model,
            items,
            {
              beamSize: beam.beamSize ?? DEFAULT_DECODING.beamSize,
              ctcWeights: weightList('--ctc-weights', options.ctcWeights),
              lmWeights: weightList('--lm-weights', options.lmWeights),
              lexiconWeights: weightList('--lexicon-weights', options.lexiconWeights),
              wordLmWeights: weightList('--word-lm-weights', options.wordLmWeights),
            },
            (line) => console.log(line),
            `${options.data} (first ${items.length})`,
          );
          console.log(
            `${decodingPath(options.model)}: ctc ${best.ctcWeight}, lm ${best.lmWeight}, lexicon ${best.lexiconWeight}${best.wordLmWeight === undefined ? '' : `, words ${best.wordLmWeight}`} (dev WER ${(best.devWer! * 100).toFixed(2)}%)`,
          );
          return;
        }
        const decoding = { ...beam, ...fusionWeights(options) };
        const progress = new Progress(items.length, 'eval asr', 'utt');
        const scores = await scoreAsr(pipeline, items, decoding, (failed) => progress.tick(failed));
        progress.finish();
        if (options.hypotheses) writeFileSync(options.hypotheses, hypothesisLines(scores));
        const used = pipeline.decodingFor(decoding);
        // Greedy decoding (beam 1) fuses nothing: report the weights that were applied.
        const fused = used.beamSize > 1;
        const summary = {
          model: options.model,
          data: options.data,
          utterances: scores.pairs.length,
          failures: scores.failures.length,
          failed: scores.failures,
          beam: used.beamSize,
          ctcWeight: fused ? used.ctcWeight : 0,
          lm: pipeline.lm && fused ? (options.lm ?? 'lm.json') : 'none',
          lmWeight: pipeline.lm && fused ? used.lmWeight : 0,
          lexiconWeight: pipeline.lm && fused ? used.lexiconWeight : 0,
          wordLmWeight: pipeline.wordLm && fused ? used.wordLmWeight : 0,
          warps: used.warps ?? [1],
          ...(used.adapt?.steps ? { adapt: used.adapt } : {}),
          ...(fused && used.hotwords?.length
            ? {
                hotwords: used.hotwords.length,
                hotwordBonus: used.hotwordBonus,
                hotwordScores: keywordScores(
                  scores.pairs,
                  used.hotwords.flatMap((w) => w.split(/\s+/)),
                ),
              }
            : {}),
          wordConfidence: confidenceScores(scores.pairs, scores.confidences),
          wer: scores.wer.rate,
          cer: scores.cer.rate,
          rtf: scores.rtf,
          bySpeaker: scores.bySpeaker,
        };
        if (options.json) {
          console.log(JSON.stringify(summary));
        } else {
          const { wer, cer } = scores;
          console.log(
            `${scores.pairs.length} utterances (${scores.failures.length} failed), beam ${used.beamSize}, ctc ${summary.ctcWeight}, lm ${summary.lm} × ${summary.lmWeight}, lexicon × ${summary.lexiconWeight}${summary.wordLmWeight ? `, word LM × ${summary.wordLmWeight}` : ''}${summary.warps.length > 1 ? `, warps ${summary.warps.join(',')}` : ''}${summary.adapt ? `, adapt ${summary.adapt.steps} steps (${summary.adapt.parameters ?? 'front'}, lr ${summary.adapt.learningRate})` : ''}${summary.hotwords ? `, ${summary.hotwords} hotwords × ${summary.hotwordBonus}` : ''}`,
          );
          console.log(
            `WER ${(wer.rate * 100).toFixed(2)}% (${wer.errors}/${wer.total})  CER ${(cer.rate * 100).toFixed(2)}% (${cer.errors}/${cer.total})  RTF ${scores.rtf.toFixed(3)}`,
          );
          const { auroc, meanRight, meanWrong, calibrationError } = summary.wordConfidence;
          if (!Number.isNaN(auroc))
            console.log(
              `  word confidence: AUROC ${auroc.toFixed(3)} (right words ${meanRight.toFixed(2)} on average, wrong ${meanWrong.toFixed(2)}), calibration error ${calibrationError.toFixed(3)}`,
            );
          if (summary.hotwordScores) {
            const { occurrences, recognised, recall, falseAlarms } = summary.hotwordScores;
            console.log(
              `  hotwords: ${occurrences} in the references, ${recognised} written right (${(recall * 100).toFixed(0)}%), ${falseAlarms} written where not said`,
            );
          }
          const speakers = Object.entries(scores.bySpeaker);
          if (speakers.length > 1)
            for (const [speaker, { utterances, wer: w, cer: c }] of speakers)
              console.log(
                `  ${speaker}: WER ${(w * 100).toFixed(1)}%  CER ${(c * 100).toFixed(1)}%  (${utterances} utt)`,
              );
          for (const [ref, hyp] of scores.pairs.slice(0, 5))
            console.log(`  ref: ${ref}\n  hyp: ${hyp}`);
        }
        // Name what was not scored: a score over fewer utterances than asked is otherwise silent.
        for (const failure of scores.failures.slice(0, 10))
          console.error(`attend: skipped ${failure}`);
        if (scores.failures.length > 10)
          console.error(`attend: ... and ${scores.failures.length - 10} more skipped`);
        if (scores.failures.length) process.exitCode = 1;
      } finally {
        pipeline.dispose();
      }
    });
  evaluate
    .command('caption')
    .description(
      'BLEU-1..4 and CIDEr-D of a captioning model on a JSONL manifest (image, captions)',
    )
    .requiredOption('--data <manifest>', 'e.g. <corpus>/test.jsonl')
    .option('--model <dir>', 'captioning checkpoint folder', DEFAULT_CAPTION_MODEL)
    .option('--beam <n>', 'beam size (1 = greedy)', '4')
    .option('--limit <n>', 'only the first N images')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalOptions, command: Command) => {
      await startRuntime(command);
      const items = readCaptionManifest(options.data).slice(
        0,
        options.limit ? Number(options.limit) : undefined,
      );
      if (items.some((i) => i.captions.length === 0))
        throw new AttendError(
          `${options.data}: every item needs reference "captions" to be scored`,
        );
      const model = CaptionModel.load(options.model);
      const images = await decodeImages(items, model.imageSize, 'images');
      const progress = new Progress(images.length, 'eval caption', 'images');
      const started = performance.now();
      const beam = positiveInteger('--beam', options.beam ?? '4');
      const scores = (() => {
        try {
          return evaluateCaptions(model, images, beam, 32, (n) => {
            for (let i = 0; i < n; i++) progress.tick();
          });
        } finally {
          progress.finish();
          model.dispose();
        }
      })();
      const seconds = (performance.now() - started) / 1000;
      const heldOut = scores.pairs.filter((p) => p.heldOut);
      // CIDEr's document frequencies come from the subset itself.
      const heldOutScores = heldOut.length ? scoreCaptions(heldOut) : undefined;
      const relations = relationScores(scores.pairs);
      const summary = {
        model: options.model,
        data: options.data,
        images: scores.pairs.length,
        failures: items.length - images.length,
        beam,
        bleu: scores.bleu,
        cider: scores.cider,
        ...(heldOutScores ? { heldOut: { images: heldOut.length, ...heldOutScores } } : {}),
        ...(relations ? { relations } : {}),
        imagesPerSecond: scores.pairs.length / seconds,
      };
      if (options.json) console.log(JSON.stringify(summary));
      else {
        const line = (label: string, bleu: number[], cider: number, n: number) =>
          console.log(
            `${label} (${n} images): ${bleu.map((b, i) => `BLEU-${i + 1} ${b.toFixed(3)}`).join('  ')}  CIDEr-D ${cider.toFixed(3)}`,
          );
        console.log(
          `beam ${beam}, ${summary.failures} unreadable, ${summary.imagesPerSecond.toFixed(1)} images/s`,
        );
        line('all', scores.bleu, scores.cider, scores.pairs.length);
        if (heldOutScores)
          line('held-out combinations', heldOutScores.bleu, heldOutScores.cider, heldOut.length);
        if (relations) {
          const share = (n: number) => `${((100 * n) / relations.scenes).toFixed(1)}%`;
          console.log(
            `relations (${relations.scenes} scenes with one): right ${share(relations.right)}, mirrored ${share(relations.mirrored)}, missing ${share(relations.missing)}, between other things ${share(relations.other)}`,
          );
        }
        for (const p of scores.pairs.slice(0, 5))
          console.log(`  ${p.id}: ${p.hypothesis}\n     ref: ${p.references[0]}`);
      }
      if (summary.failures) process.exitCode = 1;
    });
  evalPunctuationCommand(evaluate);
  evalAlignCommand(evaluate);
}
