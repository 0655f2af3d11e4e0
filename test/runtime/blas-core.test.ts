import { describe, expect, it } from 'vitest';
import { blasCoreForFlags, chooseBlasCore, cpuFlags } from '../../src/runtime/native/blas-core.js';

const cpuinfo = (flags: string): string =>
  `processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 207\nflags\t\t: ${flags}\nbogomips\t: 4000\n`;

describe('OpenBLAS core choice', () => {
  it('reads the flags line of /proc/cpuinfo', () => {
    expect(cpuFlags(cpuinfo('fpu sse2 avx2 fma'))).toEqual(new Set(['fpu', 'sse2', 'avx2', 'fma']));
    expect(cpuFlags('no flags here')).toEqual(new Set());
  });

  it('asks for the AVX-512 kernels, else the AVX2 ones, else leaves OpenBLAS to choose', () => {
    const avx512 = 'sse2 avx avx2 fma avx512f avx512vl avx512bw avx512dq';
    expect(blasCoreForFlags(cpuFlags(cpuinfo(avx512)))).toBe('SkylakeX');
    expect(blasCoreForFlags(cpuFlags(cpuinfo('sse2 avx avx2 fma avx512f')))).toBe('Haswell');
    expect(blasCoreForFlags(cpuFlags(cpuinfo('sse2 avx avx2')))).toBeUndefined();
    expect(blasCoreForFlags(new Set())).toBeUndefined();
  });

  it("never replaces the user's OPENBLAS_CORETYPE", () => {
    const env: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Zen' };
    chooseBlasCore(env);
    expect(env.OPENBLAS_CORETYPE).toBe('Zen');
    const unset: NodeJS.ProcessEnv = {};
    chooseBlasCore(unset);
    expect(unset.OPENBLAS_CORETYPE).toBe(blasCoreForFlags(cpuFlags()));
  });
});
