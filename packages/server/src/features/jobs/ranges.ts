/**
 * A set of non-negative integers kept as sorted, disjoint, inclusive ranges `[first, last]`.
 * Chunk indexes arrive mostly in order, so a job's received chunks are usually one range,
 * however many there are: small enough to live in the job's shared record.
 */
export type IndexRanges = [number, number][];

/** True when `index` is in `ranges`. */
export function hasIndex(ranges: IndexRanges, index: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [first, last] = ranges[middle] as [number, number];
    if (index < first) high = middle - 1;
    else if (index > last) low = middle + 1;
    else return true;
  }
  return false;
}

/** Adds `index` to `ranges` in place, merging neighbours; returns false when it was there. */
export function addIndex(ranges: IndexRanges, index: number): boolean {
  // The position of the first range that starts after `index`.
  let at = 0;
  while (at < ranges.length && (ranges[at] as [number, number])[0] <= index) at++;
  const before = ranges[at - 1];
  const after = ranges[at];
  if (before && index <= before[1]) return false;
  const joinsBefore = before !== undefined && before[1] === index - 1;
  const joinsAfter = after !== undefined && after[0] === index + 1;
  if (joinsBefore && joinsAfter) {
    before[1] = after[1];
    ranges.splice(at, 1);
  } else if (joinsBefore) {
    before[1] = index;
  } else if (joinsAfter) {
    after[0] = index;
  } else {
    ranges.splice(at, 0, [index, index]);
  }
  return true;
}

/** How many integers `ranges` holds. */
export function countIndexes(ranges: IndexRanges): number {
  let count = 0;
  for (const [first, last] of ranges) count += last - first + 1;
  return count;
}

/** Every integer of `ranges`, ascending. */
export function* eachIndex(ranges: IndexRanges): Generator<number> {
  for (const [first, last] of ranges) for (let index = first; index <= last; index++) yield index;
}
