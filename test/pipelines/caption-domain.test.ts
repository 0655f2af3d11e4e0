import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptionPipeline, createCaptionPipeline } from '../../pipelines/caption.js';
import { projectPath } from '../../src/paths.js';
import { prng } from '../../src/util/random.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-domain-'));
const side = 128;

/**
 * RGB images nothing like a rendered scene: noise, blurred noise (a texture), a checkerboard. A
 * plain gradient would not do: every scene is shapes on a gradient (novelty 0.8).
 */
async function unlikeImages(): Promise<string[]> {
  const random = prng(3);
  const make = async (name: string, pixel: (x: number, y: number) => number[]) => {
    const raw = Buffer.alloc(side * side * 3);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) raw.set(pixel(x, y), (y * side + x) * 3);
    const file = join(dir, name);
    await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toFile(file);
    return file;
  };
  const noise = await make('noise.png', () => [0, 0, 0].map(() => Math.floor(random() * 256)));
  const texture = join(dir, 'texture.png');
  await sharp(noise).blur(3).toFile(texture);
  return [
    noise,
    texture,
    await make('checkers.png', (x, y) =>
      ((x >> 3) + (y >> 3)) % 2 ? [250, 250, 250] : [20, 20, 20],
    ),
  ];
}

describe("novelty of images against the shipped captioner's training images", () => {
  let pipeline: CaptionPipeline;
  let unlike: string[];
  beforeAll(async () => {
    await ready;
    pipeline = createCaptionPipeline();
    unlike = await unlikeImages();
  });
  afterAll(() => {
    pipeline?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is under 1 for the sample scenes and over 1 for images unlike them', async () => {
    expect(pipeline.domain?.dim).toBe(2 * pipeline.model.config.encoder.dim);
    const samples = [
      'scene-1.png',
      'scene-2.jpg',
      'scene-3-held-out-pair.png',
      'scene-4-held-out-relation.webp',
    ].map((name) => projectPath('samples', name));
    for (const result of await pipeline.caption(samples)) expect(result.novelty).toBeLessThan(0.5);
    for (const result of await pipeline.caption(unlike))
      expect(result.novelty, result.file).toBeGreaterThan(1);
  });

  it('attend caption warns, naming the file, and still captions it', () => {
    const run = attend([
      'caption',
      projectPath('samples', 'scene-1.png'),
      unlike[0]!,
      '--format',
      'json',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[1].novelty).toBeGreaterThan(1);
    expect(run.stderr).toMatch(
      /noise\.png: unlike the images caption-scenes was trained on \(novelty [\d.]+, over 1\)/,
    );
    expect(run.stderr).not.toMatch(/scene-1/);
  });
});
