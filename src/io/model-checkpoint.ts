import { AttendError } from '../errors.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import type { TokenizerJson } from '../text/characters.js';
import { loadVariables, readSideFile, saveVariables, TOKENIZER_FILE } from './checkpoint.js';

/** What every attend model is, as far as its checkpoint goes. */
export interface CheckpointedModel {
  readonly config: { readonly task: string };
  readonly params: ParamStore;
  readonly tokenizer: { toJson(): TokenizerJson };
  /** Creates every parameter (a dummy forward pass), so that saved values can be assigned. */
  build(): void;
}

/** Saves a model's parameters, config, tokenizer and (optionally) card in `dir`. */
export async function saveModel(
  model: CheckpointedModel,
  dir: string,
  card?: unknown,
): Promise<void> {
  await saveVariables(dir, model.params.variables(), {
    config: model.config,
    tokenizer: model.tokenizer.toJson(),
    ...(card === undefined ? {} : { card }),
  });
}

/**
 * Loads a checkpoint of one task: checks the task, rebuilds the model from its config and
 * tokenizer with `create`, and assigns the saved values.
 */
export function loadModel<C extends { task: string }, M extends CheckpointedModel>(
  dir: string,
  task: C['task'],
  what: string,
  create: (config: C, tokenizer: TokenizerJson) => M,
): M {
  const { tensors, config } = loadVariables(dir);
  const tokenizer = readSideFile<TokenizerJson>(dir, TOKENIZER_FILE);
  if (!tokenizer) throw new AttendError(`${dir}: checkpoint has no ${TOKENIZER_FILE}`);
  if ((config as C | undefined)?.task !== task)
    throw new AttendError(`${dir}: not a ${what} checkpoint`);
  const model = create(config as C, tokenizer);
  model.build();
  model.params.assign(tensors);
  tf.dispose(Object.values(tensors));
  return model;
}
