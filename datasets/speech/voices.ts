import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioData } from '../../src/audio/wav.js';
import { parseWav } from '../../src/audio/wav.js';
import { AttendError } from '../../src/errors.js';

/** A text-to-speech voice: which engine, which voice name, and whether it is held out for test. */
export interface Voice {
  readonly engine: 'espeak-ng' | 'flite' | 'festival';
  readonly name: string;
  readonly heldOut: boolean;
  /** Pitch shift after synthesis (sox, formants kept), making a new training-only speaker. */
  readonly pitchCents?: number;
}

/**
 * English voices of the engines Debian ships. Held-out voices (an accent and a speaker each
 * engine never trains on) appear only in the test split.
 */
export const VOICES: readonly Voice[] = [
  ...[
    'en-us',
    'en-gb',
    'en-gb-scotland',
    'en-gb-x-gbclan',
    'en-029',
    'en-us-nyc',
    'en-us+f3',
    'en-gb+f2',
    'en-us+m3',
  ].map((name): Voice => ({ engine: 'espeak-ng', name, heldOut: false })),
  ...['en-gb-x-rp', 'en-gb-x-gbcwmd+f4'].map(
    (name): Voice => ({ engine: 'espeak-ng', name, heldOut: true }),
  ),
  ...['kal16', 'awb', 'rms'].map((name): Voice => ({ engine: 'flite', name, heldOut: false })),
  { engine: 'flite', name: 'slt', heldOut: true },
  // festival's two American diphone speakers (Debian festvox-kallpc16k, festvox-kdlpc16k): ked is a
  // speaker no other engine has; kal is flite's kal16 speaker through another synthesiser.
  ...['kal_diphone', 'ked_diphone'].map(
    (name): Voice => ({ engine: 'festival', name, heldOut: false }),
  ),
];

/**
 * Training-only pseudo speakers: flite's and festival's male voices raised about seven semitones
 * (≈105 → 160 Hz). No female flite voice trains (slt is held out for test), and flite voices keep
 * their own F0 whatever flite is told; with speed perturbation also moving the formants, these
 * stand in for the female voices the engines lack. `attend dataset speech --voices pitch-shifted`.
 */
export const PITCH_SHIFTED_VOICES: readonly Voice[] = [
  ...['kal16', 'awb', 'rms'].map(
    (name): Voice => ({ engine: 'flite', name, heldOut: false, pitchCents: 700 }),
  ),
  { engine: 'festival', name: 'ked_diphone', heldOut: false, pitchCents: 700 },
];

export const voiceId = (voice: Voice): string =>
  `${voice.engine}:${voice.name}${voice.pitchCents ? `+pitch${voice.pitchCents}` : ''}`;

/** The Debian package that provides each engine's command. */
const PACKAGE_OF: Record<string, string> = { text2wave: 'festival' }; // sox is its own package
/** The Debian package of each festival voice. */
const FESTIVAL_PACKAGE_OF: Record<string, string> = {
  kal_diphone: 'festvox-kallpc16k',
  ked_diphone: 'festvox-kdlpc16k',
};

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', (error) =>
      reject(
        new AttendError(
          `${command} could not run (${error.message}); install the Debian package ${PACKAGE_OF[command] ?? command}`,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new AttendError(`${command} failed (exit ${code}): ${stderr.trim().split('\n')[0]}`),
          ),
    );
  });
}

export interface Prosody {
  /** 1 = the voice's normal speed. */
  readonly rate: number;
  /** espeak-ng pitch 0-99 (50 normal); flite voices keep their own. */
  readonly pitch: number;
}

/**
 * Speaks `text` with a voice; returns the engine's audio (22.05 kHz for espeak-ng, 8/16 kHz flite,
 * 16 kHz festival).
 */
export async function synthesize(voice: Voice, text: string, prosody: Prosody): Promise<AudioData> {
  const dir = await mkdtemp(join(tmpdir(), 'attend-tts-'));
  const out = join(dir, 'out.wav');
  try {
    if (voice.engine === 'espeak-ng') {
      const wordsPerMinute = Math.round(175 * prosody.rate);
      await run('espeak-ng', [
        '-v',
        voice.name,
        '-s',
        String(wordsPerMinute),
        '-p',
        String(Math.round(prosody.pitch)),
        '-w',
        out,
        text,
      ]);
    } else if (voice.engine === 'festival') {
      // text2wave reads the text from a file; Duration_Stretch > 1 speaks slower.
      const textPath = join(dir, 'text.txt');
      await writeFile(textPath, text);
      await run('text2wave', [
        '-eval',
        `(voice_${voice.name})`,
        '-eval',
        `(Parameter.set 'Duration_Stretch ${(1 / prosody.rate).toFixed(3)})`,
        textPath,
        '-o',
        out,
      ]);
      // text2wave exits 0 without writing anything when the voice is not installed.
      if (!existsSync(out))
        throw new AttendError(
          `festival voice ${voice.name} is not installed (Debian ${FESTIVAL_PACKAGE_OF[voice.name] ?? `festvox package of ${voice.name}`})`,
        );
    } else {
      // flite voices keep their own pitch (its F0 setting is absolute, not relative to the voice).
      const stretch = (1 / prosody.rate).toFixed(3);
      await run('flite', [
        '-voice',
        voice.name,
        '--setf',
        `duration_stretch=${stretch}`,
        '-t',
        text,
        '-o',
        out,
      ]);
    }
    if (voice.pitchCents) {
      const shifted = join(dir, 'shifted.wav');
      await run('sox', [out, shifted, 'pitch', String(voice.pitchCents)]);
      return parseWav(new Uint8Array(await readFile(shifted)), `${voiceId(voice)} output`);
    }
    return parseWav(new Uint8Array(await readFile(out)), `${voiceId(voice)} output`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
