/** The index of the first key that sorts after `after` in an ascending array (binary search). */
export function firstIndexAfter(sorted: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] as string) <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The index of the first key at or after `from` (binary search). */
function firstIndexFrom(sorted: readonly string[], from: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] as string) < from) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Where the keys that start with `prefix` are in an ascending array: one run of it, `[start, end)`, found by two
 * binary searches, so that a tenant's reads never walk another tenant's keys.
 */
export function rangeWithPrefix(sorted: readonly string[], prefix: string): readonly [number, number] {
  const start = firstIndexFrom(sorted, prefix);
  let low = start;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] as string).startsWith(prefix)) low = mid + 1;
    else high = mid;
  }
  return [start, low];
}
