import { spawnSync } from 'node:child_process';
import { projectPath } from '../../src/paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/attend.js (the built CLI, as a user runs it) and captures its output; `input` is its stdin. */
export function attend(args: string[], env: NodeJS.ProcessEnv = {}, input?: Buffer): CliResult {
  const result = spawnSync(process.execPath, [projectPath('bin', 'attend.js'), ...args], {
    cwd: projectPath(),
    encoding: 'utf8',
    env: { ...process.env, ATTEND_BACKEND: '', ...env },
    timeout: 300_000,
    ...(input ? { input } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
