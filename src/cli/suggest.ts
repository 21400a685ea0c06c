// "Did you mean": the known word closest to a mistyped one (edit distance at most 2, or a unique
// prefix). yargs suggests commands only when no default command matched, and `gatehouse` has one
// (the console), so a mistyped top-level command is matched here.
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      // Substitution, insertion, deletion; a swap of two neighbours counts as one edit.
      let d = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, diag);
      diag = up;
      prev[j] = d;
    }
  }
  return prev[b.length]!;
}

export function suggest(word: string, known: readonly string[]): string | null {
  const w = word.toLowerCase();
  const prefixed = known.filter((k) => k.startsWith(w));
  if (w.length >= 2 && prefixed.length === 1) return prefixed[0]!;
  let best: { name: string; d: number } | null = null;
  for (const k of known) {
    const d = editDistance(w, k);
    if (d <= 2 && d < w.length && (!best || d < best.d)) best = { name: k, d };
  }
  return best?.name ?? null;
}
