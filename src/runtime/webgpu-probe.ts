import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What a look for a WebGPU adapter found, from a separate process. */
export type AdapterProbe =
  | { readonly found: false; readonly reason: string }
  | { readonly found: true; readonly name: string; readonly software: boolean };

// Runs in a child: asks Dawn for an adapter and prints one JSON line. Dawn and the Vulkan loader
// write their complaints (no GPU, a software driver's limits) straight to file descriptor 2,
// which the child's stderr keeps away from the user's terminal.
const PROBE_SCRIPT = `
const dawn = await import(process.argv[1]);
const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info ?? {};
const name = [info.vendor, info.device || info.description || info.architecture].filter(Boolean).join(' ');
console.log(JSON.stringify(adapter
  ? { found: true, name: name || 'unnamed adapter', software: info.isFallbackAdapter === true || info.architecture === 'software' }
  : { found: false, reason: 'no GPU adapter: WebGPU (Dawn) found no Vulkan/Metal/D3D12 device' }));
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
          resolve(JSON.parse(line) as AdapterProbe);
        } catch {
          const why = error?.killed ? `timed out after ${timeoutMs / 1000} s` : 'crashed';
          resolve({ found: false, reason: `looking for a GPU adapter ${why}` });
        }
      },
    );
  });
}
