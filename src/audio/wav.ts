import { AttendError } from '../errors.js';

/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface AudioData {
  readonly sampleRate: number;
  readonly channels: Float32Array[];
}

const PCM = 1;
const FLOAT = 3;
const ALAW = 6;
const MULAW = 7;
const EXTENSIBLE = 0xfffe;

export interface WavFormat {
  readonly tag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
}

export const isWav = (bytes: Uint8Array): boolean =>
  bytes.length >= 12 &&
  String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' &&
  String.fromCharCode(...bytes.subarray(8, 12)) === 'WAVE';

function muLaw(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80 ? -1 : 1;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << exponent;
  return (sign * (magnitude - 0x84)) / 32768;
}

function aLaw(byte: number): number {
  const a = byte ^ 0x55;
  const sign = a & 0x80 ? 1 : -1;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude =
    exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return (sign * magnitude) / 32768;
}

function sampleReader(format: WavFormat, view: DataView, file: string): (offset: number) => number {
  const { tag, bitsPerSample: bits } = format;
  if (tag === PCM && bits === 8) return (o) => (view.getUint8(o) - 128) / 128;
  if (tag === PCM && bits === 16) return (o) => view.getInt16(o, true) / 32768;
  if (tag === PCM && bits === 24) {
    return (o) =>
      (view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608;
  }
  if (tag === PCM && bits === 32) return (o) => view.getInt32(o, true) / 2147483648;
  if (tag === FLOAT && bits === 32) return (o) => view.getFloat32(o, true);
  if (tag === FLOAT && bits === 64) return (o) => view.getFloat64(o, true);
  if (tag === MULAW && bits === 8) return (o) => muLaw(view.getUint8(o));
  if (tag === ALAW && bits === 8) return (o) => aLaw(view.getUint8(o));
  throw new AttendError(`${file}: unsupported WAV encoding (format ${tag}, ${bits}-bit)`);
}

/** Where a WAV's samples are: its format, and the data chunk's offset and declared size. */
export interface WavLayout {
  readonly format?: WavFormat;
  readonly data?: { readonly offset: number; readonly size: number };
  /** The bytes end inside the format chunk. */
  readonly cutInFormat?: boolean;
}

/**
 * Reads the chunks before the samples: the format chunk and where the data chunk starts. Either
 * is absent when `bytes` ends before it (a stream whose header has not all arrived yet).
 */
export function readWavLayout(bytes: Uint8Array, file: string): WavLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: WavFormat | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new AttendError(`${file}: truncated WAV format chunk`);
      if (body + 16 > bytes.length) return { cutInFormat: true };
      let tag = view.getUint16(body, true);
      if (tag === EXTENSIBLE && size >= 26) tag = view.getUint16(body + 24, true);
      format = {
        tag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      return { ...(format ? { format } : {}), data: { offset: body, size } };
    }
    offset = body + size + (size % 2);
  }
  return format ? { format } : {};
}

/** The header's format, refused with the reason when no decoder here can read it. */
export function checkWavFormat(format: WavFormat | undefined, file: string): WavFormat {
  if (!format) throw new AttendError(`${file}: WAV file has no format chunk`);
  if (format.channels < 1 || format.sampleRate < 1 || format.blockAlign < 1) {
    throw new AttendError(
      `${file}: invalid WAV header (${format.channels} channels, ${format.sampleRate} Hz)`,
    );
  }
  return format;
}

/**
 * Frames [first, first + count) of interleaved samples starting at `offset` of `view`, averaged
 * over the channels (a live stream is downmixed as it arrives).
 */
export function readMonoFrames(
  format: WavFormat,
  view: DataView,
  offset: number,
  count: number,
  file: string,
): Float32Array {
  const read = sampleReader(format, view, file);
  const bytesPerSample = format.bitsPerSample / 8;
  const out = new Float32Array(count);
  for (let frame = 0; frame < count; frame++) {
    const base = offset + frame * format.blockAlign;
    let sum = 0;
    for (let c = 0; c < format.channels; c++) sum += read(base + c * bytesPerSample);
    out[frame] = sum / format.channels;
  }
  return out;
}

/**
 * Parses a RIFF/WAVE file: PCM 8/16/24/32-bit, IEEE float 32/64, μ-law, A-law, and
 * WAVE_FORMAT_EXTENSIBLE wrappers of those, any rate and channel count. A data chunk that claims
 * more bytes than the file holds (streamed or truncated files) is read as far as it goes; unless
 * its size is a streaming placeholder (0 or 0xFFFFFFFF), a process warning says the file is cut.
 */
export function parseWav(bytes: Uint8Array, file: string): AudioData {
  if (!isWav(bytes)) throw new AttendError(`${file}: not a WAV file (no RIFF/WAVE header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const layout = readWavLayout(bytes, file);
  if (layout.cutInFormat) throw new AttendError(`${file}: truncated WAV format chunk`);
  const format = checkWavFormat(layout.format, file);
  if (!layout.data) throw new AttendError(`${file}: WAV file has no data chunk (truncated?)`);
  const { size } = layout.data;
  const data = {
    offset: layout.data.offset,
    length: Math.min(size, bytes.length - layout.data.offset),
  };
  const cutShort =
    size > data.length && size !== 0 && size !== 0xffffffff ? { size, data } : undefined;
  if (cutShort) {
    const seconds = (n: number) => (n / format.blockAlign / format.sampleRate).toFixed(2);
    process.emitWarning(
      `${file}: the WAV header promises ${seconds(cutShort.size)} s of audio, the file holds ${seconds(cutShort.data.length)} s (cut short?): reading what is there`,
      'AttendWarning',
    );
  }
  const read = sampleReader(format, view, file);
  const frames = Math.floor(data.length / format.blockAlign);
  if (frames === 0) throw new AttendError(`${file}: contains no audio samples`);
  const bytesPerSample = format.bitsPerSample / 8;
  const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
  for (let frame = 0; frame < frames; frame++) {
    const base = data.offset + frame * format.blockAlign;
    for (let c = 0; c < format.channels; c++) {
      channels[c]![frame] = read(base + c * bytesPerSample);
    }
  }
  return { sampleRate: format.sampleRate, channels };
}

/** Encodes mono or multi-channel float audio as a 16-bit PCM WAV (fixtures, samples, tests). */
export function encodeWav16(audio: AudioData): Uint8Array {
  const channels = audio.channels.length;
  const frames = audio.channels[0]?.length ?? 0;
  const dataBytes = frames * channels * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i++) out[offset + i] = value.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const s = Math.max(-1, Math.min(1, audio.channels[c]![i]!));
      view.setInt16(44 + (i * channels + c) * 2, Math.round(s * 32767), true);
    }
  }
  return out;
}
