#!/usr/bin/env bash
# The GPU-machine check, run from the project root with .gpu carried (scripts/device/build.sh --data):
#   bash .gpu/run.sh [phases]      phases: any of doctor suites profile cacheab hostprof bench curves
#                                  (default: doctor suites profile bench curves)
# Each phase has its own time cap so one slow phase cannot eat the others; results go to $OUT.
set -uo pipefail
OUT=${OUT:-/tmp/attend-device}
mkdir -p "$OUT"
source .gpu/enter.sh >"$OUT/doctor.txt" 2>&1
export ATTEND_BACKEND=${ATTEND_BACKEND:-webgpu}
A=(node .gpu/attend.mjs)
PHASES=${1:-doctor suites profile bench curves}
STEPS=${CURVE_STEPS:-200}
phase() { echo "== $1 ($(date +%T))" >&2; }

if [[ $PHASES == *doctor* ]]; then
  phase doctor
  { nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; node -p \
    '`webgpu ${require("./.gpu/node_modules/webgpu/package.json").version}`'
    timeout 45 "${A[@]}" doctor; } >>"$OUT/doctor.txt" 2>&1
  # Without the backend there is nothing to measure: stop, and keep the device time.
  grep -q "^  $ATTEND_BACKEND .*selected" "$OUT/doctor.txt" || { echo "$ATTEND_BACKEND not selected" >&2; exit 3; }
fi
if [[ $PHASES == *suites* ]]; then
  phase suites
  # 98 tests took 120 s on an H100 without reaching the last one (a 500-step toy training run).
  timeout "${SUITES_S:-240}" node .gpu/suites.mjs >"$OUT/suites.txt" 2>&1
  echo "exit $?" >>"$OUT/suites.txt"
fi
if [[ $PHASES == *profile* ]]; then
  # Wall vs kernel time, kernel counts and the kernels that take the device's time, of the
  # training steps (PROFILE_SUBMIT_BATCHES=15,64 also times tfjs's submit batch sizes).
  phase profile
  PROFILE_TOP=${PROFILE_TOP:-12} timeout "${PROFILE_S:-90}" node .gpu/profile.mjs \
    ${PROFILE_CASES:-dispatch/add-relu/per-kernel attention-block/fwd+bwd \
    asr/train-small-b32/utt-per-s caption/train-small/img-per-s} \
    >>"$OUT/profile.jsonl" 2>>"$OUT/profile.err"
  echo "exit $?" >>"$OUT/profile.err"
fi
if [[ $PHASES == *cacheab* ]]; then
  # The bind-group cache off and on, alternating (machines drift within a call): training steps.
  phase cacheab
  for cache in 0 1 0 1; do
    ATTEND_WEBGPU_BIND_GROUP_CACHE=$cache timeout "${CACHEAB_S:-40}" node .gpu/profile.mjs \
      asr/train-small-b32/utt-per-s caption/train-small/img-per-s 2>>"$OUT/cacheab.err" |
      sed "s/^{/{\"bindGroupCache\":$cache,/" >>"$OUT/cacheab.jsonl"
  done
fi
if [[ $PHASES == *hostprof* ]]; then
  # Where the host's time goes in the training steps (node's sampling profiler; read it with
  # Chrome's DevTools or a script): the GPU waits on the host, so this is what to cut next.
  phase hostprof
  timeout "${HOSTPROF_S:-60}" node --cpu-prof --cpu-prof-dir="$OUT/cpuprof" .gpu/profile.mjs \
    asr/train-small-b32/utt-per-s caption/train-small/img-per-s >>"$OUT/hostprof.jsonl" 2>>"$OUT/hostprof.err"
  xz -T4 "$OUT"/cpuprof/*.cpuprofile 2>/dev/null
fi
if [[ $PHASES == *bench* ]]; then
  # The rows the issue asks for first, then the rest in what time is left (--json rows survive a cap).
  phase bench
  bench() {
    timeout "$1" "${A[@]}" bench --json --seconds "${BENCH_SECONDS:-0.5}" --only "$2" \
      >>"$OUT/bench.jsonl" 2>>"$OUT/bench.err"
    echo "exit $? ($2)" >>"$OUT/bench.err"
  }
  bench "${BENCH1_S:-80}" '^(attention-block|asr/|caption/|matmul/1024)'
  bench "${BENCH2_S:-60}" '^(matmul/(256|512)|matmul-bt|encoder-layer|conv2d|lstm|attention/.*/n=(256|1024|4096)/ms)'
fi
if [[ $PHASES == *curves* ]]; then
  phase curves
  rm -rf /tmp/curve-asr /tmp/curve-caption
  [ -s /tmp/scenes-mini/train.jsonl ] ||
    "${A[@]}" dataset scenes --out /tmp/scenes-mini --train 256 --eval 16 --seed 1 >/dev/null 2>&1
  timeout "${CURVE_S:-100}" "${A[@]}" train asr --data .gpu/data/asr-mini --out /tmp/curve-asr \
    --preset small --steps "$STEPS" --eval-every 100000 --warmup 100 --lr 0.001 --seed 1 \
    >"$OUT/curves.txt" 2>&1
  timeout "${CURVE_S:-100}" "${A[@]}" train caption --data /tmp/scenes-mini \
    --out /tmp/curve-caption --preset small --steps "$STEPS" --eval-every 100000 --seed 1 \
    >>"$OUT/curves.txt" 2>&1
  cp /tmp/curve-asr/steps.jsonl "$OUT/curve-asr.jsonl" 2>/dev/null
  cp /tmp/curve-caption/steps.jsonl "$OUT/curve-caption.jsonl" 2>/dev/null
fi
phase end
