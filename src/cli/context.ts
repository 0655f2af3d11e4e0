import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { projectPath } from '../paths.js';
import { initRuntime, type RuntimeReport, type SelectOptions } from '../runtime/select.js';

export const VERSION: string = (
  JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }
).version;

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  readonly backend?: string;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Picks the backend for a command from --backend, then ATTEND_BACKEND, then the automatic order. */
export function startRuntime(
  command: Command,
  extra: Omit<SelectOptions, 'backend'> = {},
): Promise<RuntimeReport> {
  const { backend } = globalOptions(command);
  return initRuntime({ ...extra, ...(backend ? { backend } : {}) });
}
