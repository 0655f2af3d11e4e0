// Writes WAV files of every encoding attend reads, independently of src/audio/wav.ts.
export type Encoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64' | 'mulaw';

export function writeWav(
  channels: Float32Array[],
  sampleRate: number,
  encoding: Encoding,
  extensible = false,
): Uint8Array {
  const bits = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64, mulaw: 8 }[
    encoding
  ];
  const tag = encoding.startsWith('float') ? 3 : encoding === 'mulaw' ? 7 : 1;
  const bytesPer = bits / 8;
  const frames = channels[0]!.length;
  const blockAlign = bytesPer * channels.length;
  const fmtSize = extensible ? 40 : 16;
  const dataSize = frames * blockAlign;
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + dataSize);
  const view = new DataView(out.buffer);
  const text = (o: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(o + i, s.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? 0xfffe : tag, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  if (extensible) {
    view.setUint16(36, 22, true);
    view.setUint16(38, bits, true);
    view.setUint32(40, 0, true);
    view.setUint16(44, tag, true); // first two bytes of the sub-format GUID
  }
  const dataStart = 20 + fmtSize;
  text(dataStart, 'data');
  view.setUint32(dataStart + 4, dataSize, true);
  let o = dataStart + 8;
  for (let i = 0; i < frames; i++) {
    for (const channel of channels) {
      const x = Math.max(-1, Math.min(1 - 1e-9, channel[i]!));
      if (encoding === 'pcm8') view.setUint8(o, Math.round(x * 127) + 128);
      else if (encoding === 'pcm16') view.setInt16(o, Math.round(x * 32767), true);
      else if (encoding === 'pcm24') {
        const v = Math.round(x * 8388607);
        view.setUint8(o, v & 0xff);
        view.setUint8(o + 1, (v >> 8) & 0xff);
        view.setUint8(o + 2, (v >> 16) & 0xff);
      } else if (encoding === 'pcm32') view.setInt32(o, Math.round(x * 2147483647), true);
      else if (encoding === 'float32') view.setFloat32(o, channel[i]!, true);
      else if (encoding === 'float64') view.setFloat64(o, channel[i]!, true);
      else view.setUint8(o, linearToMuLaw(x));
      o += bytesPer;
    }
  }
  return out;
}

/** G.711 μ-law encoder (the classic Sun reference algorithm). */
function linearToMuLaw(x: number): number {
  const BIAS = 0x84;
  let sample = Math.round(x * 32767);
  const sign = sample < 0 ? 0x80 : 0;
  if (sample < 0) sample = -sample;
  sample = Math.min(sample, 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (sample >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export const sine = (
  frequency: number,
  sampleRate: number,
  seconds: number,
  amplitude = 0.5,
): Float32Array =>
  Float32Array.from(
    { length: Math.round(sampleRate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate),
  );
