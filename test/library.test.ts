import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as attend from '../src/index.js';
import { projectPath } from '../src/paths.js';
import { ready } from './helpers/runtime.js';

beforeAll(() => ready);

describe('attend as a library', () => {
  it('the entry point transcribes and captions with the shipped models by default', async () => {
    const asr = attend.createAsrPipeline();
    try {
      const [transcript] = await asr.transcribe([projectPath('samples', 'speech-16k-mono.wav')]);
      expect(transcript!.text.split(' ').length).toBeGreaterThan(5);
      expect(transcript!.segments.length).toBeGreaterThan(0);
    } finally {
      asr.dispose();
    }
    const captioner = attend.createCaptionPipeline();
    try {
      const image = await captioner.load(projectPath('samples', 'scene-1.png'));
      const [result] = captioner.captionImages([{ file: 'scene-1.png', image }], { beamSize: 4 });
      expect(result!.caption).toMatch(/\w+ \w+/);
    } finally {
      captioner.dispose();
    }
    expect(attend.wordErrorRate([['a b c', 'a x c']]).rate).toBeCloseTo(1 / 3, 9);
  });

  it("resolves by its package name through package.json's exports", () => {
    const names = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('attend'); console.log(Object.keys(m).join(' '))",
      ],
      { cwd: projectPath(), encoding: 'utf8' },
    );
    for (const name of [
      'createAsrPipeline',
      'createCaptionPipeline',
      'initRuntime',
      'createAttention',
    ])
      expect(names.split(' ')).toContain(name);
  });

  // What `npm pack` ships: main and types as package.json names them, the shipped models, and
  // neither build leftovers nor the training states (-wip, with Adam's moments).
  it('the package holds its entry point and the shipped models, not build or training leftovers', () => {
    const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as {
      main: string;
      types: string;
    };
    const listing = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: projectPath(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = (JSON.parse(listing) as { files: { path: string }[] }[])[0]!.files.map(
      (f) => f.path,
    );
    for (const needed of [
      pkg.main,
      pkg.types,
      'bin/attend.js',
      'native/binding.gyp',
      'checkpoints/asr-en/weights.bin',
      'checkpoints/caption-scenes/weights.bin',
    ])
      expect(files).toContain(needed);
    expect(files.filter((f) => f.startsWith('native/build/') || f.includes('-wip/'))).toEqual([]);
  }, 60_000);
});
