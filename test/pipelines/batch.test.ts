import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInputs } from '../../pipelines/batch/inputs.js';
import type { BatchRecord } from '../../pipelines/batch/output.js';
import { inShard, parseShard } from '../../pipelines/batch/shard.js';
import { encodeWav16 } from '../../src/audio/wav.js';
import { saveTinyCaptioner, writeScenes } from '../../src/bench/fixtures.js';
import { AsrModel } from '../../src/models/asr.js';
import { ASR_PRESETS } from '../../src/models/asr-presets.js';
import { projectPath } from '../../src/paths.js';
import { CharacterTokenizer } from '../../src/text/characters.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GOOD = 24;

beforeAll(async () => {
  await ready;
  await saveTinyCaptioner(join(dir, 'captioner'));
  await writeScenes(dir, GOOD);
  const rows = Array.from({ length: GOOD }, (_, i) =>
    JSON.stringify({
      id: `img${String(i).padStart(2, '0')}`,
      image: `img${i}.png`,
      captions: ['a red circle'],
    }),
  );
  writeFileSync(join(dir, 'broken.png'), 'not a png');
  rows.push(JSON.stringify({ id: 'broken', image: 'broken.png' }));
  rows.push(JSON.stringify({ id: 'missing', image: 'nowhere.png' }));
  rows.push('{"id": "cut-short", "image": ');
  writeFileSync(join(dir, 'manifest.jsonl'), `${rows.join('\n')}\n`);
});

const records = (file: string): BatchRecord[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as BatchRecord);
/** id -> output (caption or error), without timings. */
const outputs = (file: string) =>
  Object.fromEntries(records(file).map((r) => [r.id, r.caption ?? `error: ${r.error}`]));
const batch = (out: string, ...extra: string[]) =>
  attend([
    'batch',
    'caption',
    join(dir, 'manifest.jsonl'),
    '--out',
    out,
    '--model',
    join(dir, 'captioner'),
    '--beam',
    '2',
    ...extra,
  ]);

describe('batch inputs and shards', () => {
  it('reads CSV manifests with quoted fields and references', () => {
    const csv = join(dir, 'list.csv');
    writeFileSync(csv, 'path,text\n"a, b.wav","hello, world"\nc.wav,bye\n');
    const items = listInputs(csv, 'transcribe');
    expect(items.map((i) => [i.input, i.references])).toEqual([
      [join(dir, 'a, b.wav'), ['hello, world']],
      [join(dir, 'c.wav'), ['bye']],
    ]);
  });

  it('splits by id into shards that cover every item exactly once', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `item-${i}`);
    const shards = [1, 2, 3].map((i) => parseShard(`${i}/3`));
    for (const id of ids) expect(shards.filter((s) => inShard(id, s)).length).toBe(1);
    expect(() => parseShard('4/3')).toThrow(/--shard/);
  });
});

