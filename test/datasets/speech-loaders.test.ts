import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readSpeechManifest } from '../../datasets/manifest.js';
import { readAsteriskPrompts } from '../../datasets/speech/asterisk.js';
import { readLibriSpeech } from '../../datasets/speech/librispeech.js';
import { encodeWav16 } from '../../src/audio/wav.js';
import { projectPath } from '../../src/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'attend-speech-loaders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('speech corpora on disk', () => {
  it('reads the LibriSpeech folder layout: flac per utterance id, lower-cased text, speaker', () => {
    const root = projectPath('test', 'fixtures', 'librispeech', 'dev-clean');
    const items = readLibriSpeech(root);
    expect(items.map((i) => [i.audio.slice(root.length + 1), i.text, i.speaker])).toEqual([
      ['174/50561/174-50561-0000.flac', 'a quiet street in the rain', 'librispeech:174'],
      ['84/121123/84-121123-0000.flac', 'the red boat sailed at dawn', 'librispeech:84'],
      ['84/121123/84-121123-0001.flac', 'nobody on the pier saw it leave', 'librispeech:84'],
    ]);
    expect(() => readLibriSpeech(dir)).toThrow(/no \*\.trans\.txt files/);
  });

  it('takes LibriSpeech durations from the FLAC headers; a missing file has duration 0', () => {
    const chapter = join(dir, 'LibriSpeech', 'dev-clean', '7', '9');
    mkdirSync(chapter, { recursive: true });
    writeFileSync(join(chapter, '7-9.trans.txt'), '7-9-0000 HELLO THERE\n7-9-0001 GONE\n');
    const wav = join(dir, 'tone.wav');
    // 1.25 s at 44.1 kHz, stereo: the header's rate and sample count, not 16 kHz mono, decide.
    writeFileSync(
      wav,
      encodeWav16({
        sampleRate: 44100,
        channels: [new Float32Array(55125), new Float32Array(55125)],
      }),
    );
    const sox = spawnSync('sox', [wav, join(chapter, '7-9-0000.flac')], { encoding: 'utf8' });
    expect(sox.status, sox.stderr).toBe(0);
    const items = readLibriSpeech(join(dir, 'LibriSpeech', 'dev-clean'));
    expect(items.map((i) => [i.text, i.duration])).toEqual([
      ['hello there', 1.25],
      ['gone', 0],
    ]);
  });

  it('reads CSV manifests (quoted commas) and JSONL, naming the line of a bad row', () => {
    const csv = join(dir, 'speech.csv');
    writeFileSync(
      csv,
      'path,text,speaker\nclips/a.wav,"yes, please",ann\n/abs/b.wav,no thanks,bob\n',
    );
    expect(readSpeechManifest(csv)).toEqual([
      { audio: join(dir, 'clips/a.wav'), text: 'yes, please', duration: 0, speaker: 'ann' },
      { audio: '/abs/b.wav', text: 'no thanks', duration: 0, speaker: 'bob' },
    ]);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"audio": "a.wav", "text": "hi"}\n{"audio": "b.wav"}\n');
    expect(() => readSpeechManifest(bad)).toThrow(/bad\.jsonl:2: needs "audio"/);
  });
});

describe('Asterisk prompts (real speech Debian ships)', () => {
  it('pairs each transcript line with its WAV, keeps only texts in the alphabet, splits by text', () => {
    const sounds = join(dir, 'sounds');
    mkdirSync(join(sounds, 'digits'), { recursive: true });
    // 8 kHz like the real prompts, 0.5 s each.
    const wav = encodeWav16({ sampleRate: 8000, channels: [new Float32Array(4000)] });
    for (const name of ['activated', 'agent-pass', 'digits/1', 'vm-ext'])
      writeFileSync(join(sounds, `${name}.wav`), wav);
    const transcripts = join(dir, 'core-sounds-en.txt.gz');
    writeFileSync(
      transcripts,
      gzipSync(
        '; Core Asterisk Sounds in English\n\nactivated: Activated.\nagent-pass: Please enter your password, followed by the pound key.\ndigits/1: one\nvm-ext: Extension 1234.\nmissing: Not recorded.\n',
      ),
    );
    const items = readAsteriskPrompts(sounds, transcripts);
    expect(items.map((i) => [i.audio.slice(sounds.length + 1), i.text])).toEqual([
      ['activated.wav', 'activated'],
      ['agent-pass.wav', 'please enter your password followed by the pound key'],
      ['digits/1.wav', 'one'],
    ]);
    expect(items.every((i) => ['train', 'dev', 'test'].includes(i.split))).toBe(true);
    expect(items.map((i) => i.duration)).toEqual([0.5, 0.5, 0.5]);
    expect(() => readAsteriskPrompts(join(dir, 'nowhere'), transcripts)).toThrow(
      /apt-get install asterisk-core-sounds-en-wav/,
    );
  });
});
