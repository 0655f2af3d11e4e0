import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadVariables } from '../../src/io/checkpoint.js';
import { projectPath } from '../../src/paths.js';
import type { TrainState } from '../../src/train/loop.js';
import { attend } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'scenes');
const state = (run: string) =>
  JSON.parse(readFileSync(join(run, 'latest', 'train-state.json'), 'utf8')) as TrainState;
const train = (run: string, ...extra: string[]) => [
  'train',
  'caption',
  '--data',
  data,
  '--out',
  run,
  '--preset',
  'tiny',
  '--batch-size',
  '8',
  '--dev-images',
  '8',
  ...extra,
];

describe('the training loop (through attend train caption)', () => {
  it('checkpoints best/ and latest/, resumes where it stopped, and stops promptly on SIGTERM', async () => {
    expect(
      attend(['dataset', 'scenes', '--out', data, '--train', '48', '--eval', '8', '--size', '32'])
        .status,
    ).toBe(0);
    const run = join(dir, 'run');
    const first = attend(train(run, '--steps', '6', '--eval-every', '3', '--snapshots', '2'));
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/stopped at step 6; best dev CIDEr-D/);
    expect(existsSync(join(run, 'best', 'model.json'))).toBe(true);
    expect(existsSync(join(run, 'latest', 'optimizer', 'model.json'))).toBe(true);
    expect(state(run)).toMatchObject({ step: 6 });
    expect(state(run).history.map((h) => h.step)).toEqual([3, 6]);

    // Asking for 9 steps in all continues from step 6 (the epoch and history carry on), here with
    // the last two steps cooling down.
    expect(
      attend(train(run, '--steps', '9', '--eval-every', '3', '--snapshots', '2', '--cooldown', '2'))
        .status,
    ).toBe(0);
    expect(state(run).step).toBe(9);
    expect(state(run).history.map((h) => h.step)).toEqual([3, 6, 9]);
    // The last two evaluations' models are kept, and average to their mean.
    const snapshots = join(run, 'snapshots');
    expect(readdirSync(snapshots)).toEqual(['step-0000006', 'step-0000009']);
    const averaged = join(dir, 'averaged');
    const kept = readdirSync(snapshots).map((name) => join(snapshots, name));
    const average = attend(['train', 'average', ...kept, '--out', averaged]);
    expect(average.status, average.stderr).toBe(0);
    const [six, nine, mean] = [...kept, averaged].map((d) => loadVariables(d).tensors);
    for (const name of Object.keys(mean!)) {
      const expected = [six, nine].map((t) => t![name]!.dataSync());
      const got = mean![name]!.dataSync();
      got.forEach((v, i) => {
        expect(v).toBeCloseTo((expected[0]![i]! + expected[1]![i]!) / 2, 6);
      });
    }
    expect(attend(['train', 'average', '--out', averaged]).status).not.toBe(0);
    // Every step's losses are logged, across the resume.
    const steps = (r: string) =>
      readFileSync(join(r, 'steps.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { step: number; loss: number; lr: number });
    expect(steps(run).map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The rate each step used: caption's warm-up (peak 0.002 at 300) throughout, and from the
    // resumed run's --cooldown 2 on, 2/3 and 1/3 of it at steps 8 and 9.
    const warm = (step: number) => (0.002 * step) / 300;
    const rates = steps(run).map((s) => s.lr);
    [1, 2, 3, 4, 5, 6, 7].forEach((step, i) => {
      expect(rates[i]).toBeCloseTo(warm(step), 12);
    });
    expect(rates[7]).toBeCloseTo((warm(8) * 2) / 3, 12);
    expect(rates[8]).toBeCloseTo(warm(9) / 3, 12);

    // The same seed gives the same run, dropout masks included (what backend comparisons rely on).
    const again = join(dir, 'again');
    expect(attend(train(again, '--steps', '3', '--eval-every', '3')).status).toBe(0);
    expect(steps(again).map((s) => s.loss)).toEqual(
      steps(run)
        .slice(0, 3)
        .map((s) => s.loss),
    );

    // SIGTERM mid-run (no evaluation due): it saves the step it stopped at and exits promptly. On a
    // quiet machine the tiny model runs past 1000 steps before the progress bar first reports.
    const long = join(dir, 'long');
    const child = spawn(
      process.execPath,
      [projectPath('bin', 'attend.js'), ...train(long, '--eval-every', '100000')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    for (let t = 0; t < 600 && !/train caption .* [3-9]\/100000/.test(stderr); t++)
      await new Promise((r) => setTimeout(r, 100));
    const sent = performance.now();
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(performance.now() - sent).toBeLessThan(15_000);
    expect(state(long).step).toBeGreaterThanOrEqual(3);
    expect(state(long).step).toBe(steps(long).at(-1)!.step); // saved where it stopped
  });

  it('fine-tunes from a checkpoint with --init: its weights, a fresh schedule', () => {
    // A checkpoint no fresh run could start from: the trained model with every weight moved +0.5.
    const from = join(dir, 'shifted');
    cpSync(join(dir, 'run', 'best'), from, { recursive: true });
    const bytes = readFileSync(join(from, 'weights.bin'));
    const weights = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    for (let i = 0; i < weights.length; i++) weights[i]! += 0.5;
    writeFileSync(join(from, 'weights.bin'), bytes);
    const model = JSON.parse(readFileSync(join(from, 'model.json'), 'utf8'));
    model.weightsSha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(from, 'model.json'), JSON.stringify(model));
    const tuned = join(dir, 'tuned');
    // One step at a negligible rate: the run starts at step 0 from exactly the checkpoint.
    const fine = attend(
      train(tuned, '--init', from, '--steps', '1', '--eval-every', '1', '--lr', '1e-12'),
    );
    expect(fine.status, fine.stderr).toBe(0);
    expect(state(tuned)).toMatchObject({ step: 1 });
    const card = JSON.parse(readFileSync(join(tuned, 'latest', 'card.json'), 'utf8'));
    expect(card).toMatchObject({ initFrom: from });
    expect(card.retrain).toContain(`--init ${from}`);
    const [init, after] = [from, join(tuned, 'latest')].map((d) => loadVariables(d).tensors);
    let gap = 0;
    for (const name of Object.keys(init!)) {
      const [a, b] = [init, after].map((t) => t![name]!.dataSync());
      a!.forEach((v, i) => {
        gap = Math.max(gap, Math.abs(v - b![i]!));
      });
    }
    expect(gap).toBeLessThan(1e-6);
    const missing = attend(train(join(dir, 'nowhere-run'), '--init', join(dir, 'nowhere')));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(join(dir, 'nowhere'));
    expect(missing.stderr).not.toMatch(/\n\s+at /); // one line, not a stack trace
  });
});
