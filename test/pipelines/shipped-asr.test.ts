import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsrPipeline, createAsrPipeline } from '../../pipelines/transcribe.js';
import { projectPath } from '../../src/paths.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';

// espeak-ng (en-us, 160 wpm) saying "my analyst says i worry too much": the shipped model
// writes "an alist" until it is told the word.
const wav = join(import.meta.dirname, '..', 'fixtures', 'audio', 'analyst-espeak.wav');

describe('the shipped speech model', () => {
  let pipeline: AsrPipeline;
  beforeAll(async () => {
    await ready;
    pipeline = createAsrPipeline();
  });
  afterAll(() => pipeline.dispose());

  it('with hotwords writes a listed word the model misspells, and leaves the rest as it was', async () => {
    const audio = await pipeline.load(wav);
    const text = (options = {}) => pipeline.transcribeAudio([audio], options)[0]!.text;
    const plain = text();
    expect(plain).not.toContain('analyst');
    // Every word carries the decoder's confidence in it.
    for (const w of pipeline.transcribeAudio([audio])[0]!.words) {
      expect(w.confidence).toBeGreaterThan(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
    }
    expect(text({ hotwords: ['Analyst', 'zebulon'] })).toBe('my analyst says i worry too much');
    // Words that are not said change nothing.
    expect(text({ hotwords: ['zebulon', 'kubernetes', 'worrywart'] })).toBe(plain);
    // Either half does it here: the bonus alone (no lexicon penalty), or the word joining the
    // lexicon alone (bonus 0); with neither the model's spelling stays.
    const said = 'my analyst says i worry too much';
    expect(text({ hotwords: ['analyst'], lexiconWeight: 0 })).toBe(said);
    expect(text({ hotwords: ['analyst'], hotwordBonus: 0 })).toBe(said);
    expect(text({ hotwords: ['analyst'], hotwordBonus: 0, lexiconWeight: 0 })).not.toBe(said);
  });

  it('transcribes audio too short to hold speech as nothing, beside a real recording in the same batch', async () => {
    // 50 ms of a loud 440 Hz tone: not silence, but under the 7 feature frames the encoder needs
    // (it crashed the native backend's reductions before).
    const tone = Float32Array.from(
      { length: 800 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000),
    );
    const speech = await pipeline.load(projectPath('samples', 'speech-16k-mono.wav'));
    const alone = pipeline.transcribeAudio([speech])[0]!.text;
    const [short, real] = pipeline.transcribeAudio([{ file: 'tone.wav', samples: tone }, speech]);
    expect(short!.text).toBe('');
    expect(short!.segments).toEqual([]);
    expect(real!.text).toBe(alone);
    expect(alone.split(' ').length).toBeGreaterThan(5);
  });
  it('names hotwords the model cannot spell', async () => {
    const audio = await pipeline.load(wav);
    expect(() => pipeline.transcribeAudio([audio], { hotwords: ['r2d2'] })).toThrow(
      /cannot spell r2d2/,
    );
  });
});

describe('attend transcribe --hotwords', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attend-hotwords-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a list from the command line and from a file, and names a missing file', () => {
    const file = join(dir, 'words.txt');
    writeFileSync(file, 'zebulon\nanalyst\n');
    const fromFile = attend(['transcribe', wav, '--hotwords-file', file]);
    expect(fromFile.stdout.trim()).toBe('my analyst says i worry too much');
    const listed = attend(['eval', 'asr', '--help']).stdout;
    expect(listed).toContain('--hotwords <list>');
    const missing = attend(['transcribe', wav, '--hotwords-file', join(dir, 'nope.txt')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('nope.txt: no such hotwords file');
    expect(missing.stderr).not.toContain('    at ');
  });

  it('biases batch jobs too, and points a queued job at its workers', () => {
    const folder = join(dir, 'inputs');
    mkdirSync(folder);
    copyFileSync(wav, join(folder, 'analyst.wav'));
    const out = join(dir, 'out.jsonl');
    const run = attend(['batch', 'transcribe', folder, '--out', out, '--hotwords', 'analyst']);
    expect(run.status).toBe(0);
    const [record] = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(record.text).toBe('my analyst says i worry too much');
    const queued = attend([
      'batch',
      'transcribe',
      folder,
      '--queue',
      'redis://localhost:1/0',
      '--name',
      'x',
      '--hotwords',
      'analyst',
    ]);
    expect(queued.status).not.toBe(0);
    expect(queued.stderr).toContain('give it the hotwords');
  });

  it('writes sentences with --punctuate (the shipped punctuation model), as text, JSON and subtitles', () => {
    const sample = projectPath('samples', 'speech-16k-mono.wav');
    const txt = attend(['transcribe', sample, '--punctuate']);
    expect(txt.status).toBe(0);
    expect(txt.stdout.trim()).toMatch(
      /^The weather is lovely today,? so we will work to the park\.$/,
    );
    const json = JSON.parse(
      attend(['transcribe', sample, '--punctuate', '--format', 'json']).stdout,
    );
    expect(json.text).toBe(txt.stdout.trim());
    expect(json.segments.map((s: { text: string }) => s.text).join(' ')).toBe(json.text);
    // Words keep the recogniser's form (times and confidences belong to it) and gain the written one.
    expect(json.words[0].word).toBe('the');
    expect(json.words.map((w: { written: string }) => w.written).join(' ')).toBe(json.text);
    // A batch job punctuates too, and scores against written references on their words.
    const manifest = join(dir, 'written.jsonl');
    writeFileSync(
      manifest,
      `${JSON.stringify({ audio: sample, text: 'The weather is lovely today, so we will walk to the park.' })}\n`,
    );
    const out = join(dir, 'written-out.jsonl');
    const batch = attend(['batch', 'transcribe', manifest, '--out', out, '--punctuate', '--json']);
    expect(JSON.parse(batch.stdout).wer).toBeCloseTo(1 / 12, 6); // "work" for "walk" only
    expect(JSON.parse(readFileSync(out, 'utf8')).text).toBe(txt.stdout.trim());
    const missing = attend(['transcribe', sample, '--punctuate', '--punctuation-model', 'nowhere']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('attend: nowhere: no such punctuation model folder');
  });
});
