import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Seconds of audio in a FLAC file from its STREAMINFO block (the first 42 bytes), without
 * decoding it; undefined when the file cannot be read, is not FLAC or does not record its length.
 */
export function flacSeconds(file: string): number | undefined {
  const header = Buffer.alloc(42);
  let read: number;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  // 'fLaC', then a metadata block header whose type (low 7 bits) 0 is STREAMINFO.
  if (read < 42 || header.toString('latin1', 0, 4) !== 'fLaC' || (header[4]! & 0x7f) !== 0)
    return undefined;
  // STREAMINFO from byte 8: ... 20 bits sample rate, 3 channels-1, 5 bits-1, 36 total samples.
  const sampleRate = (header[18]! << 12) | (header[19]! << 4) | (header[20]! >> 4);
  const totalSamples = (header[21]! & 0x0f) * 2 ** 32 + header.readUInt32BE(22);
  if (sampleRate === 0 || totalSamples === 0) return undefined;
  return totalSamples / sampleRate;
}
