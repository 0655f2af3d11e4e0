import { readFileSync } from 'node:fs';
import { DEFAULT_CAPTION_MODEL } from '../../pipelines/caption.js';
import { startServer } from '../../pipelines/serve/server.js';
import { DEFAULT_ASR_MODEL } from '../../pipelines/transcribe.js';
import { projectPath } from '../paths.js';
import type { Workload } from './blocks.js';
import type { BenchCase } from './cases.js';

const ENDPOINTS = {
  transcribe: { path: '/v1/transcribe', sample: 'speech-16k-mono.wav' },
  caption: { path: '/v1/caption', sample: 'scene-1.png' },
} as const;

/**
 * `attend serve` end to end over loopback HTTP: `concurrency` clients each uploading the sample
 * `rounds` times, one request after another; requests/s over all of them. Concurrency 1 is a
 * client waiting for each answer; higher ones show what micro-batching gives (batch size 8).
 */
function serveRun(task: keyof typeof ENDPOINTS, concurrency: number): Workload {
  const { path, sample } = ENDPOINTS[task];
  const body = readFileSync(projectPath('samples', sample));
  const server = startServer(
    {
      models: { transcribe: DEFAULT_ASR_MODEL, caption: DEFAULT_CAPTION_MODEL },
      batchSize: 8,
      waitMs: 20,
      maxBytes: 2 ** 26,
    },
    0,
    '127.0.0.1',
  );
  const rounds = 4;
  const client = async (url: string) => {
    for (let i = 0; i < rounds; i++) {
      const response = await fetch(`${url}${path}`, { method: 'POST', body });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  return {
    step: async () => {
      const { url } = await server;
      await Promise.all(Array.from({ length: concurrency }, () => client(url)));
    },
    value: (seconds) => (concurrency * rounds) / seconds,
    dispose: () => {
      void server.then((s) => s.close());
    },
  };
}

export const SERVE_CASES: BenchCase[] = (['transcribe', 'caption'] as const).flatMap((task) =>
  [1, 8].map((concurrency) => ({
    name: `serve/${task}/clients${concurrency}/requests-per-s`,
    unit: 'items/s' as const,
    // 32 uploads a step: a minute and more on pure JS.
    skip: (backend: string, full: boolean) =>
      task === 'transcribe' && backend === 'cpu' && !full
        ? 'about 1 min a step on cpu; run with --full'
        : undefined,
    create: () => serveRun(task, concurrency),
  })),
);
