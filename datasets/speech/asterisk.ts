import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseWav } from '../../src/audio/wav.js';
import { AttendError } from '../../src/errors.js';
import type { SpeechItem } from '../manifest.js';
import { type Split, sentenceSplit } from './sentences.js';

export const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en';
export const ASTERISK_TRANSCRIPTS = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';

/** Prompt text -> attend's alphabet (lower case, letters, apostrophes, spaces), or undefined. */
function normalisePrompt(raw: string): string | undefined {
  const text = raw
    .toLowerCase()
    .replace(/[.!?,;:"()-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return /^[a-z' ]+$/.test(text) ? text : undefined;
}

/**
 * Real recorded speech that Debian ships: Asterisk's English prompts (`asterisk-core-sounds-en-wav`
 * for the 8 kHz telephone-band WAVs, `asterisk-core-sounds-en` for the transcripts, lines
 * `name: Text.`; CC-BY-SA-3.0, one female speaker). Prompts whose text has digits or symbols are
 * left out; splits by text, like the synthetic corpus.
 */
export function readAsteriskPrompts(
  sounds = ASTERISK_SOUNDS,
  transcripts = ASTERISK_TRANSCRIPTS,
): (SpeechItem & { split: Split })[] {
  if (!existsSync(transcripts) || !existsSync(sounds))
    throw new AttendError(
      `${existsSync(sounds) ? transcripts : sounds}: missing (apt-get install asterisk-core-sounds-en-wav asterisk-core-sounds-en)`,
    );
  const items: (SpeechItem & { split: Split })[] = [];
  for (const line of gunzipSync(readFileSync(transcripts)).toString('utf8').split('\n')) {
    const match = /^([\w/-]+):\s*(.+)$/.exec(line.trim());
    if (!match || line.startsWith(';')) continue;
    const [, name, raw] = match as unknown as [string, string, string];
    const text = normalisePrompt(raw);
    const audio = join(sounds, `${name}.wav`);
    if (!text || !existsSync(audio)) continue;
    const wav = parseWav(readFileSync(audio), audio);
    items.push({
      audio,
      text,
      duration: Math.round((wav.channels[0]!.length / wav.sampleRate) * 1000) / 1000,
      speaker: 'asterisk:allison',
      split: sentenceSplit(text),
    });
  }
  return items;
}
