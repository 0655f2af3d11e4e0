import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttendError } from '../errors.js';
import { tf } from '../runtime/tf.js';

/**
 * A checkpoint is a folder:
 *   model.json      format marker, our config and/or a tfjs topology, weight specs, checksum
 *   weights.bin     all weights, concatenated little-endian, in the order of the specs
 *   tokenizer.json  optional, the model's vocabulary
 *   card.json       optional, the model card (data, size, metrics, how to retrain)
 * Written with fs (tfjs's file:// handler exists only in tfjs-node).
 */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const TOKENIZER_FILE = 'tokenizer.json';
export const CARD_FILE = 'card.json';
const FORMAT = 'attend-checkpoint';
const FORMAT_VERSION = 1;

export interface ModelFile {
  readonly format: typeof FORMAT;
  readonly formatVersion: number;
  /** 'layers': a tfjs LayersModel; 'variables': a named set of tensors with our own config. */
  readonly kind: 'layers' | 'variables';
  readonly config?: unknown;
  readonly modelTopology?: unknown;
  readonly trainingConfig?: unknown;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightsFile: string;
  readonly weightsBytes: number;
  readonly weightsSha256: string;
}

export interface CheckpointExtras {
  readonly config?: unknown;
  readonly tokenizer?: unknown;
  readonly card?: unknown;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Writes via a temporary name and a rename, so an interrupted save never leaves half a file. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

const writeJson = (path: string, value: unknown): void =>
  writeAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const joined = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(joined);
}

function writeCheckpoint(
  dir: string,
  header: Omit<
    ModelFile,
    'format' | 'formatVersion' | 'weightsFile' | 'weightsBytes' | 'weightsSha256'
  >,
  weights: Uint8Array,
  extras: CheckpointExtras,
): void {
  mkdirSync(dir, { recursive: true });
  // Weights first: model.json (with the checksum) is the commit point of a save.
  writeAtomic(join(dir, WEIGHTS_FILE), weights);
  if (extras.tokenizer !== undefined) writeJson(join(dir, TOKENIZER_FILE), extras.tokenizer);
  if (extras.card !== undefined) writeJson(join(dir, CARD_FILE), extras.card);
  const model: ModelFile = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    ...header,
    weightsFile: WEIGHTS_FILE,
    weightsBytes: weights.byteLength,
    weightsSha256: sha256(weights),
  };
  writeJson(join(dir, MODEL_FILE), model);
}

function readJson<T>(path: string, what: string): T {
  if (!existsSync(path)) throw new AttendError(`${path}: missing (${what})`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AttendError(`${path}: not valid JSON (${reason})`);
  }
}

/** Reads and checks a checkpoint's model.json alone (its config, without touching the weights). */
export function readModelFile(dir: string): ModelFile {
  if (!existsSync(dir)) throw new AttendError(`${dir}: no such checkpoint folder`);
  const modelPath = join(dir, MODEL_FILE);
  const model = readJson<ModelFile>(modelPath, 'every checkpoint has one');
  if (model.format !== FORMAT) {
    throw new AttendError(
      `${modelPath}: not an attend checkpoint (format '${String(model.format)}')`,
    );
  }
  if (model.formatVersion > FORMAT_VERSION) {
    throw new AttendError(
      `${modelPath}: checkpoint format ${model.formatVersion} is newer than this attend reads (${FORMAT_VERSION}); upgrade attend`,
    );
  }
  return model;
}

/** Reads and checks model.json and weights.bin; refuses truncated or edited weights. */
export function readCheckpoint(dir: string): { model: ModelFile; weights: Uint8Array } {
  const model = readModelFile(dir);
  const modelPath = join(dir, MODEL_FILE);
  const weightsPath = join(dir, model.weightsFile);
  if (!existsSync(weightsPath))
    throw new AttendError(`${weightsPath}: missing (named by ${modelPath})`);
  const weights = new Uint8Array(readFileSync(weightsPath));
  if (weights.byteLength !== model.weightsBytes) {
    throw new AttendError(
      `${weightsPath}: ${weights.byteLength} bytes but ${MODEL_FILE} expects ${model.weightsBytes}: the file is truncated or belongs to another checkpoint`,
    );
  }
  if (sha256(weights) !== model.weightsSha256) {
    throw new AttendError(
      `${weightsPath}: checksum mismatch (sha256 differs from ${MODEL_FILE}): the weights are corrupt or were edited; re-copy or retrain the checkpoint`,
    );
  }
  return { model, weights };
}

const bufferOf = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** An IOHandler that saves a LayersModel (and optimizer weights, if included) to a folder. */
export function folderSaveHandler(dir: string, extras: CheckpointExtras = {}): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = toBytes(artifacts.weightData);
      writeCheckpoint(
        dir,
        {
          kind: 'layers',
          config: extras.config,
          modelTopology: artifacts.modelTopology,
          trainingConfig: artifacts.trainingConfig,
          weightSpecs: artifacts.weightSpecs ?? [],
        },
        weights,
        extras,
      );
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/** An IOHandler that loads a LayersModel saved by folderSaveHandler, checksum checked. */
export function folderLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const { model, weights } = readCheckpoint(dir);
      if (model.kind !== 'layers') {
        throw new AttendError(
          `${join(dir, MODEL_FILE)}: holds a variable set, not a tfjs LayersModel`,
        );
      }
      return {
        modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        ...(model.trainingConfig
          ? { trainingConfig: model.trainingConfig as tf.io.TrainingConfig }
          : {}),
        weightSpecs: model.weightSpecs,
        weightData: bufferOf(weights),
      };
    },
  };
}

export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  extras: CheckpointExtras = {},
): Promise<void> {
  await model.save(folderSaveHandler(dir, extras));
}

export function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(folderLoadHandler(dir));
}

/** Saves named tensors (a model's variables, an optimizer's state) with our own config. */
export async function saveVariables(
  dir: string,
  tensors: tf.NamedTensorMap,
  extras: CheckpointExtras = {},
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  writeCheckpoint(
    dir,
    { kind: 'variables', config: extras.config, weightSpecs: specs },
    toBytes(data),
    extras,
  );
}

export interface LoadedVariables {
  readonly tensors: tf.NamedTensorMap;
  readonly config: unknown;
}

/** Loads named tensors saved by saveVariables; the caller owns (and disposes) the tensors. */
export function loadVariables(dir: string): LoadedVariables {
  const { model, weights } = readCheckpoint(dir);
  return {
    tensors: tf.io.decodeWeights(bufferOf(weights), model.weightSpecs),
    config: model.config,
  };
}

/** Reads an optional JSON side file (tokenizer.json, card.json) of a checkpoint. */
export function readSideFile<T>(
  dir: string,
  file: typeof TOKENIZER_FILE | typeof CARD_FILE,
): T | undefined {
  const path = join(dir, file);
  return existsSync(path) ? readJson<T>(path, file) : undefined;
}
