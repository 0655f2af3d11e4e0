/**
 * An error meant for the person running attend: its message names the file or thing at fault and
 * what is wrong with it. The CLI prints these as one line, without a stack trace.
 */
export class AttendError extends Error {
  override readonly name = 'AttendError';
}

/** True for errors whose message is written for users (the CLI prints them without a stack). */
export function isUserFacing(error: unknown): error is AttendError {
  return error instanceof AttendError;
}
