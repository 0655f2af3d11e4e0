#!/usr/bin/env node
// Entry point of the `attend` command: runs the compiled CLI (npm install/ci builds dist/).
import { existsSync, readdirSync, statSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('attend: dist/ is missing; run `npm run build` (npm ci builds it) first');
  process.exit(1);
}
warnIfStale(entry);
const { main } = await import(entry.href);
const code = await main(process.argv);
// A failed command ends now: client libraries may still hold retry timers (a Redis client that could
// not connect, say) whose late events would otherwise surface as a second, raw error.
if (code !== 0) process.exit(code);

/**
 * In a checkout (sources next to dist/), says so when a TypeScript source is newer than the build:
 * the CLI runs dist/, and a forgotten `npm run build` otherwise runs yesterday's code silently.
 */
function warnIfStale(built) {
  const root = new URL('..', import.meta.url).pathname;
  const builtAt = statSync(built).mtimeMs;
  const newer = (dir) => {
    if (!existsSync(dir)) return undefined;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        const found = newer(path);
        if (found) return found;
      } else if (entry.name.endsWith('.ts') && statSync(path).mtimeMs > builtAt) return path;
    }
    return undefined;
  };
  for (const dir of ['src', 'pipelines', 'datasets']) {
    const source = newer(`${root}${dir}`);
    if (source) {
      console.error(
        `attend: ${source.slice(root.length)} is newer than dist/: run \`npm run build\``,
      );
      return;
    }
  }
}
