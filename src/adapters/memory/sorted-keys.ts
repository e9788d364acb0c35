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
