import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AttendError } from '../src/errors.js';
import { projectPath } from '../src/paths.js';
import {
  type BackendCandidate,
  BackendUnavailable,
  cpu,
  DEFAULT_CANDIDATES,
} from '../src/runtime/candidates.js';
import { selectBackend } from '../src/runtime/select.js';

const broken = (id: BackendCandidate['id'], error: Error): BackendCandidate => ({
  id,
  tfName: `broken-${id}`,
  summary: `a ${id} that cannot load`,
  load: async () => {
    throw error;
  },
  threads: () => 1,
});

describe('backend selection', () => {
  it('skips backends that throw on load, with their reasons, and takes the next', async () => {
    const report = await selectBackend({
      env: {},
      candidates: [
        broken('tensorflow-gpu', new BackendUnavailable('no CUDA device')),
        broken('native', new Error('addon crashed\nwith a second line')),
        cpu,
      ],
    });
    expect(report.backend).toBe('cpu');
    expect(report.source).toBe('auto');
    expect(report.attempts.map((a) => [a.id, a.status, a.reason])).toEqual([
      ['tensorflow-gpu', 'skipped', 'no CUDA device'],
      ['native', 'skipped', 'addon crashed'],
      ['cpu', 'selected', undefined],
    ]);
  });

  it('tells a backend whether the automatic order chose it (a software GPU declines then)', async () => {
    const softwareGpu: BackendCandidate = {
      ...cpu,
      id: 'webgpu',
      summary: 'a GPU backend on a CPU rasteriser',
      load: async (context) => {
        if (context?.automatic) throw new BackendUnavailable('software adapter (llvmpipe)');
        await cpu.load();
      },
    };
    const auto = await selectBackend({ env: {}, candidates: [softwareGpu, cpu] });
    expect(auto.attempts.map((a) => [a.id, a.status, a.reason])).toEqual([
      ['webgpu', 'skipped', 'software adapter (llvmpipe)'],
      ['cpu', 'selected', undefined],
    ]);
    const named = await selectBackend({
      backend: 'webgpu',
      env: {},
      candidates: [softwareGpu, cpu],
    });
    expect(named.backend).toBe('webgpu');
  });

  it('honours ATTEND_BACKEND, and --backend over it', async () => {
    const fromEnv = await selectBackend({ env: { ATTEND_BACKEND: 'cpu' } });
    expect([fromEnv.backend, fromEnv.source]).toEqual(['cpu', 'ATTEND_BACKEND']);
    const fromFlag = await selectBackend({ backend: 'cpu', env: { ATTEND_BACKEND: 'wasm' } });
    expect([fromFlag.backend, fromFlag.source]).toEqual(['cpu', '--backend']);
  });

  it('gives a one-line error naming what is missing for a requested backend', async () => {
    const request = selectBackend({ backend: 'tensorflow', env: {} });
    await expect(request).rejects.toThrow(AttendError);
    await expect(request).rejects.toThrow(
      /^backend 'tensorflow' \(from --backend\) is unavailable: @tensorflow\/tfjs-node is not installed \(npm i @tensorflow\/tfjs-node@4\.22\.0\)$/,
    );
  });

  it('rejects unknown backend names with the list of valid ones', async () => {
    await expect(selectBackend({ env: { ATTEND_BACKEND: 'gpu' } })).rejects.toThrow(
      "unknown backend 'gpu' (from ATTEND_BACKEND); choose one of: auto, tensorflow-gpu, webgpu, tensorflow, native, wasm, cpu",
    );
  });

  it('picks the native backend automatically when its addon is built', async () => {
    const built = existsSync(projectPath('native', 'build', 'Release', 'attend_native.node'));
    // CI installs OpenBLAS and sets ATTEND_REQUIRE_NATIVE=1, so there the native path must be taken.
    if (process.env.ATTEND_REQUIRE_NATIVE === '1') expect(built).toBe(true);
    const report = await selectBackend({ env: {}, candidates: DEFAULT_CANDIDATES, probeAll: true });
    expect(report.backend).toBe(built ? 'native' : 'wasm');
    const skipped = report.attempts.filter((a) => a.status === 'skipped').map((a) => a.id);
    expect(skipped).toEqual(expect.arrayContaining(['tensorflow-gpu', 'webgpu', 'tensorflow']));
    expect(report.attempts.find((a) => a.id === 'cpu')?.status).toBe('available');
  });
});
