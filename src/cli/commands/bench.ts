import type { Command } from 'commander';
import { batchMemory } from '../../bench/batch-memory.js';
import { BENCH_CASES } from '../../bench/cases.js';
import { type BenchRow, runBench, sgemmCeiling } from '../../bench/runner.js';
import { benchTable } from '../../bench/table.js';
import { AttendError } from '../../errors.js';
import { startRuntime } from '../context.js';
import { positiveNumber } from '../parse.js';

interface BenchOptions {
  json?: boolean;
  only?: string;
  full?: boolean;
  seconds: string;
  batchMemory?: string;
}

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('micro-benchmarks on every backend that loads (or only --backend)')
    .option('--json', 'one JSON object a line: {"name","backend","value","unit"}')
    .option('--only <pattern>', 'run only benchmarks whose name matches this regular expression')
    .option('--full', 'also run the cases that take minutes on the pure-JS cpu backend')
    .option('--seconds <s>', 'time spent on each case after its warm-up', '1')
    .option(
      '--batch-memory <items>',
      'instead: tensors and RSS over a batch job of this many items (tiny model)',
    )
    .action(async (options: BenchOptions, command: Command) => {
      if (options.batchMemory) {
        await startRuntime(command);
        const items = positiveNumber('--batch-memory', options.batchMemory);
        console.log('| items | tf tensors | RSS MiB |\n|---:|---:|---:|');
        for (const s of await batchMemory(items, Math.max(1, Math.round(items / 10))))
          console.log(`| ${s.items} | ${s.tensors} | ${s.rssMiB.toFixed(0)} |`);
        return;
      }
      const report = await startRuntime(command, { probeAll: true });
      let pattern: RegExp | undefined;
      try {
        pattern = options.only ? new RegExp(options.only) : undefined;
      } catch {
        throw new AttendError(`--only: '${options.only}' is not a valid regular expression`);
      }
      const cases = BENCH_CASES.filter((c) => !pattern || pattern.test(c.name));
      // With --backend (or ATTEND_BACKEND) only that backend is measured; otherwise every one that loads.
      // tensorflow-gpu and tensorflow share one tfjs backend: measure it once.
      const backends = report.attempts
        .filter((a) => (report.requested ? a.status === 'selected' : a.status !== 'skipped'))
        .filter((a, i, all) => all.findIndex((b) => b.tfName === a.tfName) === i);
      const runOptions = { minSeconds: Number(options.seconds), full: options.full ?? false };
      const print = options.json
        ? (row: BenchRow) => console.log(JSON.stringify(row))
        : (row: BenchRow) => {
            const status = `  done: ${row.name} on ${row.backend}`;
            process.stderr.write(`${status.padEnd(70)}\r`);
          };
      const rows: BenchRow[] = [];
      if (!pattern || pattern.test('sgemm-ceiling/1024')) {
        const ceiling = await sgemmCeiling(runOptions);
        print(ceiling);
        rows.push(ceiling);
      }
      rows.push(...(await runBench(cases, backends, { ...runOptions, onRow: print })));
      if (!options.json) {
        process.stderr.write(`${' '.repeat(60)}\r`);
        console.log(benchTable(rows));
      }
    });
}
