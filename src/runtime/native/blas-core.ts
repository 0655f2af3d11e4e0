import { readFileSync } from 'node:fs';

/**
 * Which OpenBLAS kernels to ask for (OPENBLAS_CORETYPE) on x86: OpenBLAS picks them from the
 * CPU model number, and a model newer than its table gets the 2004 "Prescott" SSE3 kernels. On
 * this project's Emerald Rapids machines (model 207, Debian's OpenBLAS 0.3.21) that made GEMM 2-3x
 * slower than the SkylakeX (AVX-512) kernels the CPU runs: transcription RTF 0.051 -> 0.043,
 * ASR training 12.6 -> 17.5 utt/s. The flags say what the CPU can run, whatever its model.
 */
export function blasCoreForFlags(flags: ReadonlySet<string>): string | undefined {
  if (['avx512f', 'avx512vl', 'avx512bw', 'avx512dq'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}

/** The CPU's feature flags from /proc/cpuinfo (Linux x86), or an empty set elsewhere. */
export function cpuFlags(cpuinfo?: string): Set<string> {
  let text = cpuinfo;
  if (text === undefined) {
    if (process.platform !== 'linux' || process.arch !== 'x64') return new Set();
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return new Set();
    }
  }
  const line = text.split('\n').find((l) => l.startsWith('flags'));
  return new Set(line?.split(':')[1]?.trim().split(/\s+/) ?? []);
}

/** How the core was chosen, for `attend doctor`; set by chooseBlasCore. */
export let blasCoreSource = 'OpenBLAS detected the CPU';

/**
 * Sets OPENBLAS_CORETYPE (read once, when OpenBLAS loads) from the CPU's flags unless the user
 * set it; call before the addon is loaded.
 */
export function chooseBlasCore(env: NodeJS.ProcessEnv = process.env): void {
  if (env.OPENBLAS_CORETYPE) {
    blasCoreSource = 'OPENBLAS_CORETYPE set by the user';
    return;
  }
  const core = blasCoreForFlags(cpuFlags());
  if (core) {
    env.OPENBLAS_CORETYPE = core;
    blasCoreSource = `chosen by attend from the CPU's flags; OPENBLAS_CORETYPE overrides`;
  }
}
