import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { projectPath } from '../../paths.js';

/** What scripts/build-native.mjs compiled the addon for (native/build/target.json). */
export interface NativeTarget {
  readonly march: string;
  readonly cpuModel: string;
  /** /proc/cpuinfo's flags on the build machine (empty where there is no /proc). */
  readonly cpuFlags: readonly string[];
}

const targetFile = projectPath('native', 'build', 'target.json');

export function readNativeTarget(file = targetFile): NativeTarget | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NativeTarget;
  } catch {
    return undefined;
  }
}

/** This CPU's model and flags, as the build script records them. */
export function currentCpu(): { model: string; flags: readonly string[] } {
  const info = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1]?.trim().split(/\s+/) ?? [];
  return { model: cpus()[0]?.model ?? 'unknown', flags };
}

/** cpuinfo flags that name instruction-set extensions (others, like tsc quirks, vary by VM). */
const INSTRUCTION_FLAG =
  /^(sse|ssse|avx|fma|f16c|bmi|popcnt|abm|lzcnt|movbe|aes|pclmul|sha|vaes|vpclmul|gfni|amx|adx|cx16)/;

/**
 * Why an addon built with -march=native must not load on this CPU, or undefined when it may.
 * Loading it anyway would not throw: the first kernel using a missing instruction kills the
 * process (SIGILL), so the check happens before the addon is required. A portable build
 * (ATTEND_NATIVE_MARCH set) or one without a record (built before the record existed) loads.
 */
export function targetMismatch(
  target: NativeTarget | undefined,
  cpu = currentCpu(),
): string | undefined {
  if (target?.march !== 'native') return undefined;
  // Flags say exactly which instructions are missing; without them (no /proc) only the model can.
  const comparable = target.cpuFlags.length > 0 && cpu.flags.length > 0;
  const have = new Set(cpu.flags);
  const missing = comparable
    ? target.cpuFlags.filter((flag) => INSTRUCTION_FLAG.test(flag) && !have.has(flag))
    : [];
  if (comparable ? missing.length === 0 : target.cpuModel === cpu.model) return undefined;
  const differs =
    missing.length > 0
      ? `lacks ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? '...' : ''}`
      : 'is another model';
  return (
    `native addon was built with -march=native on "${target.cpuModel}"; this CPU ("${cpu.model}") ` +
    `${differs}: run npm run build:native here ` +
    '(or build a portable addon with ATTEND_NATIVE_MARCH=x86-64-v2 npm run build:native)'
  );
}
