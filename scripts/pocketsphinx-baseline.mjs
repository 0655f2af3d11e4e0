#!/usr/bin/env node
// A peer baseline for the ASR model card: Debian's pocketsphinx (en-us acoustic model + its
// generic language model) on a speech manifest, scored with attend's WER/CER.
//   apt-get install pocketsphinx pocketsphinx-en-us
//   node scripts/pocketsphinx-baseline.mjs data/tts-v1/test.jsonl [limit]
import { spawnSync } from 'node:child_process';
import { readSpeechManifest } from '../dist/datasets/manifest.js';
import { charErrorRate, wordErrorRate } from '../dist/src/metrics/edit-distance.js';

const [manifest, limit] = process.argv.slice(2);
if (!manifest) {
  console.error('usage: node scripts/pocketsphinx-baseline.mjs MANIFEST.jsonl [LIMIT]');
  process.exit(2);
}
const items = readSpeechManifest(manifest).slice(0, limit ? Number(limit) : undefined);
const pairs = [];
const started = performance.now();
let audioSeconds = 0;
for (const [i, item] of items.entries()) {
  const run = spawnSync('pocketsphinx_continuous', ['-infile', item.audio, '-logfn', '/dev/null'], {
    encoding: 'utf8',
  });
  if (run.error) {
    console.error(
      `pocketsphinx_continuous: ${run.error.message} (apt-get install pocketsphinx pocketsphinx-en-us)`,
    );
    process.exit(1);
  }
  const hypothesis = run.stdout.replace(/\s+/g, ' ').trim().toLowerCase();
  pairs.push([item.text, hypothesis]);
  audioSeconds += item.duration;
  if ((i + 1) % 25 === 0) process.stderr.write(`${i + 1}/${items.length}\r`);
}
const seconds = (performance.now() - started) / 1000;
const wer = wordErrorRate(pairs);
const cer = charErrorRate(pairs);
console.log(
  JSON.stringify({
    recogniser: 'pocketsphinx 0.8+5prealpha (Debian), en-us model',
    manifest,
    utterances: pairs.length,
    wer: wer.rate,
    cer: cer.rate,
    rtf: seconds / audioSeconds,
  }),
);
