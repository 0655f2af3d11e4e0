import { readFile, stat } from 'node:fs/promises';
import type { AudioData as DecodedAudio } from 'audio-decode';
import { AttendError } from '../errors.js';
import { readStdin, STDIN } from '../io/stdin.js';
import { type AudioData, isWav, parseWav } from './wav.js';

/** Largest file decoded (1 GiB): a guard against reading something that is not a recording. */
const MAX_BYTES = 2 ** 30;

// audio-decode's own types (an alias of @audio/decode 3.x): a change of its result's shape is a
// compile error here, not silent files at run time.
type DecodeFn = typeof import('audio-decode').default;

/** FLAC, MP3, Ogg Vorbis/Opus and more through the audio-decode package (WASM decoders). */
async function decodeOther(bytes: Uint8Array, file: string): Promise<AudioData> {
  let decode: DecodeFn;
  try {
    decode = (await import('audio-decode')).default;
  } catch {
    throw new AttendError(
      `${file}: not a WAV file, and audio-decode (for FLAC/MP3/OGG) is not installed`,
    );
  }
  let decoded: DecodedAudio;
  try {
    decoded = await decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AttendError(`${file}: not a supported audio file (${reason})`);
  }
  // A decoder that changed its result's shape must not pass for a silent file.
  if (!Array.isArray(decoded?.channelData)) {
    throw new AttendError(
      `${file}: audio-decode returned no channelData (an incompatible audio-decode version?)`,
    );
  }
  // Copies: the decoder may reuse its WASM memory for the next file.
  const channels = decoded.channelData.map((channel) => Float32Array.from(channel));
  return { sampleRate: decoded.sampleRate, channels };
}

/** Checks what every later stage assumes: samples exist and are finite. */
export function validateAudio(audio: AudioData, file: string): AudioData {
  const frames = audio.channels[0]?.length ?? 0;
  if (audio.channels.length === 0 || frames === 0)
    throw new AttendError(`${file}: contains no audio samples`);
  if (!(audio.sampleRate >= 1000 && audio.sampleRate <= 768000)) {
    throw new AttendError(`${file}: implausible sample rate ${audio.sampleRate} Hz`);
  }
  for (const channel of audio.channels) {
    for (let i = 0; i < channel.length; i++) {
      if (!Number.isFinite(channel[i]!))
        throw new AttendError(`${file}: audio contains NaN or infinite samples (at sample ${i})`);
    }
  }
  return audio;
}

/** Decodes bytes already in memory (WAV natively, other formats through audio-decode). */
export async function decodeAudioBytes(bytes: Uint8Array, file: string): Promise<AudioData> {
  if (bytes.length === 0) throw new AttendError(`${file}: empty file`);
  const audio = isWav(bytes) ? parseWav(bytes, file) : await decodeOther(bytes, file);
  return validateAudio(audio, file);
}

/**
 * Reads and decodes an audio file (`-`: standard input); every failure is an AttendError naming
 * the file.
 */
export async function decodeAudioFile(file: string): Promise<AudioData> {
  if (file === STDIN) return decodeAudioBytes(new Uint8Array(await readStdin()), 'standard input');
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory())
      throw new AttendError(
        `${file}: is a folder, not an audio file (attend batch transcribe takes folders)`,
      );
    size = info.size;
  } catch (error) {
    if (error instanceof AttendError) throw error;
    throw new AttendError(`${file}: no such file`);
  }
  if (size > MAX_BYTES)
    throw new AttendError(`${file}: ${size} bytes is larger than the 1 GiB attend decodes`);
  return decodeAudioBytes(new Uint8Array(await readFile(file)), file);
}
