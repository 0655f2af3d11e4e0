import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptionManifest } from '../../datasets/captions/manifest.js';
import { buildSceneCorpus, planScenes } from '../../datasets/scenes/build.js';
import { captionScene, describeGroup, heldOutReason } from '../../datasets/scenes/captions.js';
import { drawScene } from '../../datasets/scenes/layout.js';
import { COLOURS, SHAPES } from '../../datasets/scenes/vocabulary.js';
import { prng } from '../../src/util/random.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-scenes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scene captions', () => {
  it('name count, size, colour and shape, with articles and plurals right', () => {
    expect(describeGroup({ shape: 'star', colour: 'orange', size: 'small', count: 1 }, false)).toBe(
      'an orange star',
    );
    expect(describeGroup({ shape: 'heart', colour: 'red', size: 'large', count: 3 }, true)).toBe(
      'three large red hearts',
    );
  });

  it('state the relation both ways round, and every object is where its caption says', () => {
    for (let seed = 0; seed < 300; seed++) {
      const scene = drawScene(prng(seed), 64);
      const captions = captionScene(scene);
      expect(captions.length).toBeGreaterThanOrEqual(4);
      if (!scene.relation) continue;
      const mains = scene.objects.filter(
        (o) => o.shape === scene.main.shape && o.colour === scene.main.colour,
      );
      const other = scene.objects.at(-1)!;
      for (const o of mains.slice(0, scene.main.count)) {
        const dx = other.cx - o.cx;
        const dy = other.cy - o.cy;
        const ok = { 'left of': dx > 0, 'right of': dx < 0, above: dy > 0, below: dy < 0 }[
          scene.relation.relation
        ];
        expect(ok).toBe(true);
      }
    }
  });
});

describe('scene corpus', () => {
  it('keeps held-out colour-shape pairs and relations out of train and dev, and half of test is them', async () => {
    const plan = planScenes({ out: dir, trainScenes: 600, evalScenes: 60 });
    const counts = { train: 0, dev: 0, test: 0 };
    for (const p of plan) counts[p.split]++;
    expect(counts).toEqual({ train: 600, dev: 60, test: 60 });
    for (const p of plan) {
      const reason = heldOutReason(drawScene(prng(1_000_003 + p.index), 64));
      expect(Boolean(reason)).toBe(p.split === 'test' && Boolean(p.heldOut));
    }
    expect(plan.filter((p) => p.heldOut).length).toBe(30);
  });

  it('renders PNGs with manifests a caption loader reads, covering every shape and colour', async () => {
    const counts = await buildSceneCorpus({
      out: dir,
      trainScenes: 120,
      evalScenes: 10,
      imageSize: 48,
    });
    expect(counts).toEqual({ train: 120, dev: 10, test: 10 });
    const train = readCaptionManifest(join(dir, 'train.jsonl'));
    const meta = await sharp(train[0]!.image).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([48, 48, 'png']);
    const text = train.flatMap((i) => i.captions).join(' ');
    for (const word of [...SHAPES, ...COLOURS]) expect(text).toContain(word);
    expect(readFileSync(join(dir, 'test.jsonl'), 'utf8')).toContain('"heldOut"');
  });
});
