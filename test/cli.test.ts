import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../src/paths.js';
import { attend } from './helpers/cli.js';

const version = (
  JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }
).version;

describe('attend CLI', () => {
  it('says when a source in a checkout is newer than the dist/ it runs', () => {
    const root = mkdtempSync(join(tmpdir(), 'attend-stale-'));
    try {
      mkdirSync(join(root, 'bin'));
      mkdirSync(join(root, 'dist/src/cli'), { recursive: true });
      mkdirSync(join(root, 'src'));
      copyFileSync(projectPath('bin', 'attend.js'), join(root, 'bin', 'attend.js'));
      writeFileSync(join(root, 'package.json'), '{"type": "module"}');
      const main = join(root, 'dist/src/cli/main.js');
      writeFileSync(main, 'export const main = async () => 0;\n');
      writeFileSync(join(root, 'src', 'a.ts'), '');
      const run = () =>
        spawnSync(process.execPath, [join(root, 'bin', 'attend.js')]).stderr.toString();
      utimesSync(main, new Date(), new Date(Date.now() - 60_000)); // built a minute before the source
      expect(run()).toMatch(/src\/a\.ts is newer than dist\/: run `npm run build`/);
      utimesSync(main, new Date(), new Date(Date.now() + 60_000));
      expect(run()).toBe('');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('--version and --help', () => {
    expect(attend(['--version']).stdout.trim()).toBe(version);
    const help = attend(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/doctor/);
    expect(help.stdout).toMatch(/bench/);
    expect(help.stdout).toMatch(/--backend <name>/);
  });

  it('doctor names the chosen backend and why the others were skipped', () => {
    const result = attend(['doctor']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^backend: (native|wasm) \(auto\)/m);
    expect(result.stdout).toMatch(
      /tensorflow-gpu\s+skipped\s+@tensorflow\/tfjs-node-gpu is not installed/,
    );
    expect(result.stdout).toMatch(/matmul 512x512x512: [\d.]+ GFLOP\/s/);
    expect(result.stdout).toMatch(/memory: [\d.]+ GiB free of [\d.]+ GiB/);
    // Every shipped model reads whole, checksum and all.
    for (const name of ['asr-en', 'caption-scenes', 'punct-en'])
      expect(result.stdout).toMatch(
        new RegExp(`^  ${name} +ok +\\w+, [\\d.]+ MiB of weights, checksum matches$`, 'm'),
      );
  });

  it('doctor --json honours --backend and ATTEND_BACKEND', () => {
    const flag = JSON.parse(attend(['--backend', 'cpu', 'doctor', '--json']).stdout);
    expect([flag.backend, flag.source]).toEqual(['cpu', '--backend']);
    const env = JSON.parse(attend(['doctor', '--json'], { ATTEND_BACKEND: 'wasm' }).stdout);
    expect([env.backend, env.source]).toEqual(['wasm', 'ATTEND_BACKEND']);
    expect(env.tfjs).toBe('4.22.0');
  });

  it('an unavailable backend is a one-line error, not a stack trace', () => {
    const result = attend(['--backend', 'tensorflow', 'doctor']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "attend: backend 'tensorflow' (from --backend) is unavailable: @tensorflow/tfjs-node is not installed (npm i @tensorflow/tfjs-node@4.22.0)",
    );
  });

  it('bench --json prints matMul rows for every backend that loads', () => {
    const result = attend(['bench', '--json', '--only', '^matmul/256$', '--seconds', '0.05']);
    expect(result.status).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { name: string; backend: string; value: number; unit: string },
      );
    const backends = rows.map((r) => r.backend).sort();
    expect(backends).toEqual(expect.arrayContaining(['cpu', 'wasm']));
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['backend', 'name', 'unit', 'value']);
      expect(row.name).toBe('matmul/256');
      expect(row.unit).toBe('GFLOP/s');
      expect(row.value).toBeGreaterThan(0);
    }
  });

  it('bench prints a table', () => {
    const result = attend([
      '--backend',
      'cpu',
      'bench',
      '--only',
      '^matmul/256$',
      '--seconds',
      '0.05',
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^benchmark\s+unit\s+cpu$/m);
    expect(result.stdout).toMatch(/^matmul\/256\s+GFLOP\/s\s+[\d.]+$/m);
    // Each row is shown as soon as it is measured, not only in the table at the end.
    expect(result.stderr).toMatch(/^ {2}matmul\/256 on cpu: [\d.]+ GFLOP\/s$/m);
  });
});
