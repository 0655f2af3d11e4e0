import { type ChildProcess, fork } from 'node:child_process';
import { AttendError } from '../../src/errors.js';
import { projectPath } from '../../src/paths.js';
import type { BatchItem } from './inputs.js';
import type { BatchRecord } from './output.js';
import type { ProcessorOptions } from './processor.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

/** Runs chunks on a pool of worker processes, each with its own backend and model. */
export interface ChunkRunner {
  run(items: BatchItem[]): Promise<BatchRecord[]>;
  close(): Promise<void>;
}

interface Worker {
  readonly child: ChildProcess;
  pending?: {
    chunk: number;
    items: BatchItem[];
    resolve: (r: BatchRecord[]) => void;
    reject: (e: Error) => void;
  };
}

/**
 * Starts `count` workers. Each gets one BLAS/OpenMP thread (the cores are shared out by the pool).
 * A worker that dies takes only its chunk with it: the chunk's items come back as errors.
 */
export async function startPool(
  count: number,
  options: ProcessorOptions,
  backend?: string,
): Promise<ChunkRunner> {
  const script = projectPath('dist', 'pipelines', 'batch', 'worker.js');
  const idle: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  let chunkIds = 0;
  const release = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  const start = () =>
    new Promise<Worker>((resolve, reject) => {
      const child = fork(script, [], {
        env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const worker: Worker = { child };
      child.on('message', (message: WorkerReply) => {
        if (message.type === 'ready') resolve(worker);
        else if (message.type === 'fatal') {
          if (worker.pending) worker.pending.reject(new Error(message.message));
          else reject(new AttendError(`batch worker failed to start: ${message.message}`));
        } else if (message.type === 'records' && worker.pending?.chunk === message.chunk) {
          const { resolve: done } = worker.pending;
          worker.pending = undefined;
          done(message.records);
          release(worker);
        }
      });
      child.on('exit', (code, signal) => {
        const pending = worker.pending;
        worker.pending = undefined;
        pending?.reject(new Error(`worker exited (${signal ?? code}) while processing`));
        reject(new AttendError(`batch worker exited before it was ready (${signal ?? code})`));
      });
      child.send({
        type: 'init',
        options,
        ...(backend ? { backend } : {}),
      } satisfies WorkerRequest);
    });
  const workers = await Promise.all(Array.from({ length: count }, start));
  idle.push(...workers);
  return {
    async run(items) {
      const worker = idle.pop() ?? (await new Promise<Worker>((resolve) => waiting.push(resolve)));
      if (worker.child.exitCode !== null || worker.child.signalCode !== null)
        return items.map((i) => ({ id: i.id, input: i.input, error: 'batch worker is gone' }));
      const chunk = ++chunkIds;
      try {
        return await new Promise<BatchRecord[]>((resolve, reject) => {
          worker.pending = { chunk, items, resolve, reject };
          worker.child.send({ type: 'chunk', chunk, items } satisfies WorkerRequest);
        });
      } catch (error) {
        release(worker);
        const why = error instanceof Error ? error.message : String(error);
        return items.map((i) => ({ id: i.id, input: i.input, error: `internal error: ${why}` }));
      }
    },
    async close() {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
              w.child.once('exit', () => resolve());
              w.child.send({ type: 'stop' } satisfies WorkerRequest);
            }),
        ),
      );
    },
  };
}
