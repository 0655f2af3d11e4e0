#!/usr/bin/env node
// Compares two training runs' per-step losses (<out>/steps.jsonl), e.g. the same run on two
// backends: mean loss over windows of steps side by side, and the largest relative gap.
// Usage: node scripts/compare-curves.mjs A/steps.jsonl B/steps.jsonl [window=25] [key=loss]
import { readFileSync } from 'node:fs';

const [a, b, windowArg, key = 'loss'] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: compare-curves.mjs A/steps.jsonl B/steps.jsonl [window] [key]');
  process.exit(2);
}
const window = Number(windowArg ?? 25);
const read = (file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
const [runA, runB] = [read(a), read(b)];
const steps = Math.min(runA.length, runB.length);
const mean = (rows, from, to) =>
  rows.slice(from, to).reduce((sum, row) => sum + row[key], 0) / Math.max(1, to - from);
console.log(`| steps | ${a} | ${b} | gap |\n|---|---:|---:|---:|`);
let worst = 0;
for (let from = 0; from < steps; from += window) {
  const to = Math.min(steps, from + window);
  const [x, y] = [mean(runA, from, to), mean(runB, from, to)];
  const gap = Math.abs(x - y) / Math.max(Math.abs(x), 1e-9);
  worst = Math.max(worst, gap);
  console.log(
    `| ${from + 1}-${to} | ${x.toFixed(4)} | ${y.toFixed(4)} | ${(gap * 100).toFixed(2)}% |`,
  );
}
const secs = (rows) => rows[steps - 1]?.seconds ?? Number.NaN;
console.log(
  `\n${steps} steps compared; largest gap between window means ${(worst * 100).toFixed(2)}%; ` +
    `training seconds ${secs(runA).toFixed(1)} vs ${secs(runB).toFixed(1)}`,
);
