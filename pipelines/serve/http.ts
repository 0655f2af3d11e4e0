import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer other than 200, with the status it goes out with and a message for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The request's body, refused with 413 once it is larger than `maxBytes` (from Content-Length
 * before anything is read, or while reading a chunked upload), and with 415 when it is a form:
 * the endpoints take the file's bytes as the body (`curl --data-binary @file`).
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(
      413,
      `request body is larger than the ${Math.round(maxBytes / 2 ** 20)} MiB this server takes (attend serve --max-mb)`,
    );
  if (/^multipart\/form-data/i.test(request.headers['content-type'] ?? ''))
    throw new HttpError(
      415,
      "send the file's bytes as the request body (curl --data-binary @FILE), not a form upload",
    );
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  response.end(body);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, headers);
}
