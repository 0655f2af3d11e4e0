import { describe, expect, it } from 'vitest';
import { targetMismatch } from '../src/runtime/native/target.js';

const builtOn = {
  march: 'native',
  cpuModel: 'AMD EPYC 9B14',
  cpuFlags: ['sse2', 'avx2', 'avx512f', 'avx512bw', 'constant_tsc'],
};

describe('native addon target check', () => {
  it('loads on the CPU it was built on, or one with more instructions', () => {
    expect(targetMismatch(builtOn, { model: 'AMD EPYC 9B14', flags: builtOn.cpuFlags })).toBe(
      undefined,
    );
    const bigger = { model: 'Other', flags: [...builtOn.cpuFlags, 'amx_tile'] };
    expect(targetMismatch(builtOn, bigger)).toBe(undefined);
  });

  it('refuses a CPU without the instructions -march=native used, naming them and the fix', () => {
    const older = { model: 'Intel Xeon E5-2690', flags: ['sse2', 'avx2'] };
    const reason = targetMismatch(builtOn, older);
    expect(reason).toContain('lacks avx512f, avx512bw');
    expect(reason).toContain('npm run build:native');
  });

  it('ignores flags that are not instruction sets (they differ between VMs of one CPU)', () => {
    const vm = { model: 'AMD EPYC 9B14', flags: ['sse2', 'avx2', 'avx512f', 'avx512bw'] };
    expect(targetMismatch(builtOn, vm)).toBe(undefined);
  });

  it('compares models where there are no flags, and trusts portable builds and old addons', () => {
    const noProc = { ...builtOn, cpuFlags: [] };
    expect(targetMismatch(noProc, { model: 'AMD EPYC 9B14', flags: [] })).toBe(undefined);
    expect(targetMismatch(noProc, { model: 'Apple M2', flags: [] })).toContain('another model');
    expect(targetMismatch({ ...builtOn, march: 'x86-64-v2' }, { model: 'x', flags: [] })).toBe(
      undefined,
    );
    expect(targetMismatch(undefined, { model: 'x', flags: [] })).toBe(undefined);
  });
});
