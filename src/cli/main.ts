import { Command, CommanderError } from 'commander';
import { isUserFacing } from '../errors.js';
import { releaseWebgpu } from '../runtime/candidates.js';
import { alignCommand } from './commands/align.js';
import { batchCommand } from './commands/batch.js';
import { benchCommand } from './commands/bench.js';
import { captionCommand } from './commands/caption.js';
import { datasetCommand } from './commands/dataset.js';
import { doctorCommand } from './commands/doctor.js';
import { evalCommand } from './commands/evaluate.js';
import { listenCommand } from './commands/listen.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';
import { transcribeCommand } from './commands/transcribe.js';
import { workerCommand } from './commands/worker.js';
import { VERSION } from './context.js';

/** The attend command line; each command lives in commands/, one file each. */
export function buildProgram(): Command {
  const program = new Command('attend')
    .description('speech recognition and image captioning with attention models on TensorFlow.js')
    .version(VERSION)
    .option(
      '--backend <name>',
      'tfjs backend: auto, tensorflow-gpu, webgpu, tensorflow, native, wasm, cpu (env ATTEND_BACKEND)',
    )
    .showHelpAfterError();
  doctorCommand(program);
  benchCommand(program);
  datasetCommand(program);
  trainCommand(program);
  transcribeCommand(program);
  alignCommand(program);
  listenCommand(program);
  captionCommand(program);
  batchCommand(program);
  workerCommand(program);
  serveCommand(program);
  evalCommand(program);
  return program;
}

/**
 * Process warnings (attend's own, e.g. a WAV cut short, and Node's) as one `attend:` line each,
 * in place of Node's "(node:PID) ... Use `node --trace-warnings`" pair.
 */
function printWarningsAsLines(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const kind = warning.name === 'AttendWarning' ? '' : `${warning.name}: `;
    console.error(`attend: ${kind}${warning.message}`);
  });
}

/**
 * A reader that stops early (`attend listen | head -3`) closes the pipe: end quietly, as Unix
 * tools do, instead of an unhandled EPIPE stack trace.
 */
function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** Runs the CLI; user-facing errors print as one line (no stack) and exit with status 1. */
export async function main(argv: string[] = process.argv): Promise<number> {
  printWarningsAsLines();
  exitQuietlyOnClosedStdout();
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    // Commands that finish with partial failures (a bad file among good ones) set exitCode.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isUserFacing(error)) {
      console.error(`attend: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    releaseWebgpu();
  }
}
