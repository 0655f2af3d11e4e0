import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
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
          `${command} could not run (${error.message}); install the Debian package ${command}`, // espeak-ng, flite, sox: each its own package,
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

/**
 * A festival process kept running between utterances. Starting festival (text2wave) costs ~1.5 s
 * of CPU, loading its lexicon and voice; an utterance in a running one takes ~25 ms, so the
 * corpus build spent most of its time starting festival. Commands go in on stdin (`--pipe`);
 * a marker printed after each (on stderr) says it is done.
 */
class FestivalProcess {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private pending: { marker: string; done: () => void; fail: (error: Error) => void } | undefined;
  private buffered = '';
  private exited: Error | undefined;
  private count = 0;

  constructor() {
    // festival buffers stdout when it is a pipe (so it is not one); stderr is not buffered, so the
    // marker goes there, after festival's own errors (its SIOD ERROR lines, read below).
    this.child = spawn('festival', ['--pipe'], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.on('error', (error) => this.stop(error));
    this.child.on('close', (code) => this.stop(new AttendError(`festival exited (${code})`)));
    this.child.stderr.on('data', (chunk) => {
      this.buffered += String(chunk);
      const pending = this.pending;
      if (pending && this.buffered.includes(pending.marker)) {
        const error = /SIOD ERROR: (.*)/.exec(this.buffered)?.[1];
        this.buffered = '';
        this.pending = undefined;
        this.idle();
        if (error) pending.fail(new AttendError(`festival: ${error.trim()}`));
        else pending.done();
      }
    });
    this.idle();
  }

  /** Speaks `text` in `voice` (duration stretched by `stretch`) into the RIFF file `out`. */
  speak(voice: string, text: string, stretch: number, out: string): Promise<void> {
    if (this.exited) return Promise.reject(this.exited);
    const marker = `ATTEND-DONE-${++this.count}`;
    const quoted = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    return new Promise((done, fail) => {
      this.pending = { marker, done, fail };
      for (const handle of this.handles()) handle.ref();
      this.child.stdin.write(
        `(voice_${voice})\n(Parameter.set 'Duration_Stretch ${stretch.toFixed(3)})\n` +
          `(utt.save.wave (utt.synth (Utterance Text ${quoted(text)})) ${quoted(out)} 'riff)\n` +
          `(format stderr "${marker}\\n")\n`,
      );
    });
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  private handles(): { ref(): void; unref(): void }[] {
    const { stdin, stderr } = this.child;
    return [this.child, ...[stdin, stderr].map((pipe) => pipe as unknown as Socket)];
  }

  /** Idle processes do not keep Node running. */
  private idle(): void {
    for (const handle of this.handles()) handle.unref();
  }

  /** The first reason wins ('close' follows 'error' when festival cannot start). */
  private stop(error: Error): void {
    if (this.exited) return;
    const spawnFailed = (error as NodeJS.ErrnoException).code === 'ENOENT';
    this.exited = spawnFailed
      ? new AttendError('festival could not run; install the Debian package festival')
      : error;
    this.pending?.fail(this.exited);
    this.pending = undefined;
  }
}

const idleFestivals: FestivalProcess[] = [];

/** One utterance through a running festival (started on first use, reused after). */
async function festivalSpeak(voice: string, text: string, stretch: number, out: string) {
  const festival = idleFestivals.pop() ?? new FestivalProcess();
  try {
    await festival.speak(voice, text, stretch, out);
  } finally {
    if (festival.alive) idleFestivals.push(festival);
  }
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
      // A voice festival lacks is an unbound voice_<name> function.
      await festivalSpeak(voice.name, text, 1 / prosody.rate, out).catch((error: Error) => {
        throw /unbound variable : voice_/.test(error.message)
          ? new AttendError(
              `festival voice ${voice.name} is not installed (Debian ${FESTIVAL_PACKAGE_OF[voice.name] ?? `festvox package of ${voice.name}`})`,
            )
          : error;
      });
      if (!existsSync(out)) throw new AttendError(`festival wrote no audio for "${text}"`);
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
