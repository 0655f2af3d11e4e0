import { AttendError } from '../errors.js';
import {
  BACKEND_ORDER,
  type BackendCandidate,
  type BackendId,
  BackendUnavailable,
  DEFAULT_CANDIDATES,
  isBackendId,
  type LoadContext,
} from './candidates.js';
import { tf } from './tf.js';

/** What happened to one candidate while choosing. */
export interface BackendAttempt {
  readonly id: BackendId;
  readonly tfName: string;
  readonly summary: string;
  readonly status: 'selected' | 'available' | 'skipped' | 'not tried';
  readonly reason?: string;
}

export interface RuntimeReport {
  readonly backend: BackendId;
  readonly tfName: string;
  readonly requested?: BackendId;
  /** How the choice was made: 'auto', '--backend' or 'ATTEND_BACKEND'. */
  readonly source: 'auto' | '--backend' | 'ATTEND_BACKEND';
  readonly threads: number;
  readonly attempts: readonly BackendAttempt[];
}

export interface SelectOptions {
  /** A backend named by the user; otherwise ATTEND_BACKEND; otherwise the automatic order. */
  readonly backend?: string;
  /** Try every candidate (for `attend doctor`) instead of stopping at the first that works. */
  readonly probeAll?: boolean;
  readonly candidates?: readonly BackendCandidate[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Where the next activation waits: activations run one at a time. */
let activations: Promise<unknown> = Promise.resolve();

/**
 * Loads a candidate and makes it current; returns the reason when it cannot. Calls are queued, not
 * run at once: tfjs gives up an async backend init (WebGPU's device request) that a second
 * setBackend overtakes, so two concurrent activations (a test's backend check beside the runtime's
 * own start) would fail each other.
 */
export function tryActivate(
  candidate: BackendCandidate,
  context: LoadContext = { automatic: false },
): Promise<string | undefined> {
  const run = activations.then(() => activate(candidate, context));
  activations = run;
  return run;
}

async function activate(
  candidate: BackendCandidate,
  context: LoadContext,
): Promise<string | undefined> {
  try {
    await candidate.load(context);
    const ok = await tf.setBackend(candidate.tfName);
    if (!ok) return `tf.setBackend('${candidate.tfName}') failed to initialise it`;
    candidate.verify?.();
    await tf.ready();
    return undefined;
  } catch (error) {
    if (error instanceof BackendUnavailable) return error.message;
    const message = error instanceof Error ? error.message : String(error);
    return message.split('\n')[0];
  }
}

function resolveRequest(options: SelectOptions): {
  requested?: BackendId;
  source: RuntimeReport['source'];
} {
  const env = options.env ?? process.env;
  const [name, source] = options.backend
    ? [options.backend, '--backend' as const]
    : env.ATTEND_BACKEND
      ? [env.ATTEND_BACKEND, 'ATTEND_BACKEND' as const]
      : [undefined, 'auto' as const];
  if (name === undefined || name === 'auto') return { source: 'auto' };
  if (!isBackendId(name)) {
    throw new AttendError(
      `unknown backend '${name}' (from ${source}); choose one of: auto, ${BACKEND_ORDER.join(', ')}`,
    );
  }
  return { requested: name, source };
}

/**
 * Chooses the backend every tensor op will run on. With a requested backend, that one or a one-line
 * error; otherwise the first in BACKEND_ORDER that loads. Must run before any tensor is created.
 */
export async function selectBackend(options: SelectOptions = {}): Promise<RuntimeReport> {
  const candidates = options.candidates ?? DEFAULT_CANDIDATES;
  const { requested, source } = resolveRequest(options);
  const attempts: BackendAttempt[] = [];
  let chosen: BackendCandidate | undefined;

  for (const candidate of candidates) {
    const record = (status: BackendAttempt['status'], reason?: string): void => {
      const { id, tfName, summary } = candidate;
      attempts.push({ id, tfName, summary, status, ...(reason === undefined ? {} : { reason }) });
    };
    const wanted = requested === undefined || requested === candidate.id;
    if (!wanted && !options.probeAll) continue;
    if (chosen && !options.probeAll) {
      record('not tried');
      continue;
    }
    const reason = await tryActivate(candidate, { automatic: requested !== candidate.id });
    if (reason !== undefined) {
      record('skipped', reason);
    } else if (!chosen && wanted) {
      chosen = candidate;
      record('selected');
    } else {
      record('available');
    }
  }

  if (!chosen) {
    if (requested) {
      const reason = attempts.find((a) => a.id === requested)?.reason ?? 'not in this build';
      throw new AttendError(`backend '${requested}' (from ${source}) is unavailable: ${reason}`);
    }
    throw new AttendError('no TensorFlow.js backend could be loaded (not even cpu)');
  }
  // Probing may have left another backend current: make the chosen one current again.
  if (tf.getBackend() !== chosen.tfName || options.probeAll) {
    await tf.setBackend(chosen.tfName);
    chosen.verify?.();
  }
  return {
    backend: chosen.id,
    tfName: chosen.tfName,
    ...(requested ? { requested } : {}),
    source,
    threads: chosen.threads(),
    attempts,
  };
}

let current: Promise<RuntimeReport> | undefined;

/** Selects the backend once per process (later calls return the first report). */
export function initRuntime(options: SelectOptions = {}): Promise<RuntimeReport> {
  current ??= selectBackend(options);
  return current;
}
