const SILENCE_RMS = 1e-3; // -60 dBFS

/**
 * The part of `range` from its first to its last 10 ms frame above -60 dBFS, with `margin`
 * seconds of the quiet kept on each side: speech models are trained on utterances with short
 * pauses around them (a TTS voice's own padding stays whole), not seconds of silence. Undefined
 * when the range is silent throughout.
 */
export function trimSilence(
  samples: Float32Array,
  range: SampleRange,
  margin = 0.5,
  sampleRate = 16000,
): SampleRange | undefined {
  const hop = Math.floor(sampleRate / 100);
  const loud = (start: number) => {
    const end = Math.min(range.end, start + hop);
    let sum = 0;
    for (let i = start; i < end; i++) sum += samples[i]! ** 2;
    return Math.sqrt(sum / Math.max(1, end - start)) > SILENCE_RMS;
  };
  let first = -1;
  let last = -1;
  for (let start = range.start; start < range.end; start += hop) {
    if (!loud(start)) continue;
    if (first < 0) first = start;
    last = Math.min(range.end, start + hop);
  }
  if (first < 0) return undefined;
  const keep = Math.round(margin * sampleRate);
  return { start: Math.max(range.start, first - keep), end: Math.min(range.end, last + keep) };
}

/** A stretch of samples [start, end). */
export interface SampleRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Cuts long audio into pieces of at most `maxSeconds`, each cut at the quietest moment (lowest
 * energy over a 0.2 s window) of the piece's second half, so cuts fall in pauses between words
 * where there are any. Attention decoders read what they were trained on (utterances of a few
 * seconds) and lose their place on minute-long inputs; their maximum output length is bounded too.
 */
export function splitAtPauses(
  samples: Float32Array,
  maxSeconds: number,
  sampleRate = 16000,
): SampleRange[] {
  const maxLength = Math.floor(maxSeconds * sampleRate);
  if (samples.length <= maxLength) return [{ start: 0, end: samples.length }];
  // Energy per 10 ms frame, then summed over 0.2 s windows centred on each frame.
  const hop = Math.floor(sampleRate / 100);
  const frames = Math.ceil(samples.length / hop);
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * hop; i < Math.min(samples.length, (f + 1) * hop); i++) sum += samples[i]! ** 2;
    energy[f] = sum;
  }
  const half = 10; // frames each side: 0.2 s windows
  const prefix = new Float64Array(frames + 1);
  for (let f = 0; f < frames; f++) prefix[f + 1] = prefix[f]! + energy[f]!;
  const windowEnergy = (f: number) =>
    prefix[Math.min(frames, f + half + 1)]! - prefix[Math.max(0, f - half)]!;

  const ranges: SampleRange[] = [];
  let start = 0;
  while (samples.length - start > maxLength) {
    const from = Math.ceil((start + maxLength / 2) / hop);
    const to = Math.floor((start + maxLength) / hop);
    // The quietest window; among equally quiet ones the latest, so a piece holds the speech
    // before a pause rather than ending where the pause begins and leaving a silent piece.
    let cut = from;
    for (let f = from; f <= to; f++) if (windowEnergy(f) <= windowEnergy(cut)) cut = f;
    const end = Math.min(cut * hop, start + maxLength);
    ranges.push({ start, end });
    start = end;
  }
  ranges.push({ start, end: samples.length });
  return ranges;
}
