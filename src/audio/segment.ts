const SILENCE_RMS = 1e-3; // -60 dBFS

/** A stretch of samples [start, end). */
export interface SampleRange {
  readonly start: number;
  readonly end: number;
}

/** Sum of squares and sample count of each 10 ms frame (the last one may be short). */
function frameEnergies(
  samples: Float32Array,
  sampleRate: number,
): { energy: Float64Array; counts: Int32Array } {
  const hop = Math.floor(sampleRate / 100);
  const frames = Math.ceil(samples.length / hop);
  const energy = new Float64Array(frames);
  const counts = new Int32Array(frames);
  for (let f = 0; f < frames; f++) {
    const end = Math.min(samples.length, (f + 1) * hop);
    let sum = 0;
    for (let i = f * hop; i < end; i++) sum += samples[i]! ** 2;
    energy[f] = sum;
    counts[f] = end - f * hop;
  }
  return { energy, counts };
}

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
  const { energy, counts } = frameEnergies(samples.subarray(range.start, range.end), sampleRate);
  let first = -1;
  let last = -1;
  for (let f = 0; f < energy.length; f++) {
    if (!(Math.sqrt(energy[f]! / counts[f]!) > SILENCE_RMS)) continue;
    if (first < 0) first = range.start + f * hop;
    last = range.start + f * hop + counts[f]!;
  }
  if (first < 0) return undefined;
  const keep = Math.round(margin * sampleRate);
  return { start: Math.max(range.start, first - keep), end: Math.min(range.end, last + keep) };
}

/** RMS level in dB of each 10 ms frame. */
function frameLevels(samples: Float32Array, sampleRate: number): Float64Array {
  const { energy, counts } = frameEnergies(samples, sampleRate);
  return energy.map((sum, f) => 10 * Math.log10(sum / counts[f]! + 1e-12));
}

/**
 * Utterance-sized pieces of long audio, the way speech models are trained (sentences of a few
 * seconds): cuts in the middle of every pause of at least `minPause` seconds (frames 35 dB under
 * the loud frames, or under -60 dBFS), joins neighbours while they fit in `targetSeconds`, and
 * cuts what is still longer than `maxSeconds` at its quietest moments (splitAtPauses).
 */
export function splitIntoUtterances(
  samples: Float32Array,
  options: { targetSeconds?: number; maxSeconds: number; minPause?: number },
  sampleRate = 16000,
): SampleRange[] {
  const { maxSeconds, minPause = 0.3 } = options;
  const targetSeconds = Math.min(options.targetSeconds ?? 6, maxSeconds);
  if (samples.length <= targetSeconds * sampleRate) return [{ start: 0, end: samples.length }];
  const hop = Math.floor(sampleRate / 100);
  const levels = frameLevels(samples, sampleRate);
  const sorted = Float64Array.from(levels).sort();
  const loud = sorted[Math.floor(sorted.length * 0.95)] ?? -120;
  const quiet = Math.max(loud - 35, -60);
  const cuts: number[] = [];
  for (let f = 0; f < levels.length; ) {
    if (levels[f]! >= quiet) {
      f++;
      continue;
    }
    let end = f;
    while (end < levels.length && levels[end]! < quiet) end++;
    if (end - f >= minPause * 100 && f > 0 && end < levels.length)
      cuts.push(Math.floor((f + end) / 2) * hop);
    f = end;
  }
  // Join neighbouring stretches while they fit the target length.
  const joined: SampleRange[] = [];
  let start = 0;
  for (const [i, cut] of cuts.entries()) {
    const next = cuts[i + 1] ?? samples.length;
    if (next - start > targetSeconds * sampleRate) {
      joined.push({ start, end: cut });
      start = cut;
    }
  }
  joined.push({ start, end: samples.length });
  return joined.flatMap((range) =>
    splitAtPauses(samples.subarray(range.start, range.end), maxSeconds, sampleRate).map((r) => ({
      start: r.start + range.start,
      end: r.end + range.start,
    })),
  );
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
  const { energy } = frameEnergies(samples, sampleRate);
  const frames = energy.length;
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

/**
 * The speech of a recording as utterance-sized ranges (splitIntoUtterances, at most `maxSeconds`)
 * with long silences trimmed (trimSilence); silent pieces are left out. What transcription
 * decodes and alignment encodes.
 */
export function speechRanges(samples: Float32Array, maxSeconds: number): SampleRange[] {
  return splitIntoUtterances(samples, { maxSeconds }).flatMap((cut) => {
    const range = trimSilence(samples, cut);
    return range ? [range] : [];
  });
}
