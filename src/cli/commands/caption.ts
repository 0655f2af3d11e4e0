import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  type CaptionResult,
  captionRecord,
  createCaptionPipeline,
  DEFAULT_CAPTION_MODEL,
} from '../../../pipelines/caption.js';
import { AttendError } from '../../errors.js';
import type { RgbImage } from '../../vision/image.js';
import { startRuntime } from '../context.js';
import { reportBadInput } from '../input-errors.js';
import { ATTENTION_MAP_HELP, attentionMapPath } from '../output-paths.js';
import { positiveInteger } from '../parse.js';

interface CaptionOptions {
  model: string;
  beam: string;
  format: string;
  attentionMap?: string;
  batchSize: string;
}

export function captionCommand(program: Command): void {
  program
    .command('caption')
    .description('image to text: JPEG, PNG, WebP, GIF, TIFF')
    .argument('<images...>', "image files ('-': standard input)")
    .option('--model <dir>', 'captioning checkpoint folder', DEFAULT_CAPTION_MODEL)
    .option('--beam <n>', 'beam size (1 = greedy)', '4')
    .option('--format <format>', 'txt or json', 'txt')
    .option('--attention-map <path>', `${ATTENTION_MAP_HELP}: one tile per word`)
    .option('--batch-size <n>', 'images captioned together', '32')
    .action(async (files: string[], options: CaptionOptions, command: Command) => {
      const runtime = await startRuntime(command);
      if (options.format !== 'txt' && options.format !== 'json')
        throw new AttendError(`--format: '${options.format}' is not one of txt, json`);
      const beamSize = positiveInteger('--beam', options.beam);
      const batchSize = positiveInteger('--batch-size', options.batchSize);
      const pipeline = createCaptionPipeline(options.model);
      const results: CaptionResult[] = [];
      try {
        for (let start = 0; start < files.length; start += batchSize) {
          const loaded: { file: string; image: RgbImage }[] = [];
          for (const file of files.slice(start, start + batchSize)) {
            try {
              loaded.push({ file, image: await pipeline.load(file) });
            } catch (error) {
              reportBadInput(error);
            }
          }
          results.push(...pipeline.captionImages(loaded, { beamSize }));
        }
        if (options.attentionMap) {
          for (const result of results) {
            const out = attentionMapPath(options.attentionMap, result.file, results.length);
            writeFileSync(out, await pipeline.attentionMap(result));
          }
        }
      } finally {
        pipeline.dispose();
      }
      for (const r of results) {
        if (r.novelty !== undefined && r.novelty > 1)
          console.error(
            `attend: ${r.file}: unlike the images ${basename(options.model)} was trained on (novelty ${r.novelty.toFixed(1)}, over 1); its caption is likely wrong`,
          );
        if (options.format === 'json')
          console.log(JSON.stringify(captionRecord(r, options.model, runtime.backend)));
        else console.log(files.length > 1 ? `${r.file}\t${r.caption}` : r.caption);
      }
    });
}
