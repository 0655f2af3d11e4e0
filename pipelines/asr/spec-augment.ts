/**
 * SpecAugment (Park et al. 2019) on CMVN-normalised features [frames, dim]: frequency and time
 * masks set to 0 (the mean). Returns a new array; `random` makes it reproducible.
 */
export function specAugment(
  values: Float32Array,
  frames: number,
  dim: number,
  random: () => number,
  options = { freqMasks: 2, freqWidth: 15, timeMasks: 2, timeWidth: 40, maxTimeFraction: 0.2 },
): Float32Array {
  const out = Float32Array.from(values);
  for (let m = 0; m < options.freqMasks; m++) {
    const width = Math.floor(random() * (options.freqWidth + 1));
    const start = Math.floor(random() * Math.max(1, dim - width));
    for (let t = 0; t < frames; t++) out.fill(0, t * dim + start, t * dim + start + width);
  }
  const maxWidth = Math.min(options.timeWidth, Math.floor(frames * options.maxTimeFraction));
  for (let m = 0; m < options.timeMasks; m++) {
    const width = Math.floor(random() * (maxWidth + 1));
    const start = Math.floor(random() * Math.max(1, frames - width));
    out.fill(0, start * dim, (start + width) * dim);
  }
  return out;
}
