import { basename } from 'node:path';
import { readCheckpoint } from './checkpoint.js';

/** Whether a checkpoint folder can be used, read whole with its checksum checked. */
export interface CheckpointHealth {
  readonly name: string;
  readonly task?: string;
  readonly bytes?: number;
  /** Why it cannot be used (missing, truncated, edited weights); absent when it reads whole. */
  readonly problem?: string;
}

/**
 * Reads a checkpoint as loading would (model.json, weights.bin, size and SHA-256) without
 * building the model: a clone without its weights (a Git LFS pointer, a partial copy) shows
 * here instead of at first use.
 */
export function checkpointHealth(dir: string): CheckpointHealth {
  const name = basename(dir);
  try {
    const { model, weights } = readCheckpoint(dir);
    const task = (model.config as { task?: string } | undefined)?.task;
    return { name, ...(task ? { task } : {}), bytes: weights.byteLength };
  } catch (error) {
    return { name, problem: error instanceof Error ? error.message : String(error) };
  }
}
