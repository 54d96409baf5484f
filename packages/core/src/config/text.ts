/**
 * Small string helpers the loader's messages use: "did you mean" suggestions (edit distance),
 * sentence endings for borrowed messages, and dropping keys from a file section.
 */

/** ` Did you mean X?` when one candidate is within two edits of `word`, else "". */
export function suggest(word: string, candidates: readonly string[]): string {
  const close = candidates.find(
    (candidate) => editDistance(candidate.toLowerCase(), word.toLowerCase()) <= 2,
  );
  return close ? ` Did you mean ${close}?` : "";
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Ends a borrowed message with a full stop, so that the hint after it reads as a new sentence. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

export function omit(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}
