import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { DEFAULT_CAPTION_MODEL } from '../../pipelines/caption.js';
import { type RunningServer, startServer } from '../../pipelines/serve/server.js';
import { runGrouped } from '../../pipelines/serve/service.js';
import { createAsrPipeline, DEFAULT_ASR_MODEL } from '../../pipelines/transcribe.js';
import { projectPath } from '../../src/paths.js';
import { tf } from '../../src/runtime/tf.js';
import { attend } from '../helpers/cli.js';
import { conversation } from '../helpers/conversation.js';
import { ready } from '../helpers/runtime.js';

const speech = readFileSync(projectPath('samples', 'speech-16k-mono.wav'));
const stereo = readFileSync(projectPath('samples', 'speech-44k-stereo-24bit.wav'));
const scene = readFileSync(projectPath('samples', 'scene-1.png'));
// espeak-ng saying "my analyst says i worry too much" (the model writes "an alist" unhelped).
const analyst = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'audio', 'analyst-espeak.wav'),
);

describe('attend serve', () => {
  let server: RunningServer;
  const lines: string[] = [];
  const post = (path: string, body: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers });
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: string }).error;

  beforeAll(async () => {
    await ready;
    server = await startServer(
      {
        models: { transcribe: DEFAULT_ASR_MODEL, caption: DEFAULT_CAPTION_MODEL },
        batchSize: 4,
        waitMs: 300, // generous: the concurrent requests below must meet in one batch
        maxBytes: 2 ** 20,
        log: (line) => lines.push(line),
      },
      0,
      '127.0.0.1',
    );
  });
  afterAll(() => server?.close());

  it('transcribes an upload as the library does, in every output format', async () => {
    const library = createAsrPipeline();
    try {
      const [expected] = library.transcribeAudio([await library.loadBytes(speech, 'speech.wav')]);
      const response = await post('/v1/transcribe?name=speech.wav', speech);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const json = (await response.json()) as { file: string; text: string; words: unknown[] };
      expect(json.file).toBe('speech.wav');
      expect(json.text).toBe(expected!.text);
      expect(json.words).toHaveLength(expected!.words.length);
    } finally {
      library.dispose();
    }
    const srt = await post('/v1/transcribe?format=srt', stereo);
    expect(srt.headers.get('content-type')).toMatch(/^application\/x-subrip/);
    expect(await srt.text()).toMatch(/^1\n00:00:0\d,\d{3} --> 00:00:0\d,\d{3}\n\w/);
    const txt = await post('/v1/transcribe?format=txt', stereo, { 'x-file-name': 'stereo.wav' });
    expect(await txt.text()).toMatch(/^[a-z' ]+\n$/);
    expect(lines.at(-1)).toMatch(/^POST \/v1\/transcribe\?format=txt 200 [\d.]+ s stereo\.wav/);
  });

  it('takes hotwords and a beam as query parameters', async () => {
    const text = async (query: string) =>
      ((await (await post(`/v1/transcribe${query}`, analyst)).json()) as { text: string }).text;
    expect(await text('')).not.toContain('analyst');
    expect(await text('?hotwords=analyst,zebulon')).toBe('my analyst says i worry too much');
    expect(await text('?hotwords=analyst&hotword-bonus=0&beam=1')).not.toBe(
      await text('?hotwords=analyst'),
    );
  });

  it('batches requests that arrive together, and a bad one fails alone', async () => {
    const before = { ...server.service.stats.transcribe };
    const responses = await Promise.all([
      post('/v1/transcribe?name=a.wav', speech),
      post('/v1/transcribe?name=broken.wav', new TextEncoder().encode('RIFF....WAVEfmt nonsense')),
      post('/v1/transcribe?name=b.wav', speech),
      post('/v1/transcribe?name=c.wav', speech),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 400, 200, 200]);
    expect(await errorOf(responses[1]!)).toMatch(/^broken\.wav: /);
    const texts = await Promise.all(
      [0, 2, 3].map(async (i) => ((await responses[i]!.json()) as { text: string }).text),
    );
    expect(new Set(texts).size).toBe(1);
    // The three good uploads went through the model as one batch.
    expect(server.service.stats.transcribe.requests - before.requests).toBe(4);
    expect(server.service.stats.transcribe.batches - before.batches).toBe(1);
  });

  it('aligns a text given as a parameter, as attend align does', async () => {
    const text = 'Please call me when you get home tonight.';
    const response = await post(
      `/v1/align?name=stereo.wav&format=srt&text=${encodeURIComponent(text)}`,
      stereo,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-subrip/);
    expect(await response.text()).toMatch(
      new RegExp(`^1\n00:00:00,\\d{3} --> 00:00:0\\d,\\d{3}\n${text.replace('.', '\\.')}\n`),
    );
    const json = (await (
      await post(`/v1/align?text=${encodeURIComponent(text)}`, stereo)
    ).json()) as { words: { word: string; start: number; end: number }[] };
    expect(json.words.map((w) => w.word)).toEqual(text.split(' '));
    const missing = await post('/v1/align?name=stereo.wav', stereo);
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toMatch(/^text: missing/);
  });

  it('captions an image as JSON, text or its attention map (PNG)', async () => {
    const json = (await (await post('/v1/caption?name=scene.png', scene)).json()) as {
      file: string;
      caption: string;
      words: string[];
      confidences: number[];
    };
    expect(json.file).toBe('scene.png');
    expect(json.caption.split(' ')).toEqual(json.words);
    expect(json.confidences).toHaveLength(json.words.length);
    expect(await (await post('/v1/caption?format=txt', scene)).text()).toBe(`${json.caption}\n`);
    const png = await post('/v1/caption?format=png', scene);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('answers mistakes with the status and a line saying what is wrong', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('/v1/transcribe?name=notes.txt', Buffer.from('hello')), 400, /^notes\.txt: not a/],
      [post('/v1/transcribe', new Uint8Array()), 400, /^request body: empty file/],
      [post('/v1/caption?name=x.png', Buffer.from('not a png')), 400, /^x\.png: /],
      [post('/v1/caption?beam=0', scene), 400, /^beam: '0' is not a positive integer/],
      [post('/v1/transcribe?fromat=srt', speech), 400, /unknown parameter 'fromat'/],
      [post('/v1/transcribe?format=doc', speech), 400, /format: 'doc' is not one of/],
      [post('/v1/transcribe?punctuate=maybe', speech), 400, /punctuate: 'maybe' is not one of/],
      [post('/v1/transcribe?punctuate=1', speech), 400, /has no punctuation model/],
      [post('/v1/transcribe', new Uint8Array(2 ** 20 + 1)), 413, /larger than the 1 MiB/],
      [fetch(`${server.url}/v1/caption`), 405, /takes POST/],
      [fetch(`${server.url}/v2/transcribe`), 404, /no endpoint GET \/v2\/transcribe/],
      [
        fetch(`${server.url}/v1/caption`, { method: 'POST', body: formWith(scene) }),
        415,
        /not a form upload/,
      ],
    ];
    for (const [request, status, message] of cases) {
      const response = await request;
      expect(response.status).toBe(status);
      expect(await errorOf(response)).toMatch(message);
    }
    // Still serving.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('transcribes a live stream over a WebSocket, an utterance a message', async () => {
    const pcm = (await conversation()).subarray(44);
    const messages = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/listen?raw=16000&name=mic`);
      const got: Record<string, unknown>[] = [];
      ws.on('open', () => {
        for (let i = 0; i < pcm.length; i += 8000) ws.send(pcm.subarray(i, i + 8000));
        ws.send('end');
      });
      ws.on('message', (data) => got.push(JSON.parse(String(data)) as Record<string, unknown>));
      ws.on('close', (code) =>
        code === 1000 ? resolve(got) : reject(new Error(`closed ${code}`)),
      );
      ws.on('error', reject);
    });
    expect(messages.map((m) => m.text ?? m.done)).toEqual([
      expect.stringMatching(/^the weather is lovely today/),
      expect.stringMatching(/^please call me when you get/),
      true,
    ]);
    expect(messages[1]!.start).toBeGreaterThan(4.3);
    // Bad parameters and bad audio: an error message and a policy close.
    for (const [query, body, message] of [
      ['?raw=0', undefined, /raw: '0' is not a positive integer/],
      ['', Buffer.from('plain text, not audio'), /mic: not a WAV stream/],
    ] as const) {
      const { error, code } = await new Promise<{ error: string; code: number }>((resolve) => {
        const ws = new WebSocket(
          `${server.url.replace('http', 'ws')}/v1/listen${query}${query ? '&' : '?'}name=mic`,
        );
        let error = '';
        ws.on('open', () => {
          if (body) ws.send(body);
          ws.send('end');
        });
        ws.on('message', (data) => {
          error = (JSON.parse(String(data)) as { error: string }).error;
        });
        ws.on('close', (code) => resolve({ error, code }));
      });
      expect(code).toBe(1008);
      expect(error).toMatch(message);
    }
    expect((await fetch(`${server.url}/v1/listen`)).status).toBe(426);
  });

  it('attend listen --server streams to it and prints what it answers, loading no model', async () => {
    const wav = await conversation();
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [projectPath('bin', 'attend.js'), 'listen', ...args]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(wav);
      });
    const ws = server.url.replace('http', 'ws');
    const remote = await run(['--server', ws]);
    expect(remote.code).toBe(0);
    expect(remote.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^\[0\.\d\d --> 2\.\d\d\] the weather is lovely/),
      expect.stringMatching(/^\[4\.\d\d --> 7\.\d\d\] please call me/),
    ]);
    // The server's own refusal comes back as a one-line error.
    const refused = await run(['--server', ws, '--partial', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `attend: ${ws}/v1/listen: partial: '0' is not a positive number`,
    );
  });

  it('holds no more tensors after many requests than after the first', async () => {
    await post('/v1/transcribe', speech);
    await post('/v1/caption', scene);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await Promise.all([post('/v1/transcribe', speech), post('/v1/caption', scene)]);
      await post('/v1/transcribe', Buffer.from('garbage'));
    }
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('finishes the requests in hand when it closes', async () => {
    const second = await startServer(
      { ...server.service.options, maxBytes: 2 ** 20 },
      0,
      '127.0.0.1',
    );
    const inHand = fetch(`${second.url}/v1/transcribe?format=txt`, {
      method: 'POST',
      body: speech,
    });
    while (second.service.stats.transcribe.requests === 0)
      await new Promise((r) => setTimeout(r, 5));
    await second.close();
    expect((await inHand).status).toBe(200);
    await expect(fetch(`${second.url}/health`)).rejects.toThrow();
  });
});

describe('the attend serve command', () => {
  it('listens, answers, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [projectPath('bin', 'attend.js'), 'serve', '--port', '0'],
      {
        cwd: projectPath(),
      },
    );
    // A failed assertion must not leave a server running after the tests.
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /listening on (http:\/\/[\d.]+:\d+)/.exec(stderr);
        if (found) resolve(found[1]!);
      });
      child.once('exit', () => reject(new Error(`attend serve exited: ${stderr}`)));
    });
    const response = await fetch(`${url}/v1/transcribe?format=txt`, {
      method: 'POST',
      body: speech,
    });
    expect(await response.text()).toMatch(/^the weather is /);
    // The shipped punctuation model is loaded when it is there.
    const written = await fetch(`${url}/v1/transcribe?format=txt&punctuate=1`, {
      method: 'POST',
      body: speech,
    });
    expect(await written.text()).toMatch(
      /^The weather is lovely today,? so we will work to the park\.\n$/,
    );
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/POST \/v1\/transcribe\?format=txt 200 .* 3\.24 s of audio/);
    expect(stderr).toContain('stopping after the requests in hand');
  });

  it('refuses a port that is no port, in one line', () => {
    const result = attend(['serve', '--port', '70000']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe("attend: --port: '70000' is not a TCP port");
  });
});

describe('a micro-batch', () => {
  it('runs each group of equal settings once, and retries a failed group item by item', async () => {
    const calls: string[][] = [];
    const infer = (inputs: string[], settings: { beam: number }) => {
      calls.push(inputs);
      if (inputs.includes('poison')) throw new Error('NaN in the encoder');
      return inputs.map((i) => `${i}@${settings.beam}`);
    };
    let batches = 0;
    const outcomes = await runGrouped(
      [
        { input: 'a', settings: { beam: 4 } },
        { input: 'poison', settings: { beam: 4 } },
        { input: 'b', settings: { beam: 1 } },
        { input: 'c', settings: { beam: 4 } },
      ],
      infer,
      () => batches++,
    );
    expect(outcomes).toEqual([
      { ok: 'a@4' },
      { error: new Error('NaN in the encoder') },
      { ok: 'b@1' },
      { ok: 'c@4' },
    ]);
    expect(calls).toEqual([['a', 'poison', 'c'], ['a'], ['poison'], ['c'], ['b']]);
    expect(batches).toBe(2);
  });
});

function formWith(bytes: Buffer): FormData {
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'scene.png');
  return form;
}
