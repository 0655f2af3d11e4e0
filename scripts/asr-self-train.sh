#!/usr/bin/env bash
# Unsupervised speaker adaptation, as an experiment: for each speaker of a manifest, fine-tune a
# speech checkpoint on its own hypotheses for that speaker's utterances (no reference text is
# trained on; references only score), then score the speaker before and after. Usage:
#   scripts/asr-self-train.sh MODEL_DIR [MANIFEST] [LIMIT] [WORK_DIR]
# (defaults: data/tts-v2/test.jsonl, its first 300, /tmp/attend-self-train). MODEL_DIR needs its
# lm.json, word-lm.json.gz and decoding.json: the hypotheses and both scores use the full decoding.
# Session 17, checkpoints/asr-en on test300: 32.1% -> 31.2% WER (one round of 120 steps a voice).
set -euo pipefail
model=${1:?usage: scripts/asr-self-train.sh MODEL_DIR [MANIFEST] [LIMIT] [WORK_DIR]}
manifest=${2:-data/tts-v2/test.jsonl}
limit=${3:-300}
work=${4:-/tmp/attend-self-train}
attend() { node "$(dirname "$0")/../bin/attend.js" "$@"; }
wer() { # model, manifest: "WER CER" with the model's decoding
  attend eval asr --model "$1" --data "$2" --json 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.wer.toFixed(4),r.cer.toFixed(4))})'
}
mkdir -p "$work"
# One decode gives the hypotheses and each speaker's score before adaptation.
attend eval asr --model "$model" --data "$manifest" --limit "$limit" --json \
  --hypotheses "$work/hypotheses.jsonl" >"$work/before.json" 2>/dev/null
# One folder a speaker: train.jsonl (= dev.jsonl) with the hypotheses as text, test.jsonl with the
# references, before.txt with its WER and CER from that decode.
node - "$manifest" "$work" <<'JS'
const fs = require('node:fs');
const path = require('node:path');
const [manifest, work] = process.argv.slice(2);
const root = path.dirname(path.resolve(manifest));
const lines = (file) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const duration = new Map(lines(manifest).map((u) => [path.resolve(root, u.audio), u.duration]));
const before = JSON.parse(fs.readFileSync(path.join(work, 'before.json'), 'utf8')).bySpeaker;
const bySpeaker = new Map();
for (const h of lines(path.join(work, 'hypotheses.jsonl'))) {
  const audio = path.resolve(root, h.audio);
  const item = { audio, duration: duration.get(audio), speaker: h.speaker };
  if (!bySpeaker.has(h.speaker)) bySpeaker.set(h.speaker, { pseudo: [], test: [] });
  const group = bySpeaker.get(h.speaker);
  if (h.hypothesis.trim()) group.pseudo.push({ ...item, text: h.hypothesis });
  group.test.push({ ...item, text: h.reference });
}
const jsonl = (items) => `${items.map((i) => JSON.stringify(i)).join('\n')}\n`;
for (const [speaker, { pseudo, test }] of bySpeaker) {
  const dir = path.join(work, speaker.replace(/[^a-z0-9]+/gi, '_'));
  fs.mkdirSync(dir, { recursive: true });
  for (const split of ['train', 'dev']) fs.writeFileSync(path.join(dir, `${split}.jsonl`), jsonl(pseudo));
  fs.writeFileSync(path.join(dir, 'test.jsonl'), jsonl(test));
  const { wer, cer } = before[speaker];
  fs.writeFileSync(path.join(dir, 'before.txt'), `${wer.toFixed(4)} ${cer.toFixed(4)}\n`);
}
JS
for dir in "$work"/*/; do
  speaker=$(basename "$dir")
  [ -f "$dir/test.jsonl" ] || continue
  rm -rf "$work/run-$speaker" "$work/model-$speaker"
  attend train asr --data "$dir" --init "$model" --out "$work/run-$speaker" --steps 120 --lr 0.0001 \
    --warmup 20 --cooldown 100 --dev-utterances 10 --eval-every 1000 >"$work/train-$speaker.log" 2>&1
  adapted="$work/model-$speaker"
  mkdir -p "$adapted"
  cp "$work/run-$speaker"/latest/{model.json,weights.bin,tokenizer.json} "$adapted/"
  cp "$model"/{lm.json,word-lm.json.gz,decoding.json} "$adapted/"
  echo "$speaker: before $(cat "$dir/before.txt")  after $(wer "$adapted" "$dir/test.jsonl")  (WER CER)"
done
