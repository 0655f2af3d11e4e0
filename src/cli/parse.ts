import { AttendError } from '../errors.js';

/** A numeric option that must be > 0 (learning rates, minutes, counts where fractions make sense). */
export function positiveNumber(name: string, value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new AttendError(`${name}: '${value}' is not a positive number`);
  return n;
}

/** A count option: a whole number >= 1. */
export function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new AttendError(`${name}: '${value}' is not a positive integer`);
  return n;
}

/** A count option that may be 0 (0 turns the feature off). */
export function nonNegativeInteger(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new AttendError(`${name}: '${value}' is not a whole number >= 0`);
  return n;
}

/** A weight option: a number >= 0. */
export function nonNegativeNumber(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0))
    throw new AttendError(`${name}: '${value}' is not a non-negative number`);
  return n;
}

/** A comma-separated list of words (`--hotwords a,b`, `hotwords=a,b`): trimmed, empty ones dropped. */
export const wordList = (value: string): string[] =>
  value
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);

/** A comma-separated list of weights, e.g. `0,0.2,0.4`. */
export function weightList(name: string, value: string): number[] {
  return value.split(',').map((part) => nonNegativeNumber(name, part));
}

/** A comma-separated list of names from a table (`--voices default,varied`), in the order given. */
export function namedChoices<T>(
  name: string,
  value: string,
  choices: Readonly<Record<string, T>>,
): T[] {
  return value.split(',').map((part) => {
    const key = part.trim();
    const choice = Object.hasOwn(choices, key) ? choices[key] : undefined;
    if (choice === undefined)
      throw new AttendError(`${name}: '${part}' is not one of ${Object.keys(choices).join(', ')}`);
    return choice;
  });
}

/** `LOW,HIGH` (e.g. `10,40`): two numbers with LOW <= HIGH, for ranges a value is drawn from. */
export function numberRange(name: string, value: string): readonly [number, number] {
  const parts = value.split(',');
  const [low, high] = parts.map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (parts.length !== 2 || !Number.isFinite(low) || !Number.isFinite(high) || low! > high!)
    throw new AttendError(`${name}: '${value}' is not LOW,HIGH (two numbers, LOW <= HIGH)`);
  return [low!, high!];
}
