import { join } from 'node:path';
import { AttendError } from '../errors.js';
import { resumableState, type TrainState } from './loop.js';

/** The preset of that name, or a clear error listing the ones there are. */
export function presetNamed<P>(presets: Readonly<Record<string, P>>, name: string): P {
  const preset = presets[name];
  if (!preset)
    throw new AttendError(`unknown preset '${name}' (have ${Object.keys(presets).join(', ')})`);
  return preset;
}

export interface RunStart<M> {
  readonly model: M;
  /** The saved loop state when the run resumes from <out>/latest. */
  readonly resumeState: TrainState | undefined;
}

/**
 * The model a training run starts from, in the order both trainers use: <out>/latest when it holds a
 * saved state (resume), else the `init` checkpoint (fine-tune), else a fresh model.
 */
export function startingModel<M>(
  out: string,
  init: string | undefined,
  load: (dir: string) => M,
  fresh: () => M,
): RunStart<M> {
  const resumeState = resumableState(out);
  if (resumeState) return { model: load(join(out, 'latest')), resumeState };
  return { model: init ? load(init) : fresh(), resumeState };
}
