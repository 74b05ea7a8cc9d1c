/**
 * Suggestions for misspelt names (`--stpes` -> `--steps`, `cors` -> `cores`): the optimal string
 * alignment distance (Levenshtein plus adjacent transpositions), and the nearest candidate.
 * Words longer than MAX_WORD are never compared: a hostile 1 MB key must not cost m x n cells.
 */

const MAX_WORD = 64;

/** Optimal string alignment distance between `a` and `b` (case-sensitive). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/**
 * The candidate nearest to `word` (case-insensitive), if near enough: within `limit` edits
 * (default: a third of the word's length, between 1 and 3); a candidate that starts the word or
 * that the word starts counts as 1 edit away.
 */
export function closest(word: string, candidates: readonly string[], limit?: number): string | undefined {
  if (word === '' || word.length > MAX_WORD) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    if (c.length > MAX_WORD) continue;
    const lc = c.toLowerCase();
    const d = lc.startsWith(lower) || lower.startsWith(lc) ? Math.min(1, editDistance(lower, lc)) : editDistance(lower, lc);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const max = limit ?? Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestD <= max ? best : undefined;
}
