import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Progress } from '../cli/progress.js';
import { seedDropout } from '../nn/dropout.js';
import { tf } from '../runtime/tf.js';
import { prng } from '../util/random.js';
import { FlatAdam } from './flat-adam.js';
import {
  readTrainingState,
  restoreOptimizer,
  type SavableModel,
  saveTrainingState,
} from './optimizer-state.js';
import { learningRate } from './schedule.js';

/** Settings every trainer shares (the CLI's `attend train <task>` options). */
export interface LoopSettings {
  readonly out: string; // checkpoint folder: best/ and latest/
  readonly steps: number;
  readonly maxMinutes: number;
  readonly peakLr: number;
  readonly warmup: number;
  readonly evalEvery: number;
  readonly patience: number;
  readonly seed: number;
  readonly clipNorm?: number;
  /** The last N steps before `steps` anneal the rate linearly towards zero (schedule.ts); 0: none. */
  readonly cooldown?: number;
  /** Keep the model of the last N evaluations in <out>/snapshots/step-S (to average); 0: none. */
  readonly snapshots?: number;
  /**
   * Fine-tuning: a checkpoint folder whose model (weights, configuration, tokenizer) a new run
   * starts from, with a fresh optimizer and schedule. A run that resumes from <out>/latest has
   * already started from it and ignores it.
   */
  readonly init?: string;
}

/** How a run began, for its card and its retrain command: --init's checkpoint, else a --preset. */
export function runOrigin(options: { readonly init?: string; readonly preset: string }) {
  return options.init
    ? { card: { initFrom: options.init }, flag: `--init ${options.init}` }
    : { card: { preset: options.preset }, flag: `--preset ${options.preset}` };
}

export interface TrainState {
  step: number;
  epoch: number;
  /** Best dev score so far (lower is better). */
  best: number;
  evalsWithoutGain: number;
  history: Record<string, number>[];
  secondsTrained: number;
}

/** What a task plugs into the loop. */
export interface TrainingTask<B> {
  readonly label: string;
  readonly model: SavableModel;
  /** One epoch's batches in a seeded order; each is made only when the loop gets to it. */
  epoch(random: () => number): Iterable<() => B>;
  /** The loss to minimise and named parts to log (all scalars; called inside variableGrads). */
  loss(batch: B): { total: tf.Scalar; parts: Record<string, tf.Scalar> };
  disposeBatch(batch: B): void;
  /** Dev evaluation: `score` (lower is better) picks the best checkpoint; metrics are logged. */
  evaluate(): Promise<{ score: number; metrics: Record<string, number> }>;
  /** The model card written with every checkpoint. */
  card(state: TrainState): Record<string, unknown>;
}

/**
 * The training loop both tasks use: Adam with the rate from schedule.ts (warm-up,
 * inverse-square-root decay, optional cool-down) and gradient clipping (in FlatAdam), periodic dev
 * evaluation with the best model in <out>/best and early stopping, and <out>/latest (with optimizer
 * state) for resuming. Stops at `steps`, after `maxMinutes`, or on SIGINT/SIGTERM, always with a
 * checkpoint. Each step's losses and rate go to <out>/steps.jsonl.
 */
