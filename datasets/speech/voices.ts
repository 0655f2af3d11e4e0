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
  /** Pitch shift after synthesis (sox `pitch`, formants moved with it): a training-only speaker. */
  readonly pitchCents?: number;
  /** Formant and pitch shifts drawn per utterance: a training-only pseudo speaker. */
  readonly shift?: VoiceShift;
}

/** Ranges a pseudo speaker's per-utterance shifts are drawn from. */
export interface VoiceShift {
  /** Appended to the voice id: `flite:awb+female-a`. */
  readonly label: string;
  /** Scale of the spectral envelope (formants): > 1 is a shorter vocal tract. */
  readonly formant: readonly [number, number];
  /** Total pitch raise in cents, the formant scale's own share included (rubberband moves it). */
  readonly cents?: readonly [number, number];
  /**
   * Or the pitch the engine itself speaks at, in Hz (flite's F0 target; its clustergen awb and
   * diphone kal16 honour it, rms does not): the voice's own excitation at a female pitch, with
   * none of a pitch shifter's artefacts. The formant scale is sox's speed, which flite's duration
   * and F0 are set to undo.
   */
  readonly f0Hz?: readonly [number, number];
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
    // espeak-ng ignores a variant after en-gb, so this speaks as plain en-gb (en+f2 is the female
    // variant); kept as it is so tts-v2 rebuilds as the corpus the shipped model trained on.
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
 * their own F0 whatever flite is told; these stand in for the female voices the engines lack.
 * sox's `pitch` resamples, so the formants rise ×1.5 too (measured: a child's more than a
 * woman's); VARIED_VOICES shift them apart. `attend dataset speech --voices pitch-shifted`.
 */
export const PITCH_SHIFTED_VOICES: readonly Voice[] = [
  ...['kal16', 'awb', 'rms'].map(
    (name): Voice => ({ engine: 'flite', name, heldOut: false, pitchCents: 700 }),
  ),
  { engine: 'festival', name: 'ked_diphone', heldOut: false, pitchCents: 700 },
];

/**
 * More training-only speakers, for the held-out voices' sake (flite's slt is female; so is
 * espeak's gbcwmd+f4): twelve espeak-ng accent and variant pairs that no other set has (each
 * variant checked to change the voice; none is a held-out accent or variant), and flite's and
 * festival's male voices made female-like: formants raised 8-25% and pitch 650-1150 cents, drawn
 * per utterance, in two ranges that make two pseudo speakers of each voice.
 * `attend dataset speech --voices varied`.
 */
export const VARIED_VOICES: readonly Voice[] = [
  ...[
    'en-us+f1',
    'en+f5',
    'en+aunty',
    'en-gb-scotland+Annie',
    'en-gb-scotland+m5',
    'en-029+belinda',
    'en-029+grandma',
    'en-us-nyc+Alicia',
    'en-gb-x-gbclan+Andrea',
    'en-us+steph',
    'en-us+klatt4',
    'en-us+Andy',
  ].map((name): Voice => ({ engine: 'espeak-ng', name, heldOut: false })),
  ...(['kal16', 'awb', 'rms', 'kal_diphone', 'ked_diphone'] as const).flatMap((name) =>
    [
      { label: 'female-a', formant: [1.08, 1.16], cents: [650, 900] } as const,
      { label: 'female-b', formant: [1.16, 1.25], cents: [850, 1150] } as const,
    ].map(
      (shift): Voice => ({
        engine: name.endsWith('_diphone') ? 'festival' : 'flite',
        name,
        heldOut: false,
        shift,
      }),
    ),
  ),
];

/**
 * Training-only female-like speakers from flite's own F0 (`--voices female-f0`): awb (clustergen,
 * the held-out slt's synthesiser) and kal16 (diphone) speaking at 160-240 Hz, formants raised
 * 6-22%, with no pitch shifter's artefacts (rms ignores flite's F0 target, so it is not here).
 */
export const FEMALE_F0_VOICES: readonly Voice[] = ['awb', 'kal16'].map(
  (name): Voice => ({
    engine: 'flite',
    name,
    heldOut: false,
    shift: { label: 'female-f0', formant: [1.06, 1.22], f0Hz: [160, 240] },
  }),
);

export const voiceId = (voice: Voice): string =>
  `${voice.engine}:${voice.name}${voice.pitchCents ? `+pitch${voice.pitchCents}` : ''}${voice.shift ? `+${voice.shift.label}` : ''}`;

/** One utterance's shifts, drawn from its voice's ranges. */
export function drawShift(random: () => number, shift: VoiceShift): ShiftAmount {
  const within = ([low, high]: readonly [number, number]) => low + random() * (high - low);
  const formant = within(shift.formant);
  if (shift.f0Hz) return { formant, f0Hz: within(shift.f0Hz) };
  if (shift.cents) return { formant, cents: within(shift.cents) };
  throw new AttendError(`voice shift ${shift.label}: needs cents or f0Hz`);
}

/** A drawn shift: the formant scale, and the pitch as a raise (cents) or the engine's F0 (Hz). */
export type ShiftAmount =
  | { readonly formant: number; readonly cents: number; readonly f0Hz?: undefined }
  | { readonly formant: number; readonly f0Hz: number; readonly cents?: undefined };

/**
 * A voice's shifts applied to the engine's output `input`, written to `output`; false when the
 * voice has none. sox's `pitch` (the pitch-shifted set) resamples, so it moves formants with the
 * pitch. A drawn shift keeps the two apart: sox's `speed` scales both by the formant scale,
 * then rubberband (R3 engine, formants preserved) restores the length and moves only the pitch,
 * the rest of the way.
 */
async function applyShift(
  voice: Voice,
  amount: ShiftAmount | undefined,
  input: string,
  output: string,
): Promise<boolean> {
  if (voice.pitchCents) {
    await run('sox', [input, output, 'pitch', String(voice.pitchCents)]);
    return true;
  }
  if (!amount) return false;
  // The engine spoke at the F0 (and length) that sox's speed brings to the drawn ones.
  if (amount.f0Hz !== undefined) {
    await run('sox', [input, output, 'speed', amount.formant.toFixed(4)]);
    return true;
  }
  const scaled = `${output}.scaled.wav`;
  await run('sox', [input, scaled, 'speed', amount.formant.toFixed(4)]);
  const pitchRatio = 2 ** (amount.cents / 1200) / amount.formant;
  await run(
    'rubberband',
    [
      '-3',
      '-F',
      '-q',
      '-t',
      amount.formant.toFixed(4),
      '-f',
      pitchRatio.toFixed(4),
      scaled,
      output,
    ],
    'rubberband-cli',
  );
  return true;
}

/** The Debian package of each festival voice. */
const FESTIVAL_PACKAGE_OF: Record<string, string> = {
  kal_diphone: 'festvox-kallpc16k',
  ked_diphone: 'festvox-kdlpc16k',
};

/** Runs a tool; `debianPackage` is named when it cannot start (the command's name by default). */
function run(command: string, args: string[], debianPackage = command): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', (error) =>
      reject(
        new AttendError(
          `${command} could not run (${error.message}); install the Debian package ${debianPackage}`,
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
  /** Formant and pitch shift of a voice with `shift` ranges (none without). */
  readonly shift?: ShiftAmount;
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
      // flite voices keep their own pitch (its F0 setting is absolute, not relative to the voice),
      // except for a shift with an F0, which sox's speed (the formant scale) raises afterwards.
      const shift = prosody.shift;
      const speed = shift?.f0Hz === undefined ? 1 : shift.formant;
      const f0 =
        shift?.f0Hz === undefined
          ? []
          : [
              '--setf',
              `int_f0_target_mean=${(shift.f0Hz / speed).toFixed(1)}`,
              '--setf',
              `int_f0_target_stddev=${((0.14 * shift.f0Hz) / speed).toFixed(1)}`,
            ];
      await run('flite', [
        '-voice',
        voice.name,
        '--setf',
        `duration_stretch=${(speed / prosody.rate).toFixed(3)}`,
        ...f0,
        '-t',
        text,
        '-o',
        out,
      ]);
    }
    const shifted = join(dir, 'shifted.wav');
    if (await applyShift(voice, prosody.shift, out, shifted)) {
      return parseWav(new Uint8Array(await readFile(shifted)), `${voiceId(voice)} output`);
    }
    return parseWav(new Uint8Array(await readFile(out)), `${voiceId(voice)} output`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
