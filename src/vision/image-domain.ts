import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttendError } from '../errors.js';

/**
 * What a captioner's training images look like to its encoder: a Gaussian over each image's
 * region statistics (the mean and standard deviation over its regions of each encoder
 * feature: CaptionModel.regionStatistics). An image far from it (a photo, for a model trained on rendered shapes)
 * gets a caption in the words of the training images all the same, often with high word
 * confidences; its distance says so. Fitted by `attend train domain`; stored as domain.json
 * next to the weights.
 */
export interface ImageDomain {
  readonly format: 'attend-image-domain';
  /** Feature size (twice the encoder's region width). */
  readonly dim: number;
  readonly mean: number[];
  /** Inverse of the shrunk covariance, row-major dim × dim. */
  readonly precision: number[];
  /**
   * The squared Mahalanobis distance at novelty 1: NOVELTY_MARGIN times the largest distance of
   * the held-out images it was checked on.
   */
  readonly threshold: number;
  readonly fittedOn: string;
  readonly images: number;
  readonly heldOutImages: number;
}

/** Share of the covariance's mean variance mixed into its diagonal, so it can be inverted. */
export const COVARIANCE_SHRINKAGE = 0.1;

/**
 * Novelty 1 sits this far past the most unusual held-out image: room for held-out images a
 * little stranger than the dev set's (measured in the caption-scenes card).
 */
export const NOVELTY_MARGIN = 1.5;

export const domainPath = (checkpoint: string) => join(checkpoint, 'domain.json');

/** Mean and shrunk covariance of `train`, threshold from `heldOut` (features of equal size). */
export function fitImageDomain(
  train: readonly Float32Array[],
  heldOut: readonly Float32Array[],
  fittedOn: string,
): ImageDomain {
  const dim = train[0]?.length ?? 0;
  if (train.length <= dim)
    throw new AttendError(`fitting an image domain needs more than ${dim} training images`);
  if (heldOut.length === 0) throw new AttendError('fitting an image domain needs held-out images');
  const mean = new Float64Array(dim);
  for (const x of train) for (let i = 0; i < dim; i++) mean[i]! += x[i]! / train.length;
  const covariance = new Float64Array(dim * dim);
  for (const x of train)
    for (let i = 0; i < dim; i++) {
      const di = x[i]! - mean[i]!;
      for (let j = 0; j <= i; j++) covariance[i * dim + j]! += di * (x[j]! - mean[j]!);
    }
  let trace = 0;
  for (let i = 0; i < dim; i++) trace += covariance[i * dim + i]! / (train.length - 1);
  // Shrunk towards the mean variance: (1 − s) Σ + s (tr Σ / dim) I.
  for (let i = 0; i < dim; i++)
    for (let j = 0; j <= i; j++) {
      const c = (covariance[i * dim + j]! / (train.length - 1)) * (1 - COVARIANCE_SHRINKAGE);
      covariance[i * dim + j] = c;
      covariance[j * dim + i] = c;
    }
  for (let i = 0; i < dim; i++) covariance[i * dim + i]! += (COVARIANCE_SHRINKAGE * trace) / dim;
  const domain = {
    format: 'attend-image-domain' as const,
    dim,
    mean: Array.from(mean),
    precision: Array.from(symmetricInverse(covariance, dim)),
    threshold: 1,
    fittedOn,
    images: train.length,
    heldOutImages: heldOut.length,
  };
  const farthest = Math.max(...heldOut.map((x) => squaredDistance(domain, x)));
  return { ...domain, threshold: NOVELTY_MARGIN * farthest };
}

/** (x − mean)ᵀ precision (x − mean). */
export function squaredDistance(domain: ImageDomain, x: ArrayLike<number>): number {
  const { dim, mean, precision } = domain;
  if (x.length !== dim)
    throw new AttendError(`an image feature of size ${x.length} for a domain of size ${dim}`);
  const d = Float64Array.from({ length: dim }, (_, i) => x[i]! - mean[i]!);
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    let row = 0;
    for (let j = 0; j < dim; j++) row += precision[i * dim + j]! * d[j]!;
    sum += d[i]! * row;
  }
  return sum;
}

/** How unlike the training images a feature is: above 1, unlike any image it was checked on. */
export const novelty = (domain: ImageDomain, x: ArrayLike<number>) =>
  squaredDistance(domain, x) / domain.threshold;

/** Inverse of a symmetric positive definite matrix (row-major), by its Cholesky factor. */
export function symmetricInverse(matrix: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n); // lower triangle: matrix = L Lᵀ
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new AttendError('the covariance is not positive definite');
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j]!;
    }
  const inverse = new Float64Array(n * n);
  const column = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    // Solve L y = e_c, then Lᵀ x = y: x is column c of the inverse.
    for (let i = 0; i < n; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= l[i * n + k]! * column[k]!;
      column[i] = sum / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = column[i]!;
      for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * column[k]!;
      column[i] = sum / l[i * n + i]!;
    }
    for (let i = 0; i < n; i++) inverse[i * n + c] = column[i]!;
  }
  return inverse;
}

/** A checkpoint's image domain, if it has one. */
export function readImageDomain(checkpoint: string): ImageDomain | undefined {
  const file = domainPath(checkpoint);
  if (!existsSync(file)) return undefined;
  let stored: Omit<ImageDomain, 'precision'> & { precision?: unknown };
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  } catch (error) {
    throw new AttendError(`${file}: not an image domain file (${(error as Error).message})`);
  }
  const bytes =
    typeof stored.precision === 'string' ? Buffer.from(stored.precision, 'base64') : undefined;
  if (stored.format !== 'attend-image-domain' || bytes?.length !== 4 * stored.dim ** 2)
    throw new AttendError(`${file}: not an image domain file (run attend train domain again)`);
  const floats = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
  return { ...stored, precision: Array.from(floats) };
}

/**
 * Writes domain.json: the precision matrix as base64 of little-endian float32 (a 256-wide one
 * is 350 KB so, twice that as decimal text).
 */
export function writeImageDomain(checkpoint: string, domain: ImageDomain): void {
  const precision = Buffer.from(Float32Array.from(domain.precision).buffer).toString('base64');
  writeFileSync(domainPath(checkpoint), `${JSON.stringify({ ...domain, precision })}\n`);
}
