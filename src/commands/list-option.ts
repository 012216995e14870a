// Commander argument parser for repeatable, comma-separated list options
// (`--fail-on a,b --fail-on c`, `--drivers nvme`): every value, trimmed, empty pieces dropped.
export function collectList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];
}