describe('attend batch caption', () => {
  it('records bad items, survives kill -9, resumes without duplicates, and shards merge to the same output', async () => {
    const full = join(dir, 'full.jsonl');
    const single = batch(full, '--batch-size', '4');
    expect(single.status).toBe(1); // some items failed
    expect(single.stdout).toMatch(/27 items, 3 failed/);
    const reference = outputs(full);
    expect(Object.keys(reference)).toHaveLength(GOOD + 3);
    expect(reference.broken).toMatch(/broken\.png: /);
    expect(reference.missing).toMatch(/nowhere\.png: no such file/);
    expect(Object.entries(reference).find(([id]) => id.includes('manifest.jsonl:'))?.[1]).toMatch(
      /not valid JSON/,
    );
    expect(batch(full).stderr).toMatch(/output exists \(use --resume/);

    // kill -9 part-way, then --resume.
    const killed = join(dir, 'killed.jsonl');
    const child = spawn(
      process.execPath,
      [
        projectPath('bin', 'attend.js'),
        'batch',
        'caption',
        join(dir, 'manifest.jsonl'),
        '--out',
        killed,
        '--model',
        join(dir, 'captioner'),
        '--beam',
        '2',
        '--batch-size',
        '1',
      ],
      { stdio: 'ignore' },
    );
    for (let waited = 0; waited < 60_000; waited += 50) {
      if (existsSync(killed) && readFileSync(killed, 'utf8').split('\n').length > 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = records(killed).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(GOOD + 3);
    batch(killed, '--resume', '--batch-size', '3');
    const ids = records(killed).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(outputs(killed)).toEqual(reference);

    // Two shards, merged, equal the single run; so does a run on two worker processes.
    const parts = [1, 2].map((i) => join(dir, `shard${i}.jsonl`));
    for (const [i, part] of parts.entries()) batch(part, '--shard', `${i + 1}/2`);
    expect(records(parts[0]!).length).toBeGreaterThan(0);
    expect(records(parts[1]!).length).toBeGreaterThan(0);
    const merged = join(dir, 'merged.jsonl');
    expect(attend(['batch', 'merge', ...parts, '--out', merged]).status).toBe(0);
    expect(outputs(merged)).toEqual(reference);
    const pooled = join(dir, 'pooled.jsonl');
    batch(pooled, '--workers', '2', '--batch-size', '4');
    expect(outputs(pooled)).toEqual(reference);
  });
});

describe('attend batch transcribe', () => {
  it('transcribes a folder, recording a corrupt file as an error', async () => {
    const tokenizer = CharacterTokenizer.english();
    const model = new AsrModel(ASR_PRESETS.tiny!(tokenizer.size), tokenizer);
    model.build();
    await model.save(join(dir, 'recogniser'));
    model.dispose();
    const audio = join(dir, 'audio');
    const tone = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i / 5));
    rmSync(audio, { recursive: true, force: true });
    mkdirSync(audio);
    writeFileSync(join(audio, 'tone.wav'), encodeWav16({ sampleRate: 16000, channels: [tone] }));
    writeFileSync(join(audio, 'bad.wav'), 'RIFF....WAVEjunk');
    const out = join(dir, 'speech.jsonl');
    const transcribeBatch = (...extra: string[]) =>
      attend([
        'batch',
        'transcribe',
        audio,
        '--out',
        out,
        '--model',
        join(dir, 'recogniser'),
        '--beam',
        '1',
        ...extra,
      ]);
    const run = transcribeBatch();
    expect(run.status).toBe(1);
    const byId = Object.fromEntries(records(out).map((r) => [r.id, r]));
    expect(byId['tone.wav']?.text).toBeTypeOf('string');
    expect(byId['tone.wav']?.duration).toBeCloseTo(0.5, 2);
    expect(byId['bad.wav']?.error).toMatch(/bad\.wav: /);

    // The bad file is fixed: --resume leaves its error, --retry-failed runs it again, and each
    // item keeps one line.
    writeFileSync(join(audio, 'bad.wav'), encodeWav16({ sampleRate: 8000, channels: [tone] }));
    expect(transcribeBatch('--resume').status).toBe(1);
    expect(records(out).find((r) => r.id === 'bad.wav')?.error).toMatch(/bad\.wav: /);
    const retried = transcribeBatch('--retry-failed');
    expect(retried.status).toBe(0);
    expect(retried.stdout).toMatch(/^2 items, 0 failed; 1 processed now/);
    const lines = records(out);
    expect(lines.map((r) => r.id).sort()).toEqual(['bad.wav', 'tone.wav']);
    expect(lines.find((r) => r.id === 'bad.wav')?.duration).toBeCloseTo(1, 2);
    expect(lines.find((r) => r.id === 'tone.wav')).toEqual(byId['tone.wav']);
  });
});

describe('attend batch align', () => {
  it('times the words of every row, recording rows without text or audio as errors', () => {
    const manifest = join(dir, 'align.jsonl');
    const rows = [
      {
        audio: projectPath('samples', 'speech-16k-mono.wav'),
        text: 'The weather is lovely today, so we will walk to the park.',
      },
      {
        audio: projectPath('samples', 'speech-44k-stereo-24bit.wav'),
        text: 'Please call me when you get home tonight.',
      },
      { audio: projectPath('samples', 'speech-16k-mono.wav'), id: 'no-text' },
      { audio: join(dir, 'nowhere.wav'), text: 'gone' },
    ];
    writeFileSync(manifest, rows.map((r) => JSON.stringify(r)).join('\n'));
    const out = join(dir, 'aligned.jsonl');
    const run = attend(['batch', 'align', manifest, '--out', out]);
    expect(run.status).toBe(1); // two rows failed
    expect(run.stdout).toMatch(/^4 items, 2 failed/);
    expect(run.stdout).not.toMatch(/WER/); // the text is the reference: nothing to score
    const byInput = Object.fromEntries(records(out).map((r) => [r.id, r]));
    const mono = byInput[projectPath('samples', 'speech-16k-mono.wav')]!;
    expect(mono.words!.map((w) => w.word)).toEqual(rows[0]!.text!.split(' '));
    expect(mono.words!.at(-1)!.end).toBeLessThanOrEqual(mono.duration!);
    expect(mono.references).toBeUndefined();
    expect(byInput[projectPath('samples', 'speech-44k-stereo-24bit.wav')]!.words).toHaveLength(8);
    expect(byInput['no-text']!.error).toMatch(/no text to align/);
    expect(byInput[join(dir, 'nowhere.wav')]!.error).toMatch(/nowhere\.wav: no such file/);
  });
});
