import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import type { BackendCandidate } from '../../src/runtime/candidates.js';
import { tryActivate } from '../../src/runtime/select.js';
import { tf } from '../../src/runtime/tf.js';

describe('backend activation', () => {
  it('two concurrent activations of an async-initialised backend both succeed', async () => {
    // Like WebGPU: the factory resolves later (it waits for a device).
    await tf.setBackend('cpu');
    tf.registerBackend('slow-init', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return new MathBackendCPU();
    });
    const candidate: BackendCandidate = {
      id: 'cpu',
      tfName: 'slow-init',
      summary: 'a backend whose factory is async',
      load: async () => {},
      threads: () => 1,
    };
    try {
      expect(await Promise.all([tryActivate(candidate), tryActivate(candidate)])).toEqual([
        undefined,
        undefined,
      ]);
      expect(tf.getBackend()).toBe('slow-init');
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('slow-init');
    }
  });
});
