import { WebSocket } from 'ws';
import { AttendError } from '../src/errors.js';
import { AsyncQueue } from '../src/util/async-queue.js';
import type { LiveUtterance } from './listen.js';

/**
 * `attend listen --server`: the stream sent to an `attend serve` (its `/v1/listen` WebSocket, URL
 * with the settings as parameters) and the utterances it answers, as transcribeStream yields them
 * locally. Nothing is loaded here: a laptop streams its microphone to a server with the models.
 */
export async function* transcribeRemotely(
  url: string,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<LiveUtterance> {
  const where = url.replace(/\?.*/, '');
  const answers = new AsyncQueue<LiveUtterance>();
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    throw new AttendError(`--server ${where}: not a ws:// or wss:// URL (${String(error)})`);
  }
  let finished = false;
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as LiveUtterance & { done?: true; error?: string };
    if (message.error) answers.fail(new AttendError(`${where}: ${message.error}`));
    else if (message.done) {
      finished = true;
      answers.end();
    } else answers.push(message);
  });
  socket.on('error', (error) =>
    answers.fail(new AttendError(`--server ${where}: ${error.message || 'cannot connect'}`)),
  );
  socket.on('close', (code) => {
    if (!finished) answers.fail(new AttendError(`${where}: the connection closed (code ${code})`));
  });
  const send = (async () => {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    for await (const chunk of chunks) {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(chunk);
    }
    if (socket.readyState === socket.OPEN) socket.send('end');
  })().catch(() => {}); // a failed connection is reported through `answers`
  try {
    yield* answers;
  } finally {
    socket.close();
    await send;
  }
}

/** The `/v1/listen` URL for a server and the listen settings, as query parameters. */
export function listenUrl(server: string, settings: Record<string, string | undefined>): string {
  const base = server.replace(/\/+$/, '').replace(/\/v1\/listen$/, '');
  const query = new URLSearchParams(
    Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return `${base}/v1/listen?${query}`;
}
