#!/usr/bin/env bash
# Evaluates a speech checkpoint the way checkpoints/asr-en/card.json reports it, so a candidate can
# be compared with the shipped model before it replaces it. Usage:
#   scripts/asr-candidate.sh CANDIDATE_DIR [CORPUS...]
# CANDIDATE_DIR holds model.json, weights.bin, tokenizer.json (e.g. copied from a run's best/ or
# made by `attend train average`). It gets LMs (lm.json and word-lm.json.gz, counted over the CORPUS folders'
# training text, default the corpora asr-en trains on, and the training-split sentences of the
# text sources in $ASR_LM_TEXT: default fortunes,wordnet, ASR_LM_TEXT= for none) and tuned decoding
# (decoding.json, tuned on the first 100 dev utterances of data/tts-v2), then prints WER/CER on
# the first 300 test utterances (held-out sentences and voices; by voice; also with warp search
# at seven and at three warps),
# dev100 (shipped decoding and greedy) and Asterisk's real prompts. Results also go to
# CANDIDATE_DIR/candidate-eval.jsonl.
set -euo pipefail
model=${1:?usage: scripts/asr-candidate.sh CANDIDATE_DIR [CORPUS...]}
shift
corpora=("$@")
[ ${#corpora[@]} -gt 0 ] || corpora=(data/tts-v2 data/asterisk)
attend() { node "$(dirname "$0")/../bin/attend.js" "$@"; }
lm_args=()
for corpus in "${corpora[@]}"; do lm_args+=(--data "$corpus"); done
lm_text=${ASR_LM_TEXT-fortunes,wordnet}
[ -z "$lm_text" ] || lm_args+=(--text "$lm_text")
attend train lm "${lm_args[@]}" --model "$model" --order 6 --word-order 3
attend eval asr --data data/tts-v2/dev.jsonl --model "$model" --limit 100 --tune \
  --ctc-weights 0.3,0.4 --lm-weights 0.2,0.3 --lexicon-weights 1 --word-lm-weights 0.3,0.4
results="$model/candidate-eval.jsonl"
: >"$results"
evaluate() { # name, then eval options
  local name=$1
  shift
  attend eval asr --model "$model" --json "$@" 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);const by=Object.fromEntries(Object.entries(r.bySpeaker??{}).map(([k,v])=>[k,+v.wer.toFixed(3)]));console.log(JSON.stringify({set:process.argv[1],wer:+r.wer.toFixed(4),cer:+r.cer.toFixed(4),rtf:+r.rtf.toFixed(3),...(Object.keys(by).length>1?{byVoice:by}:{})}))})' "$name" |
    tee -a "$results"
}
evaluate test300 --data data/tts-v2/test.jsonl --limit 300
# Test-time warp search (README: --warps): the same test, each utterance decoded at seven warps.
evaluate test300-warps --data data/tts-v2/test.jsonl --limit 300 --warps 0.85,0.9,0.95,1,1.05,1.1,1.15
# Three warps: as good as the seven for the shipped model at three decodes instead of seven.
evaluate test300-warps3 --data data/tts-v2/test.jsonl --limit 300 --warps 0.9,1,1.1
evaluate dev100 --data data/tts-v2/dev.jsonl --limit 100
evaluate dev100-greedy --data data/tts-v2/dev.jsonl --limit 100 --beam 1
evaluate asterisk-test --data data/asterisk/test.jsonl
