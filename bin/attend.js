#!/usr/bin/env node
// Entry point of the `attend` command: runs the compiled CLI (npm install/ci builds dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('attend: dist/ is missing; run `npm run build` (npm ci builds it) first');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// A failed command ends now: client libraries may still hold retry timers (a Redis client that could
// not connect, say) whose late events would otherwise surface as a second, raw error.
if (code !== 0) process.exit(code);
