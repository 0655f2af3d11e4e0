import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captionScene } from '../../datasets/scenes/captions.js';
import { drawScene } from '../../datasets/scenes/layout.js';
import { renderScene } from '../../datasets/scenes/render.js';
import { createCaptionPipeline } from '../../pipelines/caption.js';
import type { RecurrentDecoderConfig } from '../../src/decoder/types.js';
import { CaptionModel } from '../../src/models/caption.js';
import { CAPTION_PRESETS } from '../../src/models/caption-presets.js';
import { tf } from '../../src/runtime/tf.js';
import { WordTokenizer } from '../../src/text/words.js';
import { prng } from '../../src/util/random.js';
import { DEFAULT_LAYOUT } from '../../src/vision/attention-map.js';
import { loadImage } from '../../src/vision/image.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});
const dir = mkdtempSync(join(tmpdir(), 'attend-caption-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('word tokenizer', () => {
  it('keeps words seen min-count times, most frequent first, the rest <unk>', () => {
    const tokenizer = WordTokenizer.fromCaptions(
      ['a red circle', 'a blue circle', 'a red star'],
      2,
    );
    expect(tokenizer.tokens.slice(4)).toEqual(['a', 'circle', 'red']);
    expect(tokenizer.decode(tokenizer.encode('A red star!'))).toBe('a red <unk>');
  });
});

describe('hard attention captioning', () => {
  it('trains the attention scorer only through the REINFORCE term', () => {
    const tokenizer = WordTokenizer.fromCaptions(['a red circle']);
    const base = CAPTION_PRESETS.tiny!(tokenizer.size);
    const decoder = base.decoder as RecurrentDecoderConfig;
    const model = new CaptionModel(
      {
        ...base,
        decoder: { ...decoder, attention: { kind: 'additive', units: 32, mode: 'hard' } },
      },
      tokenizer,
    );
    model.build();
    const scorer = model.params.variables()['decoder/attention/v']!;
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const batch = { images, targets: [[4, 5, 6], [6]] };
    const gradNorm = (part: 'loss' | 'crossEntropy') =>
      tf.tidy(() => {
        try {
          const { grads } = tf.variableGrads(() => model.losses(batch, true)[part], [scorer]);
          return grads[scorer.name]!.abs().sum().dataSync()[0]!;
        } catch (error) {
          // tfjs refuses when the loss does not depend on the variable at all.
          if (/Cannot find a connection/.test(String(error))) return 0;
          throw error;
        }
      });
    // A sampled position is a constant: cross-entropy alone cannot move the scorer...
    expect(gradNorm('crossEntropy')).toBe(0);
    // ...the score-function term does.
    expect(gradNorm('loss')).toBeGreaterThan(0);
    images.dispose();
    model.dispose();
  });
});

describe('a tiny Show-Attend-and-Tell model', () => {
  it('overfits 8 scene images to their captions; the CLI and attention maps work from its checkpoint', async () => {
    const size = 32;
    const files: string[] = [];
    const captions: string[] = [];
    const references: string[][] = [];
    for (let i = 0; i < 8; i++) {
      const random = prng(100 + i);
      const scene = drawScene(random, size);
      const file = join(dir, `scene${i}.png`);
      writeFileSync(file, await renderScene(scene, size, random));
      files.push(file);
      captions.push(captionScene(scene)[0]!);
      references.push(captionScene(scene));
    }
    const tokenizer = WordTokenizer.fromCaptions(captions);
    const model = new CaptionModel(CAPTION_PRESETS.tiny!(tokenizer.size), tokenizer);
    model.build();
    const loaded = await Promise.all(files.map((f) => loadImage(f, size)));
    const values = new Float32Array(8 * size * size * 3);
    loaded.forEach((img, b) => {
      values.set(img.pixels, b * size * size * 3);
    });
    const images = tf.tensor4d(values, [8, size, size, 3]);
    const targets = captions.map((c) => tokenizer.encode(c));
    const greedy = () =>
      model
        .captionImages(images, { beamSize: 1, lengthPenalty: 0 })
        .map((h) => tokenizer.decode(h[0]!.tokens));
    const optimizer = tf.train.adam(5e-3);
    let output: string[] = [];
    for (let step = 1; step <= 400; step++) {
      optimizer.minimize(() => model.losses({ images, targets }).loss, false, model.params.list());
      if (step % 25 === 0) {
        output = greedy();
        if (output.every((c, i) => c === captions[i])) break;
      }
    }
    expect(output).toEqual(captions);
    // Each word's attention is a distribution over the 8×8 regions.
    const hyps = model.captionImages(images, { beamSize: 1 });
    for (const row of hyps[0]![0]!.weights) {
      expect(row.length).toBe(64);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    await model.save(join(dir, 'model'));
    optimizer.dispose();
    images.dispose();
    model.dispose();

    // The checkpoint through the pipeline: the attention map has one tile per word plus the image.
    const pipeline = createCaptionPipeline(join(dir, 'model'));
    const [result] = await pipeline.caption([files[0]!], { beamSize: 4 });
    expect(result!.caption).toBe(captions[0]);
    const png = await pipeline.attentionMap(result!);
    const meta = await sharp(png).metadata();
    const { tile, columns, label } = DEFAULT_LAYOUT;
    const tiles = result!.words.length + 1;
    expect(meta.width).toBe(Math.min(tiles, columns) * tile);
    expect(meta.height).toBe(Math.ceil(tiles / columns) * (tile + label));
    pipeline.dispose();

    // attend eval caption: every caption is one of its references, so corpus BLEU-4 is 1; the
    // held-out subset is scored on its own.
    const manifest = join(dir, 'eval.jsonl');
    writeFileSync(
      manifest,
      files
        .map((image, i) =>
          JSON.stringify({
            id: String(i),
            image,
            captions: references[i],
            ...(i < 2 ? { heldOut: 'pair:x' } : {}),
          }),
        )
        .join('\n'),
    );
    const evaluated = attend([
      'eval',
      'caption',
      '--data',
      manifest,
      '--model',
      join(dir, 'model'),
      '--beam',
      '1',
      '--json',
    ]);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const scores = JSON.parse(evaluated.stdout) as {
      images: number;
      bleu: number[];
      cider: number;
      heldOut: { images: number };
    };
    expect(scores.images).toBe(8);
    expect(scores.bleu[3]).toBeCloseTo(1, 6);
    expect(scores.cider).toBeGreaterThan(1);
    expect(scores.heldOut.images).toBe(2);

    // As a user runs it: a corrupt image among good ones is reported and the others still captioned.
    const corrupt = join(dir, 'corrupt.png');
    writeFileSync(corrupt, Buffer.from('89504e470d0a1a0a0000', 'hex'));
    mkdirSync(join(dir, 'maps'));
    const cli = attend([
      'caption',
      files[1]!,
      corrupt,
      files[2]!,
      '--model',
      join(dir, 'model'),
      '--format',
      'json',
      '--attention-map',
      join(dir, 'maps'),
    ]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/corrupt\.png: /);
    expect(cli.stderr).not.toMatch(/\n\s+at /);
    const lines = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; caption: string; confidences: number[] });
    expect(lines.map((l) => l.caption)).toEqual([captions[1], captions[2]]);
    // A word's confidence per caption word; a caption learnt by heart is near certain.
    for (const line of lines) {
      expect(line.confidences).toHaveLength(line.caption.split(' ').length);
      for (const c of line.confidences) expect(c).toBeGreaterThan(0.5);
    }
    const map = await sharp(join(dir, 'maps', 'scene1.attention.png')).metadata();
    expect(map.format).toBe('png');
  });
});
