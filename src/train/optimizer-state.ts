import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVariables, saveVariables } from '../io/checkpoint.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import type { TrainingOptimizer } from './flat-adam.js';

/** What a trainer saves: the model (its own save) plus optimizer moments and loop state. */
export interface SavableModel {
  readonly params: ParamStore;
  save(dir: string, card?: unknown): Promise<void>;
}

/**
 * Writes <out>/latest (model, Adam moments, train-state.json) beside the old one, then swaps it in:
 * a crash mid-save leaves the previous checkpoint intact.
 */
export async function saveTrainingState(
  model: SavableModel,
  optimizer: TrainingOptimizer,
  state: unknown,
  out: string,
  card: unknown,
): Promise<void> {
  const staging = join(out, 'latest.saving');
  rmSync(staging, { recursive: true, force: true });
  await model.save(staging, card);
  // Adam names its moments after tfjs's variable names, which differ between processes: save them
  // under the parameters' own names instead.
  const byVariable = new Map(
    Object.entries(model.params.variables()).map(([key, v]) => [v.name, key]),
  );
  const rename = (name: string) =>
    name.replace(
      /^(.*)\/(m|v)$/,
      (_, variable: string, moment: string) => `${byVariable.get(variable) ?? variable}/${moment}`,
    );
  const weights = optimizer.getWeights();
  try {
    await saveVariables(
      join(staging, 'optimizer'),
      Object.fromEntries(weights.map((w) => [rename(w.name), w.tensor])),
    );
  } finally {
    tf.dispose(weights.map((w) => w.tensor));
  }
  writeFileSync(join(staging, 'train-state.json'), `${JSON.stringify(state, null, 2)}\n`);
  rmSync(join(out, 'latest'), { recursive: true, force: true });
  renameSync(staging, join(out, 'latest'));
}

/** The loop state saved in <dir>/train-state.json, if a run can resume from `dir`. */
export function readTrainingState<S>(dir: string): S | undefined {
  const file = join(dir, 'train-state.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as S) : undefined;
}

/** Puts saved Adam moments back (ours or tf.train.adam's), matched to the parameters by name. */
export async function restoreOptimizer(
  model: SavableModel,
  optimizer: TrainingOptimizer,
  dir: string,
): Promise<void> {
  const saved = loadVariables(join(dir, 'optimizer')).tensors;
  const variables = model.params.variables();
  const restore = (name: string) =>
    name.replace(
      /^(.*)\/(m|v)$/,
      (_, key: string, moment: string) => `${variables[key]?.name ?? key}/${moment}`,
    );
  optimizer.setWeights(
    Object.entries(saved).map(([name, tensor]) => ({ name: restore(name), tensor })),
  );
  tf.dispose(Object.values(saved));
}
