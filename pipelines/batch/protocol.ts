import type { BatchItem } from './inputs.js';
import type { BatchRecord } from './output.js';
import type { ProcessorOptions } from './processor.js';

/** Parent -> worker. */
export type WorkerRequest =
  | { type: 'init'; options: ProcessorOptions; backend?: string }
  | { type: 'chunk'; chunk: number; items: BatchItem[] }
  | { type: 'stop' };

/** Worker -> parent. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'records'; chunk: number; records: BatchRecord[] }
  | { type: 'fatal'; message: string };
