// Copies the shortest N training and M dev utterances of a speech corpus (manifest + WAVs) into a
// new folder: a corpus small enough to carry to the GPU machine for backend-comparison runs.
// Usage: node scripts/device/mini-corpus.mjs data/tts-v1 .gpu/data/asr-mini 64 16
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [from, to, trainCount, devCount] = process.argv.slice(2);
if (!from || !to) throw new Error('usage: mini-corpus.mjs FROM TO [TRAIN] [DEV]');
for (const [split, count] of [
  ['train', Number(trainCount ?? 64)],
  ['dev', Number(devCount ?? 16)],
]) {
  const rows = readFileSync(join(from, `${split}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((row) => row.duration >= 1.5)
    .sort((a, b) => a.duration - b.duration || a.audio.localeCompare(b.audio))
    .slice(0, count);
  for (const row of rows) {
    mkdirSync(dirname(join(to, row.audio)), { recursive: true });
    copyFileSync(join(from, row.audio), join(to, row.audio));
  }
  writeFileSync(join(to, `${split}.jsonl`), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
}
