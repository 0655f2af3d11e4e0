/** Every frame path of a CTC output (vocab^time of them) with its collapsed labels (blank 0). */
export function* ctcPaths(
  time: number,
  vocab: number,
): Generator<{ path: number[]; collapsed: number[] }> {
  for (let code = 0; code < vocab ** time; code++) {
    const path: number[] = [];
    let rest = code;
    for (let t = 0; t < time; t++) {
      path.push(rest % vocab);
      rest = Math.floor(rest / vocab);
    }
    yield { path, collapsed: path.filter((s, i) => s !== 0 && s !== path[i - 1]) };
  }
}
