// Connected sets of overlapping intervals (the components of the interval-overlap graph), in one
// sort and one sweep: every member of a set of two or more overlaps at least one other member.

export function overlappingSets<T>(items: readonly T[], start: (t: T) => number, end: (t: T) => number): T[][] {
  const sorted = [...items].sort((a, b) => start(a) - start(b) || end(a) - end(b));
  const sets: T[][] = [];
  let current: T[] = [];
  let currentEnd = -Infinity;
  for (const item of sorted) {
    if (current.length > 0 && start(item) < currentEnd) {
      current.push(item);
      currentEnd = Math.max(currentEnd, end(item));
    } else {
      if (current.length >= 2) sets.push(current);
      current = [item];
      currentEnd = end(item);
    }
  }
  if (current.length >= 2) sets.push(current);
  return sets;
}
