import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { isUserFacing } from '../../src/errors.js';
import { AsyncQueue } from '../../src/util/async-queue.js';
import { listenRequest, requestName } from './requests.js';
import type { ModelService } from './service.js';

export const LIVE_PATH = '/v1/listen';

/**
 * Live transcription over a WebSocket (`ws://HOST/v1/listen?raw=16000`): the client sends the
 * audio as binary messages (a WAV stream, or raw 16-bit PCM with `raw=RATE`) and the text message
 * `end` when it stops; the server answers each utterance as a JSON text message as soon as the
 * pause after it arrives (attend listen's lines), then `{"done":true}` and closes. A problem is
 * `{"error":"..."}` and a close (1008 for the client's input, 1011 for the server's fault).
 */
export function attachLiveEndpoint(
  server: Server,
  service: ModelService,
  log?: (line: string) => void,
): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 24 });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://attend');
    if (url.pathname !== LIVE_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      void serveStream(ws, url, request, service, log);
    });
  });
  return {
    close() {
      for (const ws of wss.clients) ws.close(1001, 'server stopping');
      wss.close();
    },
  };
}

async function serveStream(
  ws: WebSocket,
  url: URL,
  request: IncomingMessage,
  service: ModelService,
  log?: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  const chunks = new AsyncQueue<Uint8Array>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) chunks.push(new Uint8Array(data as Buffer));
    else if (data.toString() === 'end') chunks.end();
  });
  ws.on('close', () => chunks.end());
  let utterances = 0;
  let outcome = 'done';
  try {
    const { options, punctuate } = listenRequest(url.searchParams);
    const name = requestName(url.searchParams, request);
    for await (const u of service.listen(chunks, { ...options, name }, punctuate)) {
      if (ws.readyState !== ws.OPEN) break;
      ws.send(JSON.stringify(u));
      utterances++;
    }
    if (ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify({ done: true }));
      ws.close(1000);
    } else outcome = 'the client left';
  } catch (error) {
    const userFacing = isUserFacing(error);
    const message = userFacing
      ? error.message
      : `internal error: ${error instanceof Error ? error.message : String(error)}`;
    outcome = message;
    if (!userFacing) log?.(String(error instanceof Error ? error.stack : error));
    if (ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify({ error: message }));
      ws.close(userFacing ? 1008 : 1011);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(3);
  log?.(`LISTEN ${url.pathname}${url.search} ${seconds} s, ${utterances} utterances, ${outcome}`);
}
