/** A one-line progress bar on stderr with count, rate and ETA (plain lines when not a terminal). */
export class Progress {
  private done = 0;
  private failed = 0;
  private lastDraw = 0;
  private readonly started = performance.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  /** `deadline` (a performance.now() time) caps the ETA of work that stops on a time limit. */
  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly unit = 'items',
    private readonly deadline = Number.POSITIVE_INFINITY,
  ) {}

  tick(failed = false): void {
    this.done++;
    if (failed) this.failed++;
    const now = performance.now();
    const every = this.tty ? 100 : 10_000;
    if (now - this.lastDraw >= every || this.done === this.total) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  private draw(now: number): void {
    const seconds = (now - this.started) / 1000;
    const rate = this.done / Math.max(seconds, 1e-9);
    const byCount = rate > 0 ? (this.total - this.done) / rate : Number.POSITIVE_INFINITY;
    const eta = Math.min(byCount, Math.max(0, (this.deadline - now) / 1000));
    const width = 24;
    const filled = this.total > 0 ? Math.round((width * this.done) / this.total) : width;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const failures = this.failed ? `, ${this.failed} failed` : '';
    const line = `${this.label} ${bar} ${this.done}/${this.total} ${rate.toFixed(1)} ${this.unit}/s ETA ${formatDuration(eta)}${failures}`;
    process.stderr.write(this.tty ? `\r${line}\u001b[K` : `${line}\n`);
  }

  finish(): void {
    if (this.done !== this.total) this.draw(performance.now()); // the last tick drew the final state
    if (this.tty) process.stderr.write('\n');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
