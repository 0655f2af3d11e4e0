import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder, found by walking up to package.json: the same answer whether this
 * file runs from src/ (tests, tsx) or from dist/src/ (the built CLI).
 */
export const PROJECT_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('attend: cannot find the package root');
    dir = parent;
  }
  return dir;
})();

export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
