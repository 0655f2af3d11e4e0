# attend on its native CPU backend, with the shipped models:
#   docker build -t attend .
#   docker run --rm -v "$PWD:/data" attend transcribe /data/speech.wav
#   docker run --rm -p 8080:8080 attend serve --host 0.0.0.0
# The image runs on any x86-64 CPU from ~2009 on (the native kernels are built for x86-64-v2, not
# for the build machine's CPU; OpenBLAS still picks its AVX2/AVX-512 kernels at run time).

FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends libopenblas-dev pkg-config g++ make python3 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /attend
COPY . .
# npm ci builds the native addon (scripts/build-native.mjs) and dist/ (prepare); the optional
# tfjs-node packages fail to download libtensorflow without internet and are skipped.
# Node's own headers (the image ships them under /usr/local) instead of a download.
ENV ATTEND_NATIVE_MARCH=x86-64-v2 npm_config_nodedir=/usr/local
RUN npm ci --no-audit --no-fund \
  && grep -qx built native/build/status.txt \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# The native addon links OpenBLAS and OpenMP; attend decodes and resamples audio itself.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libopenblas0 libgomp1 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /attend
COPY --from=build /attend /attend
RUN ln -s /attend/bin/attend.js /usr/local/bin/attend
ENTRYPOINT ["attend"]
CMD ["--help"]
