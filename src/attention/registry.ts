import type { ParamStore } from '../nn/params.js';
import { LinearAttention } from './linear.js';
import { MultiHeadAttention } from './multi-head.js';
import { SingleHeadAttention } from './single-head.js';
import { SparseAttention } from './sparse.js';
import type { Attention, AttentionConfig, AttentionDims } from './types.js';

/** Builds any attention of the family from its config; parameters live under `params`. */
export function createAttention(
  config: AttentionConfig,
  dims: AttentionDims,
  params: ParamStore,
): Attention {
  switch (config.kind) {
    case 'dot':
    case 'scaled-dot':
    case 'general':
    case 'additive':
    case 'location-aware':
      return new SingleHeadAttention(config, dims, params);
    case 'multi-head':
      return new MultiHeadAttention(config, dims, params);
    case 'sparse':
      return new SparseAttention(config, params);
    case 'linear':
      return new LinearAttention(config, params);
    default: {
      const unknown: never = config;
      throw new Error(`unknown attention kind ${JSON.stringify(unknown)}`);
    }
  }
}
