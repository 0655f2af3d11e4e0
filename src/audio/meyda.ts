import { createRequire } from 'node:module';

/**
 * The part of meyda's singleton API attend uses. meyda is CommonJS while its type declarations
 * claim an ES default export, which NodeNext resolution rejects: a typed require is the honest shim.
 */
export interface MeydaApi {
  bufferSize: number;
  sampleRate: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  melFilterBank?: number[][];
  extract(feature: string | string[], signal: Float32Array): unknown;
}

export const Meyda = createRequire(import.meta.url)('meyda') as MeydaApi;
