import type { BatchTask } from '../../pipelines/batch/inputs.js';
import { DEFAULT_CAPTION_MODEL } from '../../pipelines/caption.js';
import { DEFAULT_ASR_MODEL } from '../../pipelines/transcribe.js';
import { AttendError } from '../errors.js';
import { readModelFile } from '../io/checkpoint.js';

/** Which task a checkpoint is for (its model.json config says; the weights are not read). */
function taskOf(dir: string): 'transcribe' | 'caption' {
  const task = (readModelFile(dir).config as { task?: string } | undefined)?.task;
  if (task === 'asr') return 'transcribe';
  if (task === 'caption') return 'caption';
  throw new AttendError(`${dir}: not a speech or captioning checkpoint`);
}

/**
 * The checkpoint for each task from repeatable `--model DIR` flags (worker, serve): each one
 * replaces the shipped model of the task its config names.
 */
export function modelsByTask(dirs: readonly string[]): Record<BatchTask, string> {
  const models: Omit<Record<BatchTask, string>, 'align'> = {
    transcribe: DEFAULT_ASR_MODEL,
    caption: DEFAULT_CAPTION_MODEL,
  };
  for (const dir of dirs) models[taskOf(dir)] = dir;
  // Alignment runs the speech model's CTC head: the same checkpoint as transcription.
  return { ...models, align: models.transcribe };
}

/** The `--model` option as worker and serve declare it. */
export const REPEATABLE_MODEL = [
  '--model <dir>',
  'checkpoint to use for its task (repeatable: one per task)',
  (v: string, all: string[]) => [...all, v],
  [] as string[],
] as const;
