import { createDecoder } from '../decoder/index.js';
import type { Decoder, DecoderConfig } from '../decoder/types.js';
import { AttendError } from '../errors.js';
import type { ParamStore } from '../nn/params.js';

/**
 * The decoder both tasks use, under the `decoder` scope, after checking that its output layer
 * matches the tokenizer (a mismatch means a config and a tokenizer from different models).
 */
export function sharedDecoder(
  config: DecoderConfig,
  tokenizerSize: number,
  params: ParamStore,
): Decoder {
  if (config.vocabSize !== tokenizerSize) {
    throw new AttendError(
      `decoder vocabulary ${config.vocabSize} does not match the tokenizer's ${tokenizerSize}`,
    );
  }
  return createDecoder(config, params.scope('decoder'));
}
