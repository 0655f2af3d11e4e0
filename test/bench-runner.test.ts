import { describe, expect, it } from 'vitest';
import type { BenchCase } from '../src/bench/cases.js';
import { type BenchRow, runBench } from '../src/bench/runner.js';

const counting = (name: string, calls: string[]): BenchCase => ({
  name,
  unit: 'ms',
  create: () => ({
    step: () => {
      calls.push(name);
    },
    dispose: () => {},
  }),
});

describe('runBench', () => {
  it('reports each case as it starts and ends, and stops between cases when told', async () => {
    const calls: string[] = [];
    const started: string[] = [];
    const rows: BenchRow[] = [];
    const backend = { id: 'cpu' as const, tfName: 'cpu' };
    const result = await runBench(
      [counting('a', calls), counting('b', calls), counting('c', calls)],
      [backend],
      {
        minSeconds: 0,
        onStart: (name, _backend, position, total) => started.push(`${name} ${position}/${total}`),
        onRow: (row) => rows.push(row),
        stopped: () => rows.length === 2,
      },
    );
    expect(started).toEqual(['a 1/3', 'b 2/3']);
    expect(result.map((row) => row.name)).toEqual(['a', 'b']);
    expect(rows).toEqual(result);
    expect(calls).not.toContain('c');
  });
});
