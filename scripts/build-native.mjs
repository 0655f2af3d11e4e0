// Builds the optional OpenBLAS-backed kernels (native/) at install time.
// Never fails the install: without a compiler or OpenBLAS the runtime falls back to wasm/cpu
// and `attend doctor` says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const statusFile = join(nativeDir, 'build', 'status.txt');

function record(line) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, `${line}\n`);
}

if (process.env.ATTEND_SKIP_NATIVE === '1') {
  record('skipped: ATTEND_SKIP_NATIVE=1 at install');
  process.exit(0);
}
if (!existsSync(join(nativeDir, 'binding.gyp'))) {
  process.exit(0);
}
// npm sets npm_config_node_gyp in lifecycle scripts; outside them, use the node-gyp npm ships.
function nodeGypCommand() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  const script = candidates.find((path) => path && existsSync(path));
  return script ? [process.execPath, [script]] : ['node-gyp', []];
}

// Offline machines cannot download Node's headers: use the ones installed beside node if present.
function nodeDirArgs() {
  const prefix = join(dirname(process.execPath), '..');
  const dir =
    process.env.npm_config_nodedir ??
    (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
  return dir ? [`--nodedir=${dir}`] : [];
}

// -march=native (the default) uses every instruction this CPU has: the addon then dies with an
// illegal instruction on a CPU without them. ATTEND_NATIVE_MARCH (e.g. x86-64-v2) builds a portable
// one; either way the loader compares this record with the CPU it runs on (src/runtime/native/target.ts).
const march = process.env.ATTEND_NATIVE_MARCH || 'native';
function recordTarget() {
  const flags = existsSync('/proc/cpuinfo')
    ? (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '')
        .trim()
        .split(/\s+/)
    : [];
  const target = { march, cpuModel: os.cpus()[0]?.model ?? 'unknown', cpuFlags: flags };
  writeFileSync(join(nativeDir, 'build', 'target.json'), `${JSON.stringify(target)}\n`);
}

const [command, prefix] = nodeGypCommand();
const result = spawnSync(command, [...prefix, 'rebuild', '--release', ...nodeDirArgs()], {
  cwd: nativeDir,
  encoding: 'utf8',
  shell: process.platform === 'win32',
});
if (result.status === 0) {
  record('built');
  recordTarget();
  console.log('attend: native CPU kernels built (OpenBLAS)');
} else {
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const reason = result.error
    ? `node-gyp could not run (${result.error.message})`
    : /cblas\.h|openblas/i.test(output)
      ? 'OpenBLAS headers/library not found (install libopenblas-dev)'
      : /network connectivity/.test(output)
        ? "node-gyp could not download Node's headers (offline?)"
        : `node-gyp failed (exit ${result.status}); see native/build/build.log`;
  mkdirSync(join(nativeDir, 'build'), { recursive: true });
  writeFileSync(join(nativeDir, 'build', 'build.log'), output);
  record(`not built: ${reason}`);
  console.warn(`attend: native CPU kernels not built: ${reason}. Falling back to wasm/cpu.`);
}
