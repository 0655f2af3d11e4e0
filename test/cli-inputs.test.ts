import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attentionMapPath, checkDistinctStems } from '../src/cli/output-paths.js';
import { projectPath } from '../src/paths.js';
import { attend } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-cli-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--attention-map paths', () => {
  it('a .png is the file (suffixed per input when several); anything else is a folder', () => {
    expect(attentionMapPath('out/map.png', 'a/b.wav', 1)).toBe('out/map.png');
    expect(attentionMapPath('out/map.PNG', 'a/b.wav', 2)).toBe('out/map-b.png');
    expect(attentionMapPath(join(dir, 'maps'), 'a/b.wav', 1)).toBe(
      join(dir, 'maps', 'b.attention.png'),
    );
    expect(existsSync(join(dir, 'maps'))).toBe(true);
    expect(attentionMapPath(join(dir, 'maps'), '-', 1)).toBe(
      join(dir, 'maps', 'stdin.attention.png'),
    );
  });

  it('inputs that would write the same output file are refused, naming both', () => {
    expect(() => checkDistinctStems(['a/x.wav', 'b/y.wav', 'a/x.wav'])).not.toThrow();
    expect(() => checkDistinctStems(['a/x.wav', 'b/x.flac'])).toThrow(
      /a\/x\.wav and b\/x\.flac would write the same output file \(x\.\*\)/,
    );
  });
});

describe('subtitles of several files', () => {
  const wavs = ['speech-16k-mono.wav', 'speech-44k-stereo-24bit.wav'].map((name) =>
    projectPath('samples', name),
  );

  it('are one file each with --output-dir, and an error without it', () => {
    const mixed = attend(['transcribe', ...wavs, '--format', 'srt']);
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toMatch(/subtitles are per file; add --output-dir DIR/);
    const out = join(dir, 'subs');
    const written = attend(['transcribe', ...wavs, '--format', 'vtt', '--output-dir', out]);
    expect(written.status, written.stderr).toBe(0);
    expect(written.stdout).toBe('');
    const texts = attend(['transcribe', ...wavs])
      .stdout.trim()
      .split('\n');
    for (const [i, name] of ['speech-16k-mono', 'speech-44k-stereo-24bit'].entries()) {
      const vtt = readFileSync(join(out, `${name}.vtt`), 'utf8');
      expect(vtt).toMatch(/^WEBVTT\n\n00:00:0\d\.\d{3} --> /);
      expect(
        vtt
          .split('\n')
          .filter((l) => /^[a-z]/.test(l))
          .join(' '),
      ).toBe(texts[i]!.split('\t')[1]);
    }
  });
});

// The shipped models, as a user runs them: `-` reads standard input.
describe('standard input and folders', () => {
  it('transcribe - reads a piped WAV and gives the text the file gives', () => {
    const wav = projectPath('samples', 'speech-16k-mono.wav');
    const fromFile = attend(['transcribe', wav]);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const piped = attend(['transcribe', '-', '--format', 'json'], {}, readFileSync(wav));
    expect(piped.status, piped.stderr).toBe(0);
    const result = JSON.parse(piped.stdout) as { file: string; text: string };
    expect(result.file).toBe('-');
    expect(result.text).toBe(fromFile.stdout.trim());
    // A WAV cut short is transcribed as far as it goes, with one line saying so.
    const cut = attend(['transcribe', '-'], {}, readFileSync(wav).subarray(0, 30000));
    expect(cut.status).toBe(0);
    expect(cut.stdout.trim().split(' ').length).toBeGreaterThan(1);
    expect(cut.stderr.trim()).toBe(
      'attend: standard input: the WAV header promises 3.24 s of audio, the file holds 0.94 s (cut short?): reading what is there',
    );
  });

  it('caption - reads a piped image and writes its attention map to the .png named', () => {
    const png = projectPath('samples', 'scene-1.png');
    const map = join(dir, 'piped.png');
    const piped = attend(['caption', '-', '--attention-map', map], {}, readFileSync(png));
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout.trim()).toBe(attend(['caption', png]).stdout.trim());
    expect(readFileSync(map).subarray(1, 4).toString()).toBe('PNG');
  });

  it('a folder is a one-line error pointing at the batch command', () => {
    const audio = attend(['transcribe', dir]);
    expect(audio.status).toBe(1);
    expect(audio.stderr).toMatch(/is a folder, not an audio file \(attend batch transcribe/);
    expect(audio.stderr).not.toMatch(/\n\s+at /);
    const image = attend(['caption', dir]);
    expect(image.status).toBe(1);
    expect(image.stderr).toMatch(/is a folder, not an image \(attend batch caption/);
  });
});
