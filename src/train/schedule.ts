/** What the learning-rate schedule reads from the loop's settings. */
export interface ScheduleSettings {
  readonly peakLr: number;
  readonly warmup: number;
  /** The step training stops at; the cool-down ends there. */
  readonly steps: number;
  /** The last `cooldown` steps before `steps` scale the rate linearly down to zero; 0: none. */
  readonly cooldown?: number;
}

/**
 * The rate for a step (1-based): linear warm-up to the peak, inverse-square-root decay after it
 * (Vaswani et al.), and an optional linear cool-down to zero over the run's last steps
 * (warmup-stable-decay): a model whose dev score has gone flat under the slowly falling rate
 * usually gains once more when the rate is annealed, and resuming with the same flags continues
 * the same curve because the rate depends on the step alone.
 */
export function learningRate(step: number, settings: ScheduleSettings): number {
  const { peakLr, warmup, steps, cooldown = 0 } = settings;
  const base = peakLr * Math.min(step / warmup, Math.sqrt(warmup / step));
  if (cooldown <= 0) return base;
  // Steps steps-cooldown+1 .. steps get cooldown/(cooldown+1) .. 1/(cooldown+1) of the rate: none is 0.
  const remaining = steps - step + 1;
  return remaining > cooldown ? base : (base * Math.max(0, remaining)) / (cooldown + 1);
}
