import { isUserFacing } from '../errors.js';

/**
 * One bad input file does not stop the others: a user-facing error is printed as one line and the
 * exit status says something failed; anything else is a bug and propagates.
 */
export function reportBadInput(error: unknown): void {
  if (!isUserFacing(error)) throw error;
  console.error(`attend: ${error.message}`);
  process.exitCode = 1;
}
