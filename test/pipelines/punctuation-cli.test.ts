import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attend } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-punct-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('attend eval punctuation', () => {
  it('scores the shipped model on your own text against the rule', () => {
    const text = join(dir, 'text.txt');
    writeFileSync(
      text,
      'Where are you going tonight? I am going home, then to bed. Nobody knows why the sky is blue.',
    );
    const result = attend(['eval', 'punctuation', '--text-file', text, '--json']);
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    // Each sentence starts passages of 1-3 sentences; these three share a split: 3 + 2 + 1.
    expect(summary.passages).toBe(6);
    expect(summary.scores.words).toBe(summary.baseline.words);
    expect(summary.scores.marks['?'].support).toBeGreaterThan(0);
  });

  it('names the file and line of a hypotheses file it cannot read', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"reference":"a b c","hypothesis":"a b c"}\nnot json\n');
    const result = attend(['eval', 'punctuation', '--hypotheses', bad]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`attend: ${bad}:2: not a JSON line`);
    writeFileSync(bad, '{"text":"a"}\n');
    expect(attend(['eval', 'punctuation', '--hypotheses', bad]).stderr.trim()).toBe(
      `attend: ${bad}:1: no "reference" and "hypothesis" (attend eval asr --hypotheses writes them)`,
    );
  });
});
