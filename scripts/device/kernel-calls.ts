import { tf } from '../../src/runtime/tf.js';

/**
 * Runs `step` with every kernel call reported to `onKernel` by name (tfjs's engine has no hook:
 * this wraps its runKernelFunc for the call). Reshape and Identity are left out (they relabel or
 * share a buffer, no dispatch), and so are unnamed entries: custom gradients, whose inner kernels
 * report on their own.
 */
export async function recordKernelCalls(
  step: () => void | Promise<void>,
  onKernel: (name: string) => void,
): Promise<void> {
  const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
  const original = engine.runKernelFunc.bind(engine);
  engine.runKernelFunc = (...args: unknown[]) => {
    const name = (args[0] as { kernelName?: string }).kernelName;
    if (name !== undefined && name !== 'Reshape' && name !== 'Identity') onKernel(name);
    return original(...args);
  };
  try {
    await step();
  } finally {
    engine.runKernelFunc = original;
  }
}
