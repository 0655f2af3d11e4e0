import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AttendError } from '../../src/errors.js';
import { presetNamed, startingModel } from '../../src/train/start.js';

describe('presetNamed', () => {
  const presets = { small: 1, tiny: 2 };

  it('finds a preset by name and names the ones there are when it is unknown', () => {
    expect(presetNamed(presets, 'tiny')).toBe(2);
    expect(() => presetNamed(presets, 'huge')).toThrow(AttendError);
    expect(() => presetNamed(presets, 'huge')).toThrow("unknown preset 'huge' (have small, tiny)");
  });
});

describe('startingModel', () => {
  const runs: string[] = [];
  const run = () => {
    const out = mkdtempSync(join(tmpdir(), 'attend-start-'));
    runs.push(out);
    return out;
  };
  afterAll(() => {
    for (const out of runs) rmSync(out, { recursive: true, force: true });
  });
  const loadFrom = (dir: string) => `loaded ${dir}`;
  const fresh = () => 'fresh';

  it('starts fresh without a saved state or --init, and from --init when given', () => {
    const out = run();
    expect(startingModel(out, undefined, loadFrom, fresh)).toEqual({
      model: 'fresh',
      resumeState: undefined,
    });
    expect(startingModel(out, '/models/base', loadFrom, fresh).model).toBe('loaded /models/base');
  });

  it('resumes from <out>/latest when it holds a train state, before --init', () => {
    const out = run();
    // A latest/ without train-state.json (a half-copied folder) is not a run to resume.
    mkdirSync(join(out, 'latest'));
    expect(startingModel(out, undefined, loadFrom, fresh).model).toBe('fresh');
    writeFileSync(
      join(out, 'latest', 'train-state.json'),
      JSON.stringify({ step: 7, bestWer: 0.4 }),
    );
    const started = startingModel(out, '/models/base', loadFrom, fresh);
    expect(started.model).toBe(`loaded ${join(out, 'latest')}`);
    // Runs saved before `best` existed kept `bestWer`: it is read as `best`.
    expect(started.resumeState).toMatchObject({ step: 7, best: 0.4 });
  });
});
