import type { IncomingMessage } from 'node:http';
import {
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  wordList,
} from '../../src/cli/parse.js';
import { AttendError } from '../../src/errors.js';
import { WRITERS } from '../../src/output/writers.js';
import type { ListenOptions } from '../listen.js';
import type { CaptionSettings, TranscribeSettings } from './service.js';

/**
 * Query parameters are named as the CLI's flags are (`beam`, `format`, `hotwords`,
 * `hotword-bonus`), and a bad value is refused with the same message the flag would get.
 */
function choice<T extends string>(
  params: URLSearchParams,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = params.get(name) ?? fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new AttendError(`${name}: '${value}' is not one of ${choices.join(', ')}`);
  return value as T;
}

/** A misspelt parameter would otherwise be ignored silently. */
function checkKnown(params: URLSearchParams, allowed: readonly string[]): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key))
      throw new AttendError(
        `unknown parameter '${key}' (this endpoint takes ${allowed.join(', ')})`,
      );
  }
}

/** What errors and results call the upload: ?name=, else the X-File-Name header, else this. */
export function requestName(params: URLSearchParams, request: IncomingMessage): string {
  const header = request.headers['x-file-name'];
  return params.get('name') ?? (typeof header === 'string' ? header : 'request body');
}

/** A yes/no parameter: 1/true/yes or 0/false/no (absent: no). */
function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null) return false;
  if (/^(1|true|yes|)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new AttendError(`${name}: '${value}' is not one of 1, 0, true, false`);
}

export function transcribeRequest(params: URLSearchParams): {
  format: keyof typeof WRITERS;
  decoding: TranscribeSettings;
  punctuate: boolean;
} {
  checkKnown(params, ['name', 'format', 'beam', 'hotwords', 'hotword-bonus', 'punctuate']);
  const format = choice(params, 'format', Object.keys(WRITERS) as (keyof typeof WRITERS)[], 'json');
  const beam = params.get('beam');
  const hotwords = wordList(params.get('hotwords') ?? '');
  const bonus = params.get('hotword-bonus');
  return {
    format,
    punctuate: flag(params, 'punctuate'),
    decoding: {
      ...(beam === null ? {} : { beamSize: positiveInteger('beam', beam) }),
      ...(hotwords.length ? { hotwords } : {}),
      ...(bonus === null ? {} : { hotwordBonus: nonNegativeNumber('hotword-bonus', bonus) }),
    },
  };
}

/** `/v1/align`'s parameters: the text said (URL-encoded, as `attend align --text`) and the format. */
export function alignRequest(params: URLSearchParams): {
  format: keyof typeof WRITERS;
  text: string;
} {
  checkKnown(params, ['name', 'format', 'text']);
  const text = params.get('text');
  if (!text?.trim())
    throw new AttendError('text: missing; give what is said as ?text=... (URL-encoded)');
  return {
    format: choice(params, 'format', Object.keys(WRITERS) as (keyof typeof WRITERS)[], 'json'),
    text,
  };
}

/** `/v1/listen`'s parameters: the stream's form, the endpointing, and transcription's own. */
export function listenRequest(params: URLSearchParams): {
  options: Omit<ListenOptions, 'name' | 'punctuation'>;
  punctuate: boolean;
} {
  checkKnown(params, [
    'name',
    'raw',
    'raw-channels',
    'pause',
    'max-seconds',
    'beam',
    'hotwords',
    'hotword-bonus',
    'punctuate',
    'partial',
  ]);
  const raw = params.get('raw');
  const partial = params.get('partial');
  const number = (name: string, fallback: string) =>
    positiveNumber(name, params.get(name) ?? fallback);
  const { decoding, punctuate } = transcribeRequest(
    new URLSearchParams([...params].filter(([k]) => !LISTEN_ONLY.has(k))),
  );
  return {
    options: {
      ...(raw === null
        ? {}
        : {
            raw: {
              sampleRate: positiveInteger('raw', raw),
              channels: positiveInteger('raw-channels', params.get('raw-channels') ?? '1'),
            },
          }),
      ...(partial === null ? {} : { partialSeconds: positiveNumber('partial', partial) }),
      pauseSeconds: number('pause', '0.5'),
      maxSeconds: number('max-seconds', '10'),
      decoding,
    },
    punctuate,
  };
}

const LISTEN_ONLY = new Set(['raw', 'raw-channels', 'pause', 'max-seconds', 'partial']);

export function captionRequest(params: URLSearchParams): {
  format: 'json' | 'txt' | 'png';
  decoding: CaptionSettings;
} {
  checkKnown(params, ['name', 'format', 'beam']);
  return {
    format: choice(params, 'format', ['json', 'txt', 'png'], 'json'),
    decoding: { beamSize: positiveInteger('beam', params.get('beam') ?? '4') },
  };
}
