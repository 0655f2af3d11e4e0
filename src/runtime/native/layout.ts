// Shape/stride bookkeeping for the strided C kernels: kept in JS because it is tiny and per call.

/** Row-major strides of a contiguous tensor. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d]!;
  }
  return strides;
}

/** Strides that read `shape` as if broadcast to `outShape` (numpy rules: right-aligned, 1 → 0). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const axis = d - lead;
    return axis < 0 || shape[axis] === 1 ? 0 : own[axis]!;
  });
}

export interface Layout {
  readonly shape: Int32Array;
  readonly strides: Int32Array[];
}

/**
 * Drops size-1 dims and merges neighbours that every stride array walks contiguously, so that the
 * C kernels' innermost loop is as long as possible. Always returns rank >= 1.
 */
export function collapse(shape: readonly number[], ...strideSets: readonly number[][]): Layout {
  const dims: number[] = [];
  const sets: number[][] = strideSets.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && strideSets.every((s, i) => sets[i]![last] === s[d]! * size);
    if (mergeable) {
      dims[last] = dims[last]! * size;
      strideSets.forEach((s, i) => {
        sets[i]![last] = s[d]!;
      });
    } else {
      dims.push(size);
      strideSets.forEach((s, i) => {
        sets[i]!.push(s[d]!);
      });
    }
  }
  if (dims.length === 0) {
    return { shape: Int32Array.of(1), strides: strideSets.map(() => Int32Array.of(1)) };
  }
  return { shape: Int32Array.from(dims), strides: sets.map((s) => Int32Array.from(s)) };
}
