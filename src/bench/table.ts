import type { BenchRow } from './runner.js';

/** Numbers with 3 significant digits or so; bytes in MiB. */
export function formatBenchValue(value: number | null, unit: string): string {
  if (value === null) return '-';
  if (unit === 'bytes') return `${(value / 2 ** 20).toFixed(1)}M`;
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Rows pivoted to one line per benchmark and one column per backend, then the notes. */
export function benchTable(rows: readonly BenchRow[]): string {
  const backends = [...new Set(rows.map((r) => r.backend))];
  const names = [...new Set(rows.map((r) => r.name))];
  const header = ['benchmark', 'unit', ...backends];
  const body = names.map((name) => {
    const unit = rows.find((r) => r.name === name)?.unit ?? '';
    return [
      name,
      unit,
      ...backends.map((backend) => {
        const row = rows.find((r) => r.name === name && r.backend === backend);
        return row ? formatBenchValue(row.value, row.unit) : '';
      }),
    ];
  });
  const widths = header.map((_, i) =>
    Math.max(...[header, ...body].map((line) => line[i]!.length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.name} on ${r.backend}: ${r.note}`);
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  if (notes.length) out.push('', 'notes:', ...notes);
  return out.join('\n');
}