export async function runTraining<B>(
  settings: LoopSettings,
  task: TrainingTask<B>,
  resumeState?: TrainState,
): Promise<TrainState> {
  mkdirSync(settings.out, { recursive: true });
  const latest = join(settings.out, 'latest');
  const variables = task.model.params.list();
  const optimizer = new FlatAdam(variables, settings.peakLr, 0.9, 0.98, 1e-9);
  const state: TrainState = resumeState ?? {
    step: 0,
    epoch: 0,
    best: Number.POSITIVE_INFINITY,
    evalsWithoutGain: 0,
    history: [],
    secondsTrained: 0,
  };
  if (resumeState) await restoreOptimizer(task.model, optimizer, latest);
  // Same seed, same masks: two runs (two backends) of one config draw the same dropout.
  seedDropout(settings.seed * 100_003 + state.step);
  const started = performance.now();
  let stopping = false;
  const onSignal = () => {
    stopping = true;
  };
  // Ctrl-C, or a scheduler's SIGTERM: finish the step, save, stop.
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deadline = started + settings.maxMinutes * 60_000;
  const progress = new Progress(settings.steps - state.step, task.label, 'steps', deadline);
  // Every step's losses, one JSON line each: loss curves (and backend comparisons) without a dev run.
  const stepLog = join(settings.out, 'steps.jsonl');
  let lastLoss: Record<string, number> = {};
  try {
    while (!stopping && state.step < settings.steps) {
      const random = prng(settings.seed * 1000 + state.epoch);
      for (const makeBatch of task.epoch(random)) {
        if (stopping || state.step >= settings.steps) break;
        const stepStart = performance.now();
        const batch = makeBatch();
        const step = state.step + 1;
        // FlatAdam reads the rate on every step, so the schedule just sets it.
        const rate = learningRate(step, settings);
        optimizer.learningRate = rate;
        let parts: [string, tf.Scalar][] = [];
        const { value, grads } = tf.variableGrads(() => {
          const loss = task.loss(batch);
          parts = Object.entries(loss.parts).map(([name, scalar]) => [name, tf.keep(scalar)]);
          return loss.total;
        }, variables);
        optimizer.step(grads, settings.clipNorm ?? 5);
        // All of the step's numbers in one read (each read waits for the GPU to drain).
        const numbers = tf.tidy(() => tf.stack([value, ...parts.map(([, t]) => t)]).dataSync());
        lastLoss = {
          loss: numbers[0]!,
          ...Object.fromEntries(parts.map(([name], i) => [name, numbers[i + 1]!])),
        };
        tf.dispose([value, ...parts.map(([, t]) => t), ...Object.values(grads)]);
        task.disposeBatch(batch);
        state.step = step;
        state.secondsTrained += (performance.now() - stepStart) / 1000;
        appendFileSync(
          stepLog,
          `${JSON.stringify({ step, ...lastLoss, lr: rate, seconds: +state.secondsTrained.toFixed(3) })}\n`,
        );
        progress.tick();
        // A step is synchronous: yield to the event loop so a SIGINT/SIGTERM handler can run now,
        // not at the next evaluation.
        await new Promise((resolve) => setImmediate(resolve));
        const timeUp = performance.now() >= deadline;
        if (step % settings.evalEvery === 0 || timeUp) {
          const { score, metrics } = await task.evaluate();
          state.history.push({
            step,
            ...lastLoss,
            ...metrics,
            seconds: Math.round(state.secondsTrained),
          });
          const shown = Object.entries({ ...lastLoss, ...metrics })
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(', ');
          process.stderr.write(`\nstep ${step}: ${shown}\n`);
          if (score < state.best) {
            state.best = score;
            state.evalsWithoutGain = 0;
            await task.model.save(join(settings.out, 'best'), { ...task.card(state), ...metrics });
          } else if (++state.evalsWithoutGain >= settings.patience) {
            process.stderr.write(
              `dev score has not improved for ${settings.patience} evaluations: stopping early\n`,
            );
            stopping = true;
          }
          await saveTrainingState(task.model, optimizer, state, settings.out, task.card(state));
          if (settings.snapshots)
            await saveSnapshot(task.model, settings.out, step, settings.snapshots, {
              ...task.card(state),
              ...metrics,
            });
        }
        if (timeUp) stopping = true;
      }
      if (!stopping) state.epoch++;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress.finish();
    await saveTrainingState(task.model, optimizer, state, settings.out, task.card(state));
    optimizer.dispose();
  }
  return state;
}

/** The model at `step` in <out>/snapshots/step-<step>; only the newest `keep` stay. */
async function saveSnapshot(
  model: SavableModel,
  out: string,
  step: number,
  keep: number,
  card: Record<string, unknown>,
): Promise<void> {
  const folder = join(out, 'snapshots');
  await model.save(join(folder, `step-${String(step).padStart(7, '0')}`), card);
  const saved = readdirSync(folder)
    .filter((name) => /^step-\d+$/.test(name))
    .sort();
  for (const old of saved.slice(0, Math.max(0, saved.length - keep)))
    rmSync(join(folder, old), { recursive: true, force: true });
}

/** A saved loop state, with runs saved before `best` existed (they kept `bestWer`) read too. */
export function resumableState(out: string): TrainState | undefined {
  const saved = readTrainingState<TrainState & { bestWer?: number }>(join(out, 'latest'));
  if (!saved) return undefined;
  const { bestWer, ...rest } = saved;
  return { ...rest, best: saved.best ?? bestWer ?? Number.POSITIVE_INFINITY };
}
