import type { ParamStore } from '../nn/params.js';
import { RecurrentDecoder } from './recurrent.js';
import { TransformerDecoder } from './transformer.js';
import type { Decoder, DecoderConfig } from './types.js';

export type { Decoder, DecoderConfig } from './types.js';

/** The shared decoder for any model: recurrent (LAS / Show-Attend-Tell) or transformer. */
export function createDecoder(config: DecoderConfig, params: ParamStore): Decoder {
  switch (config.type) {
    case 'recurrent':
      return new RecurrentDecoder(config, params) as unknown as Decoder;
    case 'transformer':
      return new TransformerDecoder(config, params) as unknown as Decoder;
    default: {
      const unknown: never = config;
      throw new Error(`unknown decoder type ${JSON.stringify(unknown)}`);
    }
  }
}
