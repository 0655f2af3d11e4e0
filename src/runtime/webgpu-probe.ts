import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What a look for a WebGPU adapter found, from a separate process. */
export type AdapterProbe =
  | { readonly found: false; readonly reason: string }
  | { readonly found: true; readonly name: string; readonly software: boolean };

/** What Dawn says about an adapter (the GPUAdapterInfo fields attend reads). */
export interface AdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

export const NO_ADAPTER = 'no GPU adapter: WebGPU (Dawn) found no Vulkan/Metal/D3D12 device';

/** The adapter's name as `attend doctor` shows it, e.g. "nvidia nvidia-h100-80gb-hbm3". */
export const adapterName = (info: AdapterInfo): string =>
  [info.vendor, info.device || info.description || info.architecture].filter(Boolean).join(' ') ||
  'unnamed adapter';

/** A CPU rasteriser (Mesa's llvmpipe/lavapipe, SwiftShader) rather than a GPU. */
const isSoftwareAdapter = (info: AdapterInfo): boolean =>
  info.isFallbackAdapter === true || info.architecture === 'software';

// Runs in a child: asks Dawn for an adapter and prints its info as one JSON line (null when there
// is none). Dawn and the Vulkan loader write their complaints (no GPU, a software driver's limits)
// straight to file descriptor 2, which the child's stderr keeps away from the user's terminal.
const PROBE_SCRIPT = `
const dawn = await import(process.argv[1]);
const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info;
const fields = ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter'];
console.log(JSON.stringify(adapter ? Object.fromEntries(fields.map((f) => [f, info?.[f]])) : null));
process.exit(0);
`;

/**
 * Looks for a WebGPU adapter in a child process, so that the automatic backend order can pass
 * over a machine without a (hardware) GPU without Dawn's warnings reaching stderr. Resolves the
 * `webgpu` package as this module would import it.
 */
export function probeWebgpuAdapter(timeoutMs = 20_000): Promise<AdapterProbe> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('webgpu');
  } catch {
    return Promise.resolve({
      found: false,
      reason: 'webgpu (Dawn) is not installed (npm i webgpu)',
    });
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE_SCRIPT, pathToFileURL(entry).href],
      { timeout: timeoutMs },
      (error, stdout) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          const info = JSON.parse(line) as AdapterInfo | null;
          resolve(
            info
              ? { found: true, name: adapterName(info), software: isSoftwareAdapter(info) }
              : { found: false, reason: NO_ADAPTER },
          );
        } catch {
          const why = error?.killed ? `timed out after ${timeoutMs / 1000} s` : 'crashed';
          resolve({ found: false, reason: `looking for a GPU adapter ${why}` });
        }
      },
    );
  });
}
