/**
 * The slice of vitest's API our tensor-level suites use, for running them where vitest is not
 * installed: the GPU machine gets one bundled file (node_modules does not fit what a call carries).
 * Bundled with `--alias:vitest=./scripts/device/vitest-shim.ts`; run-suites.ts runs what registered.
 */
import { isDeepStrictEqual } from 'node:util';

type Body = () => unknown | Promise<unknown>;
interface Test {
  readonly name: string;
  readonly body: Body;
}
interface Suite {
  readonly name: string;
  readonly tests: Test[];
  readonly before: Body[];
  readonly after: Body[];
}

const root: Suite = { name: '', tests: [], before: [], after: [] };
const suites: Suite[] = [];
let current = root;

export function describe(name: string, body: () => void): void {
  const suite: Suite = { name, tests: [], before: [], after: [] };
  const outer = current;
  current = suite;
  suites.push(suite);
  try {
    body();
  } finally {
    current = outer;
  }
}

function addTest(name: string, body: Body): void {
  current.tests.push({ name, body });
}

/** vitest's printf-style titles: %s %i %d %j, each case's arguments in order. */
function title(template: string, args: unknown[]): string {
  let i = 0;
  return template.replace(/%[sidj]/g, () => {
    const value = args[i++];
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

export const it = Object.assign(addTest, {
  each:
    <T>(cases: readonly T[]) =>
    (name: string, body: (...args: unknown[]) => unknown) => {
      for (const entry of cases) {
        const args = Array.isArray(entry) ? entry : [entry];
        addTest(title(name, args), () => body(...args));
      }
    },
  skip: (_name: string, _body: Body) => {},
});
export const test = it;

export function beforeAll(body: Body): void {
  current.before.push(body);
}
export function afterAll(body: Body): void {
  current.after.push(body);
}

class AssertionError extends Error {}

function fail(message: string, label?: string): never {
  throw new AssertionError(label ? `${label}: ${message}` : message);
}

const show = (value: unknown): string => {
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}[${Array.from(value as unknown as ArrayLike<number>)
      .slice(0, 8)
      .join(', ')}…]`;
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
};

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return isDeepStrictEqual(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(expected).every(([key, value]) =>
    matchesObject((actual as Record<string, unknown>)[key], value),
  );
}

/** Deep equality as vitest's toEqual: plain arrays and typed arrays compare by elements. */
function equal(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b))
    return a.constructor === b.constructor && isDeepStrictEqual(a, b);
  return isDeepStrictEqual(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

function matchers(actual: unknown, negate: boolean, label?: string) {
  const check = (ok: boolean, message: string): void => {
    if (ok === negate) fail(negate ? `not ${message}` : message, label);
  };
  const n = actual as number;
  return {
    toBe: (expected: unknown) =>
      check(Object.is(actual, expected), `expected ${show(actual)} to be ${show(expected)}`),
    toEqual: (expected: unknown) =>
      check(equal(actual, expected), `expected ${show(actual)} to equal ${show(expected)}`),
    toStrictEqual: (expected: unknown) =>
      check(
        isDeepStrictEqual(actual, expected),
        `expected ${show(actual)} to strictly equal ${show(expected)}`,
      ),
    toBeCloseTo: (expected: number, digits = 2) =>
      check(
        Math.abs(n - expected) < 10 ** -digits / 2,
        `expected ${n} to be close to ${expected} (${digits} digits)`,
      ),
    toBeGreaterThan: (x: number) => check(n > x, `expected ${n} > ${x}`),
    toBeGreaterThanOrEqual: (x: number) => check(n >= x, `expected ${n} >= ${x}`),
    toBeLessThan: (x: number) => check(n < x, `expected ${n} < ${x}`),
    toBeLessThanOrEqual: (x: number) => check(n <= x, `expected ${n} <= ${x}`),
    toBeUndefined: () => check(actual === undefined, `expected ${show(actual)} to be undefined`),
    toBeDefined: () => check(actual !== undefined, 'expected a defined value'),
    toBeTruthy: () => check(Boolean(actual), `expected ${show(actual)} to be truthy`),
    toContain: (item: unknown) =>
      check(
        (actual as { includes(x: unknown): boolean }).includes(item),
        `expected ${show(actual)} to contain ${show(item)}`,
      ),
    toHaveLength: (length: number) =>
      check((actual as { length: number }).length === length, `expected length ${length}`),
    toMatch: (pattern: RegExp | string) =>
      check(
        typeof actual === 'string' &&
          (typeof pattern === 'string' ? actual.includes(pattern) : pattern.test(actual)),
        `expected ${show(actual)} to match ${String(pattern)}`,
      ),
    toMatchObject: (expected: unknown) =>
      check(matchesObject(actual, expected), `expected ${show(actual)} to match ${show(expected)}`),
    toThrow: (pattern?: RegExp | string) => {
      let thrown: unknown;
      let threw = false;
      try {
        (actual as () => unknown)();
      } catch (error) {
        threw = true;
        thrown = error;
      }
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      const ok =
        threw &&
        (pattern === undefined ||
          (typeof pattern === 'string' ? message.includes(pattern) : pattern.test(message)));
      check(
        ok,
        `expected a throw${pattern ? ` matching ${String(pattern)}` : ''}, got ${threw ? message : 'none'}`,
      );
    },
  };
}

export function expect(actual: unknown, label?: string) {
  return Object.assign(matchers(actual, false, label), { not: matchers(actual, true, label) });
}

export const vi = {};

/** Runs every registered suite in order; returns the number of failed tests. */
export async function runRegistered(
  report: (line: string) => void = (line) => console.log(line),
): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  // File-level beforeAll hooks (backend checks) run once, first.
  for (const hook of root.before) await hook();
  for (const suite of [root, ...suites]) {
    if (suite.tests.length === 0) continue;
    try {
      for (const hook of suite === root ? [] : suite.before) await hook();
    } catch (error) {
      report(`FAIL ${suite.name} (beforeAll): ${(error as Error).message}`);
      failed += suite.tests.length;
      continue;
    }
    for (const test of suite.tests) {
      const start = performance.now();
      try {
        await test.body();
        passed++;
        report(`ok   ${suite.name} > ${test.name} (${(performance.now() - start).toFixed(0)} ms)`);
      } catch (error) {
        failed++;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        report(
          `FAIL ${suite.name} > ${test.name}\n     ${message.split('\n').slice(0, 6).join('\n     ')}`,
        );
      }
    }
    for (const hook of suite.after) await hook();
  }
  return { passed, failed };
}
