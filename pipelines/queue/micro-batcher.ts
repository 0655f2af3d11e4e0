/**
 * Collects single requests into batches: a call waits until `size` requests are pending or `waitMs`
 * has passed since the first, then the whole batch runs at once. A queue worker running N jobs
 * concurrently uses it to put N images or utterances through the model together.
 */
export class MicroBatcher<I, O> {
  private pending: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = Promise.resolve();

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly size: number,
    private readonly waitMs = 30,
  ) {}

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length >= this.size) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.waitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    // Batches run one after another: the model is one resource.
    this.running = this.running.then(async () => {
      try {
        const outputs = await this.run(batch.map((b) => b.input));
        for (const [i, b] of batch.entries()) b.resolve(outputs[i]!);
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    });
  }
}
