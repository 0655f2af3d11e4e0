import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type LiveUtterance, transcribeStream } from '../../pipelines/listen.js';
import { type AsrPipeline, createAsrPipeline } from '../../pipelines/transcribe.js';
import { projectPath } from '../../src/paths.js';
import { attend } from '../helpers/cli.js';
import { conversation } from '../helpers/conversation.js';
import { ready } from '../helpers/runtime.js';

describe('live transcription', () => {
  let pipeline: AsrPipeline;
  let wav: Uint8Array;
  beforeAll(async () => {
    await ready;
    pipeline = createAsrPipeline();
    wav = await conversation();
  });
  afterAll(() => pipeline?.dispose());

  it('yields each utterance once its pause has arrived, before the stream ends', async () => {
    let sent = 0;
    const sentWhenYielded: number[] = [];
    async function* arriving() {
      for (let i = 0; i < wav.length; i += 3200) {
        sent = i + 3200;
        yield wav.subarray(i, i + 3200); // 0.1 s a chunk
      }
    }
    const heard: LiveUtterance[] = [];
    for await (const u of transcribeStream(pipeline, arriving(), { name: 'mic' })) {
      heard.push(u);
      sentWhenYielded.push(Math.min(sent, wav.length) / 32000);
    }
    expect(heard.map((u) => u.text)).toEqual([
      expect.stringMatching(/^the weather is lovely today so we will \w+ to the p/),
      expect.stringMatching(/^please call me when you get /),
    ]);
    // The first was out 0.5 s after its speech ended, with 5 s of the stream still to come.
    expect(sentWhenYielded[0]).toBeLessThan(3.9);
    // Times are on the stream's clock: the second utterance starts after the 1.5 s gap.
    expect(heard[0]!.start).toBeLessThan(0.3);
    expect(heard[1]!.start).toBeGreaterThan(4.3);
    expect(heard[1]!.words[0]!.start).toBe(heard[1]!.start);
    expect(heard[1]!.end).toBeLessThan(7.6);
  });

  it('with partialSeconds also yields the utterance in progress, and the same final ones', async () => {
    async function* arriving() {
      for (let i = 0; i < wav.length; i += 3200) yield wav.subarray(i, i + 3200);
    }
    const heard: LiveUtterance[] = [];
    for await (const u of transcribeStream(pipeline, arriving(), {
      name: 'mic',
      partialSeconds: 1,
    }))
      heard.push(u);
    const finals = heard.filter((u) => !u.partial);
    expect(finals.map((u) => u.text)).toEqual([
      expect.stringMatching(/^the weather is lovely today/),
      expect.stringMatching(/^please call me when you get /),
    ]);
    // Each final utterance is preceded by interim ones that start where it starts and grow.
    const before = heard.slice(0, heard.indexOf(finals[0]!));
    expect(before.length).toBeGreaterThan(0);
    for (const p of before) {
      expect(p.partial).toBe(true);
      expect(p.start).toBe(finals[0]!.start);
      expect(p.end).toBeLessThanOrEqual(finals[0]!.end);
    }
    const words = (u: LiveUtterance) => u.text.split(' ').length;
    expect(words(before[0]!)).toBeLessThan(words(finals[0]!));
  });

  it('attend listen reads a WAV or raw PCM from standard input; garbage is one line', () => {
    const lines = (r: { stdout: string }) => r.stdout.trim().split('\n');
    const fromWav = attend(['listen'], {}, Buffer.from(wav));
    expect(fromWav.status).toBe(0);
    expect(lines(fromWav)).toEqual([
      expect.stringMatching(/^\[0\.\d\d --> 2\.\d\d\] the weather is lovely/),
      expect.stringMatching(/^\[4\.\d\d --> 7\.\d\d\] please call me/),
    ]);
    const raw = Buffer.from(wav.subarray(44));
    const fromRaw = attend(['listen', '--raw', '16000', '--format', 'json'], {}, raw);
    expect(lines(fromRaw).map((l) => (JSON.parse(l) as LiveUtterance).text)).toEqual(
      lines(fromWav).map((l) => l.replace(/^\[.*?\] /, '')),
    );
    // Subtitles of a live recording: a numbered cue per utterance.
    const srt = attend(['listen', '--format', 'srt'], {}, Buffer.from(wav));
    expect(srt.stdout).toMatch(
      /^1\n00:00:00,\d{3} --> 00:00:02,\d{3}\nthe weather is lovely[^\n]*\n\n2\n00:00:04,\d{3} --> 00:00:07,\d{3}\nplease call me[^\n]*\n\n$/,
    );
    const garbage = attend(['listen'], {}, Buffer.from('this is not audio at all'));
    expect(garbage.status).toBe(1);
    expect(garbage.stderr.trim()).toBe(
      'attend: standard input: not a WAV stream (no RIFF/WAVE header); for headerless 16-bit PCM give its rate with --raw RATE',
    );
  });

  it('attend listen prints the utterance in progress when it is stopped (Ctrl-C)', async () => {
    // The sample ends 0.4 s after its speech: less than the pause that ends an utterance.
    const child = spawn(process.execPath, [projectPath('bin', 'attend.js'), 'listen'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stdin.write(readFileSync(projectPath('samples', 'speech-16k-mono.wav')));
    // Stdin stays open, as a recorder's pipe does; wait until the model has loaded and read it.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(out).toBe('');
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(out).toMatch(/^\[0\.\d\d --> 2\.\d\d\] the weather is lovely today/);
  });
});
