import type { Command } from 'commander';
import { batchMemory } from '../../bench/batch-memory.js';
import { BENCH_CASES } from '../../bench/cases.js';
import { type BenchRow, runBench, sgemmCeiling } from '../../bench/runner.js';
import { benchTable, formatBenchValue } from '../../bench/table.js';
import { AttendError } from '../../errors.js';
import { startRuntime } from '../context.js';
import { positiveNumber } from '../parse.js';
import { formatDuration } from '../progress.js';

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
      const rows: BenchRow[] = [];
      const progress = reporter(options.json ?? false);
      // Ctrl-C stops after the case that is running and prints the table of what finished; a
      // second Ctrl-C exits at once.
      let interrupted = false;
      const onSignal = (): void => {
        interrupted = true;
        process.stderr.write(
          '\nattend bench: stopping after this case (Ctrl-C again to quit now)\n',
        );
        process.once('SIGINT', () => process.exit(130));
      };
      process.once('SIGINT', onSignal);
      try {
        if (!pattern || pattern.test('sgemm-ceiling/1024')) {
          const ceiling = await sgemmCeiling(runOptions);
          progress.onRow(ceiling);
          rows.push(ceiling);
        }
        rows.push(
          ...(await runBench(cases, backends, {
            ...runOptions,
            ...progress,
            stopped: () => interrupted,
          })),
        );
      } finally {
        process.removeListener('SIGINT', onSignal);
      }
      if (!options.json) {
        progress.clear();
        console.log(benchTable(rows));
        if (interrupted) console.log(`\ninterrupted: ${rows.length} rows measured`);
      }
      if (interrupted) process.exitCode = 130;
    });
}

/**
 * How rows are shown while the run goes: --json prints each as it finishes (stdout); otherwise
 * stderr names the case running (with its position and the time so far) and prints each finished
 * row, so a run that takes many minutes shows where it is, and the table comes at the end.
 */
function reporter(json: boolean) {
  const started = performance.now();
  const tty = Boolean(process.stderr.isTTY);
  const elapsed = (): string => formatDuration((performance.now() - started) / 1000);
  return {
    onStart(name: string, backend: string, position: number, total: number): void {
      if (json || !tty) return;
      process.stderr.write(`\r[${position}/${total}, ${elapsed()}] ${name} on ${backend}\u001b[K`);
    },
    onRow(row: BenchRow): void {
      if (json) {
        console.log(JSON.stringify(row));
        return;
      }
      if (row.note?.startsWith('skipped')) return; // the table's notes list them
      const value =
        row.value === null
          ? (row.note ?? '-')
          : `${formatBenchValue(row.value, row.unit)}${row.unit === 'bytes' ? 'iB' : ` ${row.unit}`}`;
      process.stderr.write(`${tty ? '\r\u001b[K' : ''}  ${row.name} on ${row.backend}: ${value}\n`);
    },
    clear(): void {
      if (tty) process.stderr.write('\r\u001b[K');
    },
  };
}
