import { AttendError } from '../errors.js';
import { checkWavFormat, isWav, readMonoFrames, readWavLayout, type WavFormat } from './wav.js';

/** Headerless input: signed 16-bit little-endian samples (`arecord -f S16_LE -t raw`). */
export interface RawPcm {
  readonly sampleRate: number;
  readonly channels: number;
}

/** A WAV header longer than this without its data chunk is not one a recorder writes. */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * Decodes audio as it arrives, a chunk at a time: a WAV stream (its header first, the data size
 * usually a placeholder: `sox -d -t wav -`, `arecord -t wav`, `ffmpeg -f wav -`) or raw 16-bit
 * PCM. Each push returns the complete sample frames received so far, downmixed to mono, at the
 * stream's own rate (`sampleRate`, known once the header is read). A frame split between two
 * chunks is held until its other half arrives.
 */
export class PcmStreamDecoder {
  private format: WavFormat | undefined;
  /** Bytes of the data chunk still to come when its size is declared (not a placeholder). */
  private remaining = Number.POSITIVE_INFINITY;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly name: string,
    raw?: RawPcm,
  ) {
    if (raw)
      this.format = {
        tag: 1,
        channels: raw.channels,
        sampleRate: raw.sampleRate,
        blockAlign: 2 * raw.channels,
        bitsPerSample: 16,
      };
  }

  get sampleRate(): number | undefined {
    return this.format?.sampleRate;
  }

  push(chunk: Uint8Array): Float32Array {
    this.pending = concat(this.pending, chunk);
    if (!this.format && !this.readHeader()) return new Float32Array(0);
    const format = this.format!;
    const usable = Math.min(this.pending.length, this.remaining);
    const frames = Math.floor(usable / format.blockAlign);
    const bytes = frames * format.blockAlign;
    const view = new DataView(this.pending.buffer, this.pending.byteOffset, bytes);
    const samples = readMonoFrames(format, view, 0, frames, this.name);
    this.remaining -= bytes;
    // Past a declared data chunk's end come other chunks (LIST, id3): not samples.
    this.pending = this.remaining > 0 ? this.pending.slice(bytes) : new Uint8Array(0);
    return samples;
  }

  /** Whether the stream ended in the middle of a header or a sample frame (a cut connection). */
  get endedMidway(): boolean {
    return !this.format || (this.pending.length > 0 && this.remaining > 0);
  }

  /** Reads the WAV header once it has all arrived; false while more is needed. */
  private readHeader(): boolean {
    if (this.pending.length >= 12 && !isWav(this.pending))
      throw new AttendError(
        `${this.name}: not a WAV stream (no RIFF/WAVE header); for headerless 16-bit PCM give its rate with --raw RATE`,
      );
    const layout = this.pending.length >= 12 ? readWavLayout(this.pending, this.name) : {};
    if (!layout.data) {
      if (this.pending.length > MAX_HEADER_BYTES)
        throw new AttendError(`${this.name}: no WAV data chunk in the first 1 MiB`);
      return false;
    }
    this.format = checkWavFormat(layout.format, this.name);
    const placeholder = layout.data.size === 0 || layout.data.size === 0xffffffff;
    if (!placeholder) this.remaining = layout.data.size;
    this.pending = this.pending.slice(layout.data.offset);
    return true;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
