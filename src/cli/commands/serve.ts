import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_PUNCTUATION_MODEL } from '../../../pipelines/punctuate.js';
import { startServer } from '../../../pipelines/serve/server.js';
import { AttendError } from '../../errors.js';
import { startRuntime } from '../context.js';
import { modelsByTask, REPEATABLE_MODEL } from '../models-by-task.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from '../parse.js';

interface ServeOptions {
  port: string;
  host: string;
  model: string[];
  batchSize: string;
  waitMs: string;
  maxMb: string;
  quiet?: boolean;
  punctuationModel: string;
}

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'HTTP server: POST an audio file to /v1/transcribe or an image to /v1/caption (the bytes as the body)',
    )
    .option('--port <n>', 'TCP port (0: any free one)', '8080')
    .option('--host <address>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option(...REPEATABLE_MODEL)
    .option('--batch-size <n>', 'requests of one task put through the model together', '8')
    .option('--wait-ms <ms>', 'how long a request waits for others to batch with', '20')
    .option('--max-mb <n>', 'largest upload accepted, in MiB', '50')
    .option(
      '--punctuation-model <dir>',
      "for punctuate=1 (none: 'none')",
      DEFAULT_PUNCTUATION_MODEL,
    )
    .option('--quiet', 'no line per request on standard error')
    .action(async (options: ServeOptions, command: Command) => {
      const runtime = await startRuntime(command);
      const port = nonNegativeInteger('--port', options.port);
      if (port > 65535) throw new AttendError(`--port: '${options.port}' is not a TCP port`);
      const log = (line: string) => console.error(`attend serve: ${line}`);
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(
          {
            models: modelsByTask(options.model),
            batchSize: positiveInteger('--batch-size', options.batchSize),
            waitMs: nonNegativeInteger('--wait-ms', options.waitMs),
            maxBytes: positiveNumber('--max-mb', options.maxMb) * 2 ** 20,
            ...(options.punctuationModel === 'none' ||
            (options.punctuationModel === DEFAULT_PUNCTUATION_MODEL &&
              !existsSync(DEFAULT_PUNCTUATION_MODEL))
              ? {}
              : { punctuationModel: options.punctuationModel }),
            ...(options.quiet ? {} : { log }),
          },
          port,
          options.host,
        );
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new AttendError(`--port ${port}: already in use on ${options.host}`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
          throw new AttendError(`--host ${options.host}: not an address of this machine`);
        if (code === 'EACCES')
          throw new AttendError(`--port ${port}: not allowed (ports below 1024 need privileges)`);
        throw error;
      }
      log(`listening on ${server.url} (backend ${runtime.backend}, pid ${process.pid})`);
      log(`try: curl --data-binary @samples/speech-16k-mono.wav ${server.url}/v1/transcribe`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          log('stopping after the requests in hand');
          void server.close().then(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
