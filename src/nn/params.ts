import { tf } from '../runtime/tf.js';

export type Initializer = 'glorot' | 'zeros' | 'ones' | 'normal' | 'uniform-small';

/**
 * Named trainable variables, created on first use with a deterministic initialiser. Modules take a
 * scope (`params.scope('attention')`) so that names read like paths: `decoder/attention/wq`. The
 * flat name → variable map is what checkpoints save and optimizers train.
 */
export class ParamStore {
  private readonly all: Map<string, tf.Variable>;
  private readonly counter: { seed: number };

  constructor(
    readonly prefix = '',
    shared?: { all: Map<string, tf.Variable>; counter: { seed: number } },
    seed = 1,
  ) {
    this.all = shared?.all ?? new Map();
    this.counter = shared?.counter ?? { seed };
  }

  scope(name: string): ParamStore {
    return new ParamStore(this.prefix ? `${this.prefix}/${name}` : name, {
      all: this.all,
      counter: this.counter,
    });
  }

  /** The variable `name` in this scope, created with `init` the first time it is asked for. */
  get(name: string, shape: number[], init: Initializer = 'glorot'): tf.Variable {
    const key = this.prefix ? `${this.prefix}/${name}` : name;
    const existing = this.all.get(key);
    if (existing) {
      if (existing.shape.join() !== shape.join()) {
        throw new Error(`parameter ${key}: asked for shape [${shape}], have [${existing.shape}]`);
      }
      return existing;
    }
    const seed = this.counter.seed++;
    // tfjs variable names are global to the engine, so they stay auto-generated; ours live in the map.
    const variable = tf.tidy(() => tf.variable(initialValue(shape, init, seed), true));
    this.all.set(key, variable);
    return variable;
  }

  /** Every variable of the whole store (not just this scope), by full name. */
  variables(): Record<string, tf.Variable> {
    return Object.fromEntries(this.all);
  }

  list(): tf.Variable[] {
    return [...this.all.values()];
  }

  /** Number of scalar parameters in the store. */
  size(): number {
    let n = 0;
    for (const v of this.all.values()) n += v.size;
    return n;
  }

  /** Overwrites values from a saved map (names must match; extra or missing names are errors). */
  assign(values: tf.NamedTensorMap): void {
    const missing = [...this.all.keys()].filter((k) => !(k in values));
    const extra = Object.keys(values).filter((k) => !this.all.has(k));
    if (missing.length || extra.length) {
      throw new Error(
        `checkpoint does not match the model: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`,
      );
    }
    for (const [name, variable] of this.all) variable.assign(values[name]!);
  }

  dispose(): void {
    for (const v of this.all.values()) v.dispose();
    this.all.clear();
  }
}

function initialValue(shape: number[], init: Initializer, seed: number): tf.Tensor {
  switch (init) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'normal':
      return tf.randomNormal(shape, 0, 0.02, 'float32', seed);
    case 'uniform-small':
      return tf.randomUniform(shape, -0.1, 0.1, 'float32', seed);
    case 'glorot': {
      const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0]!;
      const fanOut = shape.at(-1)!;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.randomUniform(shape, -limit, limit, 'float32', seed);
    }
  }
}
