import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isUserFacing } from '../../src/errors.js';
import { WRITERS } from '../../src/output/writers.js';
import { tf } from '../../src/runtime/tf.js';
import { captionRecord } from '../caption.js';
import { HttpError, readBody, send, sendJson } from './http.js';
import { attachLiveEndpoint, LIVE_PATH } from './live.js';
import { alignRequest, captionRequest, requestName, transcribeRequest } from './requests.js';
import { ModelService, type ServiceOptions } from './service.js';

export interface ServeOptions extends ServiceOptions {
  /** Largest upload accepted, in bytes. */
  readonly maxBytes: number;
  /** One line per request (method, path, status, seconds, what it was); absent: silent. */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly service: ModelService;
  /** Stops taking connections, lets the requests in hand finish, then frees the models. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<keyof typeof WRITERS, string> = {
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
};

const ROUTES: Record<string, string> = {
  'POST /v1/transcribe': 'speech to text: the audio file as the body',
  'POST /v1/caption': 'image to text: the image file as the body',
  'POST /v1/align': 'word times of ?text=... in the audio file sent as the body',
  'GET /v1/listen': 'live speech to text: a WebSocket, audio in, an utterance a message out',
  'GET /health': 'models, backend and request counts',
};

/** The status and message an error is answered with: a user's mistake is a 400, ours a 500. */
function refusal(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (isUserFacing(error)) return new HttpError(400, error.message);
  const reason = error instanceof Error ? error.message : String(error);
  return new HttpError(500, `internal error: ${reason}`);
}

/** Text answers end with a line break, as the CLI prints them. */
const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

/**
 * The HTTP front of attend: `POST /v1/transcribe` and `POST /v1/caption` take a file's bytes as
 * the body and answer what `attend transcribe --format F` / `attend caption --format json` print.
 * Requests that arrive together are batched through the model (ModelService). Bad input is a 400
 * naming the upload and its problem; only a fault of the server is a 500.
 */
export async function startServer(
  options: ServeOptions,
  port: number,
  host: string,
): Promise<RunningServer> {
  const service = new ModelService(options);
  const backend = tf.getBackend();
  const health = () => ({
    status: 'ok',
    backend,
    models: { ...options.models, punctuation: options.punctuationModel ?? null },
    served: service.stats,
    endpoints: ROUTES,
  });

  /** Answers one request; returns a few words on what it was, for the log. */
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<string> => {
    const url = new URL(request.url ?? '/', 'http://attend');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /health' || route === 'GET /') {
      sendJson(response, 200, health());
      return '';
    }
    if (route === 'POST /v1/transcribe') {
      const settings = transcribeRequest(url.searchParams);
      const name = requestName(url.searchParams, request);
      const transcript = await service.transcribe(
        await readBody(request, options.maxBytes),
        name,
        settings.decoding,
        settings.punctuate,
      );
      send(
        response,
        200,
        CONTENT_TYPES[settings.format],
        line(WRITERS[settings.format].format([transcript])),
      );
      return `${name}, ${transcript.duration.toFixed(2)} s of audio`;
    }
    if (route === 'POST /v1/align') {
      const settings = alignRequest(url.searchParams);
      const name = requestName(url.searchParams, request);
      const body = await readBody(request, options.maxBytes);
      const aligned = await service.align(body, name, settings.text);
      const answer = line(WRITERS[settings.format].format([aligned]));
      send(response, 200, CONTENT_TYPES[settings.format], answer);
      return `${name}, ${aligned.duration.toFixed(2)} s of audio, ${aligned.words.length} words`;
    }
    if (route === 'POST /v1/caption') {
      const settings = captionRequest(url.searchParams);
      const name = requestName(url.searchParams, request);
      const bytes = await readBody(request, options.maxBytes);
      const result = await service.caption(bytes, name, settings.decoding);
      if (settings.format === 'png')
        send(response, 200, 'image/png', await service.attentionMap(result, bytes));
      else if (settings.format === 'txt')
        send(response, 200, 'text/plain; charset=utf-8', line(result.caption));
      else sendJson(response, 200, captionRecord(result, options.models.caption, backend));
      return name;
    }
    if (route === `GET ${LIVE_PATH}`)
      throw new HttpError(426, `${LIVE_PATH} is a WebSocket: connect with ws://`, {
        upgrade: 'websocket',
      });
    const allowed = Object.keys(ROUTES).filter((r) => r.endsWith(` ${url.pathname}`));
    if (allowed.length > 0)
      throw new HttpError(
        405,
        `${url.pathname} takes ${allowed.map((r) => r.split(' ')[0]).join(', ')}`,
        {
          allow: allowed.map((r) => r.split(' ')[0]).join(', '),
        },
      );
    throw new HttpError(404, `no endpoint ${route}; try ${Object.keys(ROUTES).join(', ')}`);
  };

  let inFlight = 0;
  let idle: (() => void) | undefined;
  const server: Server = createServer((request, response) => {
    const started = performance.now();
    inFlight++;
    const done = (status: number, what: string) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(3);
      options.log?.(
        `${request.method} ${request.url} ${status} ${seconds} s${what ? ` ${what}` : ''}`,
      );
      if (--inFlight === 0) idle?.();
    };
    handle(request, response).then(
      (what) => done(response.statusCode, what),
      (error: unknown) => {
        const { status, message, headers } = refusal(error);
        if (status === 500) options.log?.(String(error instanceof Error ? error.stack : error));
        // A refused upload is not read to its end (it may be huge): close the connection.
        const unread = !request.complete;
        if (!response.headersSent)
          sendJson(
            response,
            status,
            { error: message },
            unread ? { ...headers, connection: 'close' } : headers,
          );
        if (unread) response.once('finish', () => request.destroy());
        done(status, message);
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    service.dispose();
    throw error;
  }
  const live = attachLiveEndpoint(server, service, options.log);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    service,
    async close() {
      live.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      server.closeIdleConnections();
      await closed;
      service.dispose();
    },
  };
}
